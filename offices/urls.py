from django.urls import path

from . import views

app_name = "offices"

urlpatterns = [
    path("counties/", views.county_list, name="county_list"),
    path("counties/<str:code>/", views.county_detail, name="county_detail"),
    path("<str:town_code>/", views.office_detail, name="office_detail"),
    path("<str:town_code>/history/", views.office_history, name="office_history"),
]
