"""Reads of the annual assessment for the town and county pages, each a fixed number of queries
whatever the number of towns, items, workflow events or tasks.

The `*_may_*` helpers only decide which buttons and forms a page shows; the services check the same
states again and have the last word."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone

from assessment.choices import AssessmentState, CountyState, Method, Result, WorkflowStep, YearState
from assessment.models import (
    Assessment,
    AssessmentYear,
    CountyResult,
    ItemScore,
    WorkflowEvent,
)
from assessment.standard import scoring
from offices.models import County, Office
from portal.models import User
from portal.permissions import Action, counties_for, is_city, is_county, is_town, offices_for

# -- one office's assessment ------------------------------------------------------------------------


def assessment_for(*, office: Office, year: int) -> Assessment | None:
    """The office's assessment of a year, with its year and catalog: one query."""
    return (
        Assessment.objects.select_related("assessment_year__catalog", "office__town__county")
        .filter(assessment_year__year=year, office=office)
        .first()
    )


class ResultBadge:
    """The pass flag and label of a row's `result` (合格, 不合格 or none yet), for the badges."""

    result: str

    @property
    def passed(self) -> bool:
        return self.result == Result.PASS

    @property
    def result_label(self) -> str:
        return Result(self.result).label if self.result else ""


@dataclass
class ScoreSheet(ResultBadge):
    """An assessment's items in catalog order, the total they make, and what the assessment stands
    at: as computed from today's records while it is live, as stored once it is frozen."""

    scores: list[ItemScore]
    total: scoring.Total
    points: Decimal | None
    result: str
    veto_failed: bool
    city_total: Decimal | None

    @property
    def scaled(self) -> bool:
        """Whether not-applicable items took points out of the 100, so the total is scaled back."""
        return self.total.possible != Decimal(100)


def score_sheet(assessment: Assessment) -> ScoreSheet:
    """The assessment's item scores and total: the one score every page shows. An assessment that
    still follows the records (not approved, not confirmed) shows the points the office's records
    give today, computed in memory: a read writes nothing (the workflow services store the points
    when they move the assessment on). An approved one shows what the county approved, a confirmed
    one what was confirmed. The assessment needs its year's catalog and its office's town loaded
    (`assessment_for` does)."""
    scores = scoring.item_rows(assessment)
    pass_mark = assessment.assessment_year.catalog.pass_mark
    if not scoring.reads_records(assessment):
        return ScoreSheet(
            scores,
            scoring.compute_total(scores, pass_mark),
            assessment.total,
            assessment.result,
            assessment.veto_failed,
            assessment.city_total,
        )
    scores = scoring.live_scores(assessment, scores)
    now = scoring.standing(scores, pass_mark, sampled=scoring.city_checked(assessment))
    return ScoreSheet(
        scores,
        scoring.compute_total(scores, pass_mark),
        now.total,
        now.result,
        now.veto_failed,
        now.city_total,
    )


def _stored(assessment: Assessment) -> ScoreSheet:
    """What an approved or confirmed assessment stands at, from its own row: no query. (Approval
    needs every on-site item scored, so nothing is pending.)"""
    return ScoreSheet(
        [],
        scoring.compute_total([], assessment.assessment_year.catalog.pass_mark),
        assessment.total,
        assessment.result,
        assessment.veto_failed,
        assessment.city_total,
    )


def county_result_for(assessment: Assessment) -> CountyResult | None:
    return CountyResult.objects.filter(
        assessment_year_id=assessment.assessment_year_id, county_id=assessment.office.town.county_id
    ).first()


