"""The correction pages, in the assessment: namespace (assessment.urls adds them to the workflow's)."""

from django.urls import path

from . import views

urlpatterns = [
    path("offices/<str:town_code>/corrections/", views.OfficeCorrections.as_view(), name="correction_list"),
    path(
        "offices/<str:town_code>/corrections/new/", views.CorrectionCreate.as_view(), name="correction_create"
    ),
    path("corrections/", views.city_corrections, name="city_corrections"),
    path("corrections/<int:pk>/", views.correction_detail, name="correction_detail"),
    path("corrections/<int:pk>/decide/", views.correction_decide, name="correction_decide"),
    path("corrections/<int:pk>/withdraw/", views.correction_withdraw, name="correction_withdraw"),
    path("counties/<str:code>/corrections/", views.county_corrections, name="county_corrections"),
]
