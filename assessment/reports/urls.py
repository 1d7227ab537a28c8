"""The reports as downloads, mounted under reports/ (see assessment.urls): the three reports as PDF
or XLSX, and the background zip of every county's report."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    """A report's format in its URL: award.pdf or award.xlsx."""

    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "report_format")

urlpatterns = [
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
]
