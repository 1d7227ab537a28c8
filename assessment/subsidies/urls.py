"""The subsidy pages, mounted under reports/ (see assessment.urls): the city's (standard, every
county's matching and its lock, all payments) and a county's own (its matching, its towns' payments)."""

from django.urls import path

from . import county_views, views

urlpatterns = [
    path("programmes/<int:pk>/standard/", views.subsidy_standard, name="subsidy_standard"),
    path("programmes/<int:pk>/matching/", views.county_matching, name="county_matching"),
    path(
        "programmes/<int:pk>/counties/<str:code>/matching/",
        county_views.county_matching_edit,
        name="county_matching_edit",
    ),
    path(
        "programmes/<int:pk>/counties/<str:code>/matching/lock/",
        views.county_matching_lock,
        name="county_matching_lock",
    ),
    path("programmes/<int:pk>/payments/", views.payment_list, name="payment_list"),
    path("programmes/<int:pk>/payments/refresh/", views.payments_refresh, name="payments_refresh"),
    path("programmes/<int:pk>/payments/paid/", views.payments_mark_paid_bulk, name="payments_mark_paid"),
    path("payments/<int:pk>/paid/", views.payment_mark_paid, name="payment_mark_paid"),
    path(
        "programmes/<int:pk>/counties/<str:code>/payments/",
        county_views.county_payments,
        name="county_payments",
    ),
    path(
        "programmes/<int:pk>/counties/<str:code>/payments/county-paid/",
        county_views.county_payments_mark_paid,
        name="county_payments_mark_paid",
    ),
    path(
        "payments/<int:pk>/county-paid/",
        county_views.payment_mark_county_paid,
        name="payment_mark_county_paid",
    ),
]
