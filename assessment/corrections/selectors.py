"""Reads of corrections (更正): an office's, a county's and the city's lists with what waits for each,
an assessment's (for its page and its scoring sheet). Each is one query, whatever the number of rows.

Who decides follows the year: the county while it is open, the city once it is confirmed, even for a
request filed before the confirmation; the lists put what waits for the reader first."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from assessment.choices import CorrectionState, Level, YearState
from assessment.models import Assessment, Correction
from offices.models import County, Office

from .kinds import KINDS

# Who decides a request now (see services.decider_level, which reads the same).
CITY_DECIDES = Q(level=Level.CITY) | Q(assessment__assessment_year__state=YearState.CONFIRMED)
COUNTY_DECIDES = Q(level=Level.COUNTY) & ~Q(assessment__assessment_year__state=YearState.CONFIRMED)
PENDING = Q(state=CorrectionState.PENDING)
SHOWN_STATES = (CorrectionState.APPROVED, CorrectionState.PENDING)


def decider_level(correction: Correction) -> str:
    """Who decides a request now: the city once its year is confirmed, even if it was open when filed."""
    year = correction.assessment.assessment_year if correction.assessment_id else None
    if correction.level == Level.CITY or (year is not None and year.state == YearState.CONFIRMED):
        return Level.CITY
    return Level.COUNTY


def decider_label(correction: Correction) -> str:
    return "市局" if decider_level(correction) == Level.CITY else "县级"


def correction_rows() -> QuerySet[Correction]:
    return Correction.objects.select_related(
        "office__town__county", "filed_by", "decided_by", "assessment__assessment_year"
    )


def _waiting_first(rows: QuerySet[Correction], waiting: Q) -> QuerySet[Correction]:
    return rows.annotate(
        waits=Case(When(PENDING & waiting, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("waits", "-created_at", "-id")


def _state(rows: QuerySet[Correction], state: str) -> QuerySet[Correction]:
    return rows.filter(state=state) if state in CorrectionState.values else rows


def office_corrections(*, office: Office, state: str = "") -> QuerySet[Correction]:
    """An office's requests, waiting ones first."""
    return _waiting_first(_state(correction_rows().filter(office=office), state), Q())


def county_corrections(*, county: County, state: str = "") -> QuerySet[Correction]:
    """The requests of a county's towns, those waiting for the county first."""
    rows = correction_rows().filter(office__town__county=county)
    return _waiting_first(_state(rows, state), COUNTY_DECIDES)


def county_pending(*, county: County) -> QuerySet[Correction]:
    """What waits for the county's decision."""
    return (
        correction_rows()
        .filter(PENDING & COUNTY_DECIDES, office__town__county=county)
        .order_by("created_at", "id")
    )


def city_corrections(*, state: str = "") -> QuerySet[Correction]:
    """Every request of the city, those waiting for the city first."""
    return _waiting_first(_state(correction_rows(), state), CITY_DECIDES)


def city_pending() -> QuerySet[Correction]:
    """What waits for the city's decision: requests on confirmed years."""
    return correction_rows().filter(PENDING & CITY_DECIDES).order_by("created_at", "id")


def state_counts(rows: QuerySet[Correction]) -> dict[str, int]:
    """{state: how many} of a list before its filter: one query."""
    return rows.order_by().aggregate(
        **{state: Count("id", filter=Q(state=state)) for state in CorrectionState.values}
    )


def assessment_corrections(assessment: Assessment) -> list[Correction]:
    """The approved (已更正) and waiting (待审核) corrections of an assessment's office and year, oldest
    first, with who filed and decided them: one query. For the assessment page and the scoring sheet."""
    rows = list(
        correction_rows()
        .filter(office_id=assessment.office_id, year=assessment.assessment_year.year, state__in=SHOWN_STATES)
        .order_by("created_at", "id")
    )
    for correction in rows:
        correction.decider = decider_label(correction)
    return rows


def corrected_rules(corrections: list[Correction]) -> dict[str, list[Correction]]:
    """{scoring rule: the approved corrections of records it reads}: which items of a scoring sheet
    stand on corrected records."""
    marks: dict[str, list[Correction]] = {}
    for correction in corrections:
        if correction.state != CorrectionState.APPROVED:
            continue
        kind = KINDS.get(correction.record_label)
        for rule in kind.rules if kind else ():
            marks.setdefault(rule, []).append(correction)
    return marks


def record_corrections(*, label: str, record_id: int) -> QuerySet[Correction]:
    """The corrections of one record (to show on its pages)."""
    return correction_rows().filter(record_label=label, record_id=record_id).order_by("-created_at", "-id")
