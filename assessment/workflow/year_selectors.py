"""Reads of a year across the counties, for the city: the overview per county, the spot-check sample
with the city's scores, and where the city's scores differ from the counties'.

Each read costs a fixed number of queries, whatever the number of towns: aggregates are grouped in the
database and scores are fetched in one query per page."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from assessment.choices import (
    DECIDED_STATES,
    SUBMITTED_STATES,
    CountyState,
    Result,
    WorkflowStep,
)
from assessment.models import (
    Assessment,
    AssessmentYear,
    CountyResult,
    ItemScore,
    WorkflowEvent,
)
from assessment.standard import scoring, standardized
from assessment.standard.progress import Progress
from offices.models import County, Office

# -- one year ---------------------------------------------------------------------------------------


def year_queryset() -> QuerySet[AssessmentYear]:
    return AssessmentYear.objects.select_related("programme", "catalog")


@dataclass
class CountyRow:
    county: County | None  # None on the row of totals
    result: CountyResult | None
    towns: int = 0
    submitted: int = 0
    approved: int = 0
    standardized: int = 0
    average: Decimal | None = None
    sampled: int = 0
    cumulative: int = 0  # towns standardized in a confirmed year of the programme, up to this year

    @property
    def returnable(self) -> bool:
        return self.result is not None and self.result.state == CountyState.SUBMITTED

    @property
    def may_sample(self) -> bool:
        """Reported and not sampled yet: the city may draw this county's sample."""
        return self.returnable and not self.result.sample_seed


def passed(result: str) -> bool | None:
    """合格 (True), 不合格 (False), or no result yet (None), for the result badge."""
    return result == Result.PASS if result else None


class BothResults:
    """The county's and the city's result of a sampled town, as badges."""

    county_result: str
    city_result: str

    @property
    def county_passed(self) -> bool | None:
        return passed(self.county_result)

    @property
    def city_passed(self) -> bool | None:
        return passed(self.city_result)


@dataclass
class SampleRow(BothResults):
    assessment: Assessment
    county_total: Decimal | None
    county_result: str
    city_total: Decimal | None
    city_result: str
    city_scored: bool
    differing_items: int

    @property
    def delta(self) -> Decimal | None:
        if self.county_total is None or self.city_total is None or not self.city_scored:
            return None
        return self.city_total - self.county_total


@dataclass(frozen=True)
class Unfinished:
    """What stands between a year and its confirmation; each list names counties or towns."""

    not_reported: list[str]
    not_sampled: list[str]
    unscored: list[str]  # sampled towns with neither a city score nor a waiver

    @property
    def messages(self) -> list[str]:
        out = []
        if self.not_reported:
            out.append(f"{len(self.not_reported)} 个县(市、区)未上报考核结果:{'、'.join(self.not_reported)}")
        if self.not_sampled:
            out.append(f"{len(self.not_sampled)} 个县(市、区)未抽取督查样本:{'、'.join(self.not_sampled)}")
        if self.unscored:
            out.append(f"{len(self.unscored)} 个抽查镇未评分(且未说明免于评分):{'、'.join(self.unscored)}")
        return out

    @property
    def none(self) -> bool:
        return not (self.not_reported or self.not_sampled or self.unscored)


def unfinished(year: AssessmentYear) -> Unfinished:
    """What is left before the year can be confirmed: two queries."""
    results = list(year.county_results.select_related("county").order_by("county__code"))
    unscored = (
        year.assessments.filter(sampled=True, city_scored_at__isnull=True, waiver_reason="")
        .order_by("office__town__code")
        .values_list("office__town__name", flat=True)
    )
    return Unfinished(
        [r.county.name for r in results if r.state != CountyState.SUBMITTED],
        [r.county.name for r in results if not r.sample_seed],
        list(unscored),
    )


@dataclass
class YearOverview:
    year: AssessmentYear
    counties: list[CountyRow]
    totals: CountyRow
    progress: Progress
    sample: list[SampleRow]
    events: list[WorkflowEvent]
    event_counts: list[tuple[str, int]]
    waiting_counties: int  # counties whose results the city has not received (or has returned)
    submitted_counties: int  # counties whose results are with the city, or confirmed
    unfinished: Unfinished  # what stands between the year and its confirmation

    @property
    def may_sample_any(self) -> bool:
        return any(row.may_sample for row in self.counties)


