"""Which years a report or dashboard can be about, and the newest zip export of a year."""

from assessment.choices import ExportState
from assessment.models import AssessmentYear, ExportJob

# -- the year a dashboard shows ---------------------------------------------------------------------


def opened_years() -> list[AssessmentYear]:
    return list(AssessmentYear.objects.select_related("programme").order_by("-year"))


def pick_year(years: list[AssessmentYear], wanted) -> AssessmentYear | None:
    """The year asked for (?year=2011) among the opened ones, else the latest."""
    for year in years:
        if str(year.year) == str(wanted):
            return year
    return years[0] if years else None


def latest_export(year: int) -> ExportJob | None:
    return ExportJob.objects.filter(year=year).exclude(state=ExportState.FAILED).first()
