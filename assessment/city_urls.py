"""The city bureau's pages of the annual assessment (督查), mounted at supervision/."""

from django.urls import path

from . import city_views as views

app_name = "supervision"

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("catalogs/", views.catalog_list, name="catalog_list"),
    path("catalogs/copy/", views.catalog_copy, name="catalog_copy"),
    path("catalogs/<int:year>/", views.catalog_detail, name="catalog_detail"),
    path("catalogs/<int:year>/edit/", views.catalog_edit, name="catalog_edit"),
    path("catalogs/<int:year>/items/new/", views.catalog_item_create, name="catalog_item_create"),
    path("catalogs/<int:year>/items/<int:pk>/edit/", views.catalog_item_edit, name="catalog_item_edit"),
    path("open/", views.year_open, name="year_open"),
    path("<int:year>/", views.year_overview, name="year_overview"),
    path("<int:year>/sample/", views.sample_draw, name="sample_draw"),
    path("<int:year>/offices/<str:town_code>/", views.city_score, name="city_score"),
    path("<int:year>/differences/", views.differences, name="differences"),
    path("<int:year>/counties/<str:code>/return/", views.city_return, name="city_return"),
    path("<int:year>/confirm/", views.year_confirm, name="year_confirm"),
]
