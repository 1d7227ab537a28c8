"""The city's subsidy pages, mounted under reports/ (see assessment.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("programmes/<int:pk>/standard/", views.subsidy_standard, name="subsidy_standard"),
    path("programmes/<int:pk>/matching/", views.county_matching, name="county_matching"),
    path("programmes/<int:pk>/payments/", views.payment_list, name="payment_list"),
    path("programmes/<int:pk>/payments/refresh/", views.payments_refresh, name="payments_refresh"),
    path("programmes/<int:pk>/payments/paid/", views.payments_mark_paid_bulk, name="payments_mark_paid"),
    path("payments/<int:pk>/paid/", views.payment_mark_paid, name="payment_mark_paid"),
]
