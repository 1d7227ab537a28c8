"""Which years of which offices are locked, for core.locks: the workflow knows the states.

- A year whose assessment is submitted (自评已提交), approved (县级已审定) or confirmed (市级已确认)
  is locked for that office: the records the score reads are the records the county saw.
- A record without a year (the duty sheet, the sign and seal, the director's probation) counts in
  every year: it is locked while any of the office's assessments of an open year is submitted or
  approved. A confirmed score is frozen and no longer reads it.

Only the county reopening a town (退回), the city returning it, or an approved correction (更正)
lifts a lock."""

from assessment.choices import AssessmentState, YearState
from assessment.models import Assessment
from core.locks import ALWAYS

LOCKED_STATES = (AssessmentState.SUBMITTED, AssessmentState.APPROVED, AssessmentState.CONFIRMED)
UNDER_REVIEW = (AssessmentState.SUBMITTED, AssessmentState.APPROVED)

CORRECT = "如发现错误,请提交更正申请。"
REASONS = {
    AssessmentState.SUBMITTED: (
        "{year}年度自评已提交县级考核,该年度的资料暂不能修改;如需修改,请联系县级退回。"
    ),
    AssessmentState.APPROVED: "{year}年度考核已由县级审定,该年度的资料已锁定,县级退回后方可修改。" + CORRECT,
    AssessmentState.CONFIRMED: "{year}年度考核结果已由市局确认,该年度的资料只读。" + CORRECT,
}
ALWAYS_REASON = "{year}年度考核正在审核中(已提交或已审定),此项资料影响该年度得分,暂不能修改。"


def reason(state: str, year: int) -> str:
    return REASONS[state].format(year=year)


def locked_years(office_ids: set[int], years: set[int]) -> dict[tuple[int, int], str]:
    """{(office id, year): why it is locked} for the asked offices and years (ALWAYS: any open year
    under review). One query."""
    dated = {y for y in years if y != ALWAYS}
    rows = Assessment.objects.filter(office_id__in=office_ids, state__in=LOCKED_STATES)
    if ALWAYS not in years:
        rows = rows.filter(assessment_year__year__in=dated)
    locked: dict[tuple[int, int], str] = {}
    for office_id, year, state, year_state in rows.values_list(
        "office_id", "assessment_year__year", "state", "assessment_year__state"
    ).order_by("assessment_year__year"):
        if year in dated:
            locked[(office_id, year)] = reason(state, year)
        if ALWAYS in years and state in UNDER_REVIEW and year_state == YearState.OPEN:
            locked.setdefault((office_id, ALWAYS), ALWAYS_REASON.format(year=year))
    return locked