def workflow_log(assessment: Assessment) -> list[WorkflowEvent]:
    """Every step that moved this assessment, its county's results or its year, newest first, with
    who took it: one query, however many steps."""
    county_id = assessment.office.town.county_id
    return list(
        WorkflowEvent.objects.filter(assessment_year_id=assessment.assessment_year_id)
        .filter(
            Q(assessment=assessment)
            | Q(assessment__isnull=True, county__isnull=True)
            | Q(assessment__isnull=True, county_id=county_id)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def town_may_edit(assessment: Assessment) -> bool:
    """Whether the town's self-assessment is open for its notes, evidence and submission."""
    return assessment.assessment_year.state == YearState.OPEN and assessment.state in (
        AssessmentState.DRAFT,
        AssessmentState.RETURNED,
    )


def county_may_score(assessment: Assessment, result: CountyResult | None) -> bool:
    """Whether the county may score, return or approve the assessment now."""
    return (
        assessment.assessment_year.state == YearState.OPEN
        and result is not None
        and result.state in (CountyState.OPEN, CountyState.RETURNED)
        and assessment.state == AssessmentState.SUBMITTED
    )


def county_may_reopen(assessment: Assessment, result: CountyResult | None) -> bool:
    """Whether the county may withdraw its approval or return an approved town now."""
    return (
        assessment.assessment_year.state == YearState.OPEN
        and result is not None
        and result.state in (CountyState.OPEN, CountyState.RETURNED)
        and assessment.state == AssessmentState.APPROVED
    )


# -- a county's towns -------------------------------------------------------------------------------


@dataclass
class TownRow(ResultBadge):
    """One town on a list of a year's towns, with its total as the records stand today (or as
    frozen), when it last handed in its self-assessment, and the deadline it is late for."""

    assessment: Assessment
    total: Decimal | None
    result: str
    veto_failed: bool
    pending: int  # on-site items not scored yet
    pending_items: list[str] = field(default_factory=list)  # their codes
    submitted_at: datetime | None = None  # the town's latest submission to the county
    late: str = ""  # the deadline passed with the step not taken: 自评逾期 or 审定逾期

    @property
    def overdue(self) -> bool:
        return bool(self.late)

    @property
    def approvable(self) -> bool:
        """Whether the county could approve it now as far as the row tells (the year and the county's
        result are the caller's to check): submitted, every on-site item scored, a visit date."""
        return (
            self.assessment.state == AssessmentState.SUBMITTED
            and not self.pending
            and self.assessment.visit_date is not None
        )


@dataclass
class CountyOverview:
    year: AssessmentYear
    result: CountyResult
    rows: list[TownRow]  # every town of the county, whatever the list's filters
    counts: list[tuple[str, str, int]]  # (state, label, number of towns)
    events: list[WorkflowEvent] = field(default_factory=list)

    @property
    def all_approved(self) -> bool:
        return bool(self.rows) and all(r.assessment.state == AssessmentState.APPROVED for r in self.rows)

    @property
    def waiting(self) -> int:
        return sum(1 for r in self.rows if r.assessment.state != AssessmentState.APPROVED)

    @property
    def county_open(self) -> bool:
        """Whether the county may still score, return and approve its towns: the year open and the
        results not reported (the services check it again)."""
        return self.year.state == YearState.OPEN and self.result.state in (
            CountyState.OPEN,
            CountyState.RETURNED,
        )

    @property
    def may_submit(self) -> bool:
        """Whether the submit button is enabled: the year open, the results not yet reported, every
        town approved (the service checks all of it again)."""
        return self.county_open and self.all_approved

    @property
    def submitted_towns(self) -> int:
        """Towns waiting for the county's approval: those the bulk approval offers."""
        return sum(1 for r in self.rows if r.assessment.state == AssessmentState.SUBMITTED)


def assessment_year(year: int) -> AssessmentYear | None:
    return AssessmentYear.objects.select_related("catalog", "programme").filter(year=year).first()


def late_for(assessment: Assessment, year: AssessmentYear, today: date) -> str:
    """The deadline of the year the town's assessment is late for, or "": the town's self-assessment
    not handed in by 自评截止, or the county's approval not given by 县级上报截止."""
    if year.state != YearState.OPEN:
        return ""
    waiting_for_town = assessment.state in (AssessmentState.DRAFT, AssessmentState.RETURNED)
    if waiting_for_town and year.self_assessment_due and today > year.self_assessment_due:
        return "自评逾期"
    if assessment.state == AssessmentState.SUBMITTED and year.county_due and today > year.county_due:
        return "审定逾期"
    return ""


def town_rows(year: AssessmentYear, assessments: list[Assessment]) -> list[TownRow]:
    """A year's towns with state, total, result, veto, pending on-site items, submission date and
    lateness, in the order given. The assessments need their office's town loaded.

    Totals of assessments that are not frozen are computed from today's records in memory (nothing is
    written on a read); frozen ones show their stored result. A fixed number of queries whatever the
    number of towns: their item scores, the records of the live ones (one query per kind of record)
    and their submissions in the log."""
    ids = [a.pk for a in assessments]
    scores: dict[int, list[ItemScore]] = {pk: [] for pk in ids}
    for score in ItemScore.objects.filter(assessment_id__in=ids).select_related("item"):
        scores[score.assessment_id].append(score)
    live = [a for a in assessments if scoring.reads_records(a)]
    computed = scoring.score_offices([a.office for a in live], year.catalog, year.year) if live else {}
    submitted = dict(
        WorkflowEvent.objects.filter(assessment_id__in=ids, action=WorkflowStep.SELF_SUBMIT)
        .values("assessment_id")
        .annotate(at=Max("at"))
        .values_list("assessment_id", "at")
        .order_by()
    )
    today = timezone.localdate()
    rows = []
    for assessment in assessments:
        items = scores[assessment.pk]
        reads = scoring.reads_records(assessment)
        if reads:
            for score in items:
                scoring.set_computed(score, computed[assessment.office_id].get(score.item_id))
        total = scoring.compute_total(items, year.catalog.pass_mark)
        standing = (
            (total.total, total.result, total.veto_failed)
            if reads
            else (assessment.total, assessment.result, assessment.veto_failed)
        )
        pending = sorted(
            (
                s
                for s in items
                if s.item.method == Method.INSPECTOR
                and scoring.final_points(s) is None
                and not s.not_applicable
            ),
            key=lambda s: (s.item.order, s.item.code),
        )
        rows.append(
            TownRow(
                assessment,
                *standing,
                total.pending_items,
                pending_items=[s.item.code for s in pending],
                submitted_at=submitted.get(assessment.pk),
                late=late_for(assessment, year, today),
            )
        )
    return rows


def county_overview(*, county: County, year: AssessmentYear) -> CountyOverview | None:
    """The county's towns for a year (see `town_rows`), the county's result and its log: a fixed
    number of queries, whatever the number of towns."""
    result = CountyResult.objects.filter(assessment_year=year, county=county).first()
    if result is None:
        return None
    assessments = list(
        Assessment.objects.filter(assessment_year=year, office__town__county=county)
        .select_related("office__town")
        .order_by("office__town__code")
    )
    rows = town_rows(year, assessments)
    counts = [
        (state.value, state.label, sum(1 for a in assessments if a.state == state))
        for state in AssessmentState
    ]
    events = list(
        WorkflowEvent.objects.filter(assessment_year=year)
        .filter(Q(county=county) | Q(assessment__isnull=True, county__isnull=True))
        .select_related("actor")
        .order_by("-at", "-id")
    )
    return CountyOverview(year, result, rows, counts, events)


def county_assessments(
    *, county: County, year: AssessmentYear, codes: list[str] | None = None, state: str = ""
) -> list[Assessment]:
    """The county's assessments of a year, by town code, with what the approval and the rows need
    (the year's catalog, the office's town): those of the towns `codes` names, or of every town in
    `state`. One query."""
    found = Assessment.objects.filter(assessment_year=year, office__town__county=county)
    if codes is not None:
        found = found.filter(office__town__code__in=codes)
    if state:
        found = found.filter(state=state)
    return list(
        found.select_related("assessment_year__catalog", "office__town").order_by("office__town__code")
    )


def county_result(*, county: County, year: AssessmentYear) -> CountyResult | None:
    return CountyResult.objects.filter(assessment_year=year, county=county).select_related("county").first()


def county_years(*, county: County) -> list[int]:
    return list(
        CountyResult.objects.filter(county=county)
        .order_by("-assessment_year__year")
        .values_list("assessment_year__year", flat=True)
    )


# -- the years a user sees --------------------------------------------------------------------------


@dataclass
class YearEntry:
    """One assessment year as the user sees it: the town's own assessment, or the county's results."""

    year: AssessmentYear
    assessment: Assessment | None = None
    county_result: CountyResult | None = None
    submitted_counties: int = 0
    county_count: int = 0
    sheet: ScoreSheet | None = None  # the town's own score, as its assessment page shows it


def years_for(user: User) -> tuple[list[YearEntry], Office | None, County | None]:
    """The assessment years the user can see, newest first, with what is the user's own in each:
    a town its office's assessment, an inspector its county's results, the city how many counties
    reported. Two queries."""
    if is_town(user):
        office = offices_for(user, Action.VIEW).select_related("town").first()
        found = Assessment.objects.filter(office=office).select_related(
            "assessment_year__catalog", "office__town__county"
        )
        # The score of each year as its assessment page shows it: the same sheet for the year still
        # following the records; the stored standing, without its items, for decided years.
        entries = [
            YearEntry(
                a.assessment_year,
                assessment=a,
                sheet=score_sheet(a) if scoring.reads_records(a) else _stored(a),
            )
            for a in found.order_by("-assessment_year__year")
        ]
        return entries, office, None
    if is_county(user):
        county = counties_for(user, Action.VIEW).first()
        found = CountyResult.objects.filter(county=county).select_related("assessment_year")
        entries = [
            YearEntry(r.assessment_year, county_result=r) for r in found.order_by("-assessment_year__year")
        ]
        return entries, None, county
    if is_city(user):
        years = AssessmentYear.objects.annotate(
            counties=Count("county_results"),
            submitted=Count(
                "county_results",
                filter=Q(county_results__state__in=[CountyState.SUBMITTED, CountyState.CONFIRMED]),
            ),
        ).order_by("-year")
        return (
            [YearEntry(y, submitted_counties=y.submitted, county_count=y.counties) for y in years],
            None,
            None,
        )
    return [], None, None
