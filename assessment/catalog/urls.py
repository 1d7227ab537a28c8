"""The city's configuration pages, mounted under supervision/ (see assessment.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("catalogs/", views.catalog_list, name="catalog_list"),
    path("catalogs/copy/", views.catalog_copy, name="catalog_copy"),
    path("catalogs/<int:year>/", views.catalog_detail, name="catalog_detail"),
    path("catalogs/<int:year>/edit/", views.catalog_edit, name="catalog_edit"),
    path("catalogs/<int:year>/items/new/", views.catalog_item_create, name="catalog_item_create"),
    path("catalogs/<int:year>/items/<int:pk>/edit/", views.catalog_item_edit, name="catalog_item_edit"),
]