def _assessment_counts(year: AssessmentYear) -> dict[int, dict]:
    decided = Q(state__in=DECIDED_STATES)
    rows = (
        Assessment.objects.filter(assessment_year=year)
        .values("office__town__county_id")
        .annotate(
            towns=Count("id"),
            submitted=Count("id", filter=Q(state__in=SUBMITTED_STATES)),
            approved=Count("id", filter=decided),
            standardized=Count("id", filter=decided & Q(result=Result.PASS)),
            average=Avg("total", filter=decided),
            sampled=Count("id", filter=Q(sampled=True)),
        )
        .order_by()
    )
    return {row.pop("office__town__county_id"): row for row in rows}


def _standardized_so_far(year: AssessmentYear) -> tuple[dict[int, int], int, list[int]]:
    """Towns of each county standardized (see assessment.standard.standardized) in a confirmed year of
    the year's programme up to this year, counted once however often they passed; their number; and
    the confirmed years counted. Two queries."""
    first = standardized.first_passes(year.programme_id, up_to=year.year)
    by_county = Counter(passed.county_id for passed in first.values())
    return dict(by_county), len(first), standardized.confirmed_years(year.programme_id, up_to=year.year)


def _with_scores(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.select_related("office__town__county").prefetch_related(
        Prefetch(
            "scores",
            queryset=ItemScore.objects.select_related("item").order_by("item__order", "item__code"),
            to_attr="item_scores",
        )
    )


def differs(score: ItemScore) -> bool:
    """Whether the city scored an item otherwise than the county (items out of scope do not count)."""
    if score.not_applicable or score.city_points is None:
        return False
    return score.city_points != (score.final_points or Decimal(0))


def _sample_row(assessment: Assessment, pass_mark: Decimal) -> SampleRow:
    scores = assessment.item_scores
    scored = scoring.city_checked(assessment)
    city = scoring.compute_total(scores, pass_mark, city=True) if scored else None
    return SampleRow(
        assessment=assessment,
        county_total=assessment.total,
        county_result=assessment.result,
        city_total=city.total if city else None,
        city_result=city.result if city else "",
        city_scored=scored,
        differing_items=sum(1 for s in scores if differs(s)),
    )


def sample_rows(year: AssessmentYear) -> list[SampleRow]:
    """The sampled towns with the county's and the city's totals and results: two queries."""
    sampled = _with_scores(year.assessments.filter(sampled=True).order_by("office__town__code"))
    return [_sample_row(a, year.catalog.pass_mark) for a in sampled]


def year_overview(year: AssessmentYear) -> YearOverview:
    """The city's view of a year: one row per county, the programme's progress, the sample and the
    year's own steps in the workflow log. Nine queries, whatever the number of towns."""
    counts = _assessment_counts(year)
    results = {r.county_id: r for r in year.county_results.all()}
    cumulative, towns_standardized, confirmed_years = _standardized_so_far(year)
    rows = []
    for county in County.objects.order_by("code"):
        row = CountyRow(county=county, result=results.get(county.pk), cumulative=cumulative.get(county.pk, 0))
        for name, value in counts.get(county.pk, {}).items():
            setattr(row, name, value)
        rows.append(row)
    totals = CountyRow(county=None, result=None)
    for name in ("towns", "submitted", "approved", "standardized", "sampled", "cumulative"):
        setattr(totals, name, sum(getattr(r, name) for r in rows))
    weighted = [(r.average, r.approved) for r in rows if r.average is not None]
    if weighted:
        totals.average = sum((Decimal(a) * n for a, n in weighted), Decimal(0)) / sum(n for _, n in weighted)
    labels = dict(WorkflowStep.choices)
    event_counts = [
        (labels.get(action, action), n)
        for action, n in WorkflowEvent.objects.filter(assessment_year=year)
        .values_list("action")
        .annotate(n=Count("id"))
        .order_by("action")
    ]
    events = list(
        WorkflowEvent.objects.filter(assessment_year=year, assessment__isnull=True).select_related(
            "actor", "county"
        )[:200]
    )
    return YearOverview(
        year=year,
        counties=rows,
        totals=totals,
        progress=Progress(
            standardized=towns_standardized,
            towns=totals.towns or Office.objects.count(),
            year=year.year,
            start_year=year.programme.start_year,
            end_year=year.programme.end_year,
            years=confirmed_years,
        ),
        sample=sample_rows(year),
        unfinished=unfinished(year),
        events=events,
        event_counts=event_counts,
        waiting_counties=sum(1 for r in rows if r.result is None or r.result.state != CountyState.SUBMITTED),
        submitted_counties=sum(
            1 for r in rows if r.result and r.result.state in (CountyState.SUBMITTED, CountyState.CONFIRMED)
        ),
    )


def year_assessments(year: AssessmentYear) -> list[Assessment]:
    """Every town's assessment of the year, by town code, with its town and county: one query (the
    rows come from `selectors.town_rows`)."""
    return list(year.assessments.select_related("office__town__county").order_by("office__town__code"))


def county_choices() -> list[tuple[str, str]]:
    """(code, name) of every county, for a list's county filter: one query."""
    return list(County.objects.order_by("code").values_list("code", "name"))


# -- the city's spot-check --------------------------------------------------------------------------


def year_assessment(year: AssessmentYear, town_code: str) -> Assessment | None:
    """A town's assessment of the year, with its office, town and county."""
    return (
        year.assessments.filter(office__town__code=town_code).select_related("office__town__county").first()
    )


def sampled_assessment(year: AssessmentYear, town_code: str) -> Assessment | None:
    """A sampled town's assessment of the year; None when the town is not in the sample."""
    return (
        year.assessments.filter(sampled=True, office__town__code=town_code)
        .select_related("office__town__county")
        .first()
    )


@dataclass
class DiffItem:
    score: ItemScore
    county_points: Decimal | None
    city_points: Decimal

    @property
    def delta(self) -> Decimal:
        return self.city_points - (self.county_points or Decimal(0))


@dataclass
class DiffTown:
    row: SampleRow
    items: list[DiffItem]

    @property
    def result_differs(self) -> bool:
        return self.row.city_scored and self.row.city_result != self.row.county_result


@dataclass
class DiffCounty:
    county: County
    sampled: int = 0
    scored: int = 0
    towns_differing: int = 0
    items_differing: int = 0
    results_differing: int = 0
    towns: list[DiffTown] = field(default_factory=list)  # those the city scored otherwise
    agreed: list[SampleRow] = field(default_factory=list)  # scored by the city, no item differs
    unscored: list[SampleRow] = field(default_factory=list)  # not scored by the city yet


def differences(year: AssessmentYear) -> list[DiffCounty]:
    """Every sampled town, by county, with the items the city scored otherwise than the county and
    both totals and results; a summary per county. Three queries."""
    by_county = {c.pk: DiffCounty(county=c) for c in County.objects.order_by("code")}
    sampled = _with_scores(year.assessments.filter(sampled=True).order_by("office__town__code"))
    for assessment in sampled:
        row = _sample_row(assessment, year.catalog.pass_mark)
        items = [DiffItem(s, s.final_points, s.city_points) for s in assessment.item_scores if differs(s)]
        town = DiffTown(row, items)
        group = by_county[assessment.office.town.county_id]
        if items:
            group.towns.append(town)
        elif row.city_scored:
            group.agreed.append(row)
        else:
            group.unscored.append(row)
        group.sampled += 1
        group.scored += int(row.city_scored)
        group.towns_differing += int(bool(items))
        group.items_differing += len(items)
        group.results_differing += int(town.result_differs)
    return [g for g in by_county.values() if g.sampled]


def county_result(year: AssessmentYear, code: str) -> CountyResult | None:
    return year.county_results.select_related("county", "assessment_year").filter(county__code=code).first()


def score_rows(assessment: Assessment) -> list[ItemScore]:
    """The assessment's item scores in catalog order with their items, each marked where the city
    scored otherwise than the county: one query."""
    scores = scoring.item_rows(assessment)
    for score in scores:
        score.differs = differs(score)
    return scores


@dataclass
class ScoreSummary(BothResults):
    county_total: Decimal | None
    county_result: str
    city_total: Decimal | None
    city_result: str
    city_scored: bool
    differing_items: int


def score_summary(assessment: Assessment, scores: list[ItemScore]) -> ScoreSummary:
    """Both totals and results of a sampled town, from scores already loaded."""
    scored = scoring.city_checked(assessment)
    city = scoring.compute_total(scores, assessment.assessment_year.catalog.pass_mark, city=True)
    return ScoreSummary(
        county_total=assessment.total,
        county_result=assessment.result,
        city_total=city.total if scored else None,
        city_result=city.result if scored else "",
        city_scored=scored,
        differing_items=sum(1 for s in scores if differs(s)),
    )
