"""The award subsidies and reports, mounted at reports/: dashboards, the three reports as PDF or XLSX,
the background zip of every county's report, and the city's subsidy pages."""

from django.urls import path, register_converter

from . import report_views as views


class FormatConverter:
    """A report's format in its URL: award.pdf or award.xlsx."""

    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "report_format")

app_name = "reports"

urlpatterns = [
    path("", views.city_dashboard, name="city_dashboard"),
    path("counties/<str:code>/", views.county_dashboard, name="county_dashboard"),
    path("<int:year>/counties/<str:code>/award.<report_format:fmt>", views.award_report, name="award_report"),
    path("<int:year>/summary.<report_format:fmt>", views.city_summary, name="city_summary"),
    path(
        "<int:year>/offices/<str:town_code>/scoring-sheet.<report_format:fmt>",
        views.scoring_sheet,
        name="scoring_sheet",
    ),
    path("<int:year>/all-counties/", views.export_page, name="export_page"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("programmes/<int:pk>/standard/", views.subsidy_standard, name="subsidy_standard"),
    path("programmes/<int:pk>/matching/", views.county_matching, name="county_matching"),
    path("programmes/<int:pk>/payments/", views.payment_list, name="payment_list"),
    path("programmes/<int:pk>/payments/refresh/", views.payments_refresh, name="payments_refresh"),
    path("programmes/<int:pk>/payments/paid/", views.payments_mark_paid_bulk, name="payments_mark_paid"),
    path("payments/<int:pk>/paid/", views.payment_mark_paid, name="payment_mark_paid"),
]
