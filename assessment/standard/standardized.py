"""When a town counts as standardized (达标), written once: from the first confirmed year of a
programme in which its assessment was 合格. Later years do not undo it and a town is counted once
however often it passed; a year the city has not confirmed counts for nothing yet. The year
overview, the reports and dashboards, and the award subsidies (due once, for that first year) all
read it from here."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from assessment.choices import Result, YearState
from assessment.models import Assessment, AssessmentYear, Programme


@dataclass(frozen=True)
class Standardized:
    """A town's first pass in a confirmed year of the programme."""

    year: int
    total: Decimal | None  # its total that year
    county_id: int


def first_passes(
    programme: Programme | int, *, up_to: int | None = None, office_ids: Iterable[int] | None = None
) -> dict[int, Standardized]:
    """{office id: its first pass} for the offices standardized in the programme's confirmed years
    (those up to `up_to` when given; among `office_ids` when given): one query."""
    passed = Assessment.objects.filter(
        assessment_year__programme=programme,
        assessment_year__state=YearState.CONFIRMED,
        result=Result.PASS,
    )
    if up_to is not None:
        passed = passed.filter(assessment_year__year__lte=up_to)
    if office_ids is not None:
        passed = passed.filter(office_id__in=list(office_ids))
    rows = passed.order_by("assessment_year__year").values_list(
        "office_id", "assessment_year__year", "total", "office__town__county_id"
    )
    first: dict[int, Standardized] = {}
    for office_id, year, total, county_id in rows:
        if office_id not in first:
            first[office_id] = Standardized(year, total, county_id)
    return first


def confirmed_years(programme: Programme | int, *, up_to: int | None = None) -> list[int]:
    """The programme's confirmed years (up to `up_to` when given), in order: one query."""
    years = AssessmentYear.objects.filter(programme=programme, state=YearState.CONFIRMED)
    if up_to is not None:
        years = years.filter(year__lte=up_to)
    return sorted(years.values_list("year", flat=True))
