"""Reads of the city bureau's pages of the annual assessment: programmes, catalogs, a year's overview
across the counties, the spot-check sample and where the city's scores differ from the counties'.

Each read costs a fixed number of queries, whatever the number of towns: aggregates are grouped in the
database and item scores are fetched in one query per page, never one per town."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, Prefetch, Q, QuerySet, Sum

from core.history import object_versions
from offices.choices import Equipment, ItFacility, PostedRuleKind
from offices.models import County, Office

from . import scoring
from .choices import Action, AssessmentState, CountyState, Result, Rule, Section, YearState
from .models import (
    Assessment,
    AssessmentYear,
    CatalogItem,
    CatalogVersion,
    CountyResult,
    ItemScore,
    Programme,
    WorkflowEvent,
)

# Assessments the county has handed on (or the town has handed to the county).
SUBMITTED_STATES = (AssessmentState.SUBMITTED, AssessmentState.APPROVED, AssessmentState.CONFIRMED)
# Assessments whose score the county stands by: the only ones counted as results while a year runs.
DECIDED_STATES = (AssessmentState.APPROVED, AssessmentState.CONFIRMED)


# -- how an item is scored, in words ----------------------------------------------------------------


def _number(value) -> str:
    """60 → "60", 60.5 → "60.5", 20000 → "20,000": parameters as a reader writes them."""
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.normalize():,f}"


def rule_params_text(rule: str, params: dict) -> str:
    """The standard an item's rule checks, in words (面积不少于 60 平方米), so the catalog reads like
    the policy rather than like its stored parameters. The defaults are those of assessment.rules."""
    params = params or {}
    if rule == Rule.PREMISES:
        return f"场所固定,面积不少于 {_number(params.get('min_area', 60))} 平方米"
    if rule == Rule.BUDGET:
        return f"保障经费不少于 {_number(params.get('min_amount', 0))} 元"
    if rule == Rule.CIVIL_SERVANT:
        return f"公务员不少于 {_number(params.get('min', 1))} 人"
    if rule == Rule.INTERNAL_CHECKS:
        return f"当年内部检查不少于 {_number(params.get('min', 2))} 次"
    if rule == Rule.EQUIPMENT:
        minimum = params.get("min_items", len(Equipment))
        return f"办公服务用品配备 {_number(minimum)} 项得满分,不足按比例计分"
    if rule == Rule.IT:
        minimum = params.get("min_items", len(ItFacility))
        return f"信息化设施具备 {_number(minimum)} 项得满分,不足按比例计分"
    if rule == Rule.POSTED_RULE:
        kind = params.get("kind", "")
        label = PostedRuleKind(kind).label if kind in PostedRuleKind.values else (kind or "未指定")
        return f"“{label}”当年上墙并有照片"
    if rule == Rule.STAFFING:
        return "专职人数达到本细则的专职人员配备标准"
    if rule == Rule.TRAINING:
        return "按在岗人员中已按要求参训的比例计分"
    if rule == Rule.DUTY_RECORDS:
        return "按当年有工作台账的适用职责比例计分"
    return ""


@dataclass(frozen=True)
class Band:
    """One row of the staffing norm, in words: 30,000–60,000 人 → 3 人."""

    population: str
    staff: int


def staffing_band_rows(bands: list) -> list[Band]:
    rows: list[Band] = []
    lower = 0
    for upper, staff in bands or []:
        if upper is None:
            text = f"{lower:,} 人以上" if lower else "不限人口"
        elif lower == 0:
            text = f"{int(upper):,} 人及以下"
        else:
            text = f"{lower:,}–{int(upper):,} 人"
        rows.append(Band(text, int(staff)))
        lower = int(upper) + 1 if upper is not None else lower
    return rows


def item_history(item: CatalogItem, limit: int = 20) -> list:
    """Who changed a catalog item and how, newest first, with its standard in words rather than as
    the stored parameters."""
    versions = object_versions(CatalogItem, item.pk)
    label = str(CatalogItem._meta.get_field("params").verbose_name)
    for index, newer in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else None
        for change in newer.changes:
            if change.label == label:
                change.after = rule_params_text(newer.snapshot.rule, newer.snapshot.params) or "—"
                change.before = rule_params_text(older.snapshot.rule, older.snapshot.params) if older else "—"
                change.before = change.before or "—"
    return versions[:limit]


# -- programmes -------------------------------------------------------------------------------------


@dataclass
class ProgrammeYear:
    year: int
    opened: AssessmentYear | None
    catalog: CatalogVersion | None


@dataclass
class ProgrammeRow:
    programme: Programme
    years: list[ProgrammeYear]
    standardized: int
    towns: int

    @property
    def percent(self) -> int:
        return round(100 * self.standardized / self.towns) if self.towns else 0


def programme_rows() -> list[ProgrammeRow]:
    """Every programme with its years (opened or not, and the catalog waiting for each) and its
    progress toward "every town standardized": four queries in all."""
    programmes = list(Programme.objects.prefetch_related("assessment_years__catalog"))
    catalogs = {c.year: c for c in CatalogVersion.objects.all()}
    towns = Office.objects.count()
    standardized = dict(
        Assessment.objects.filter(assessment_year__state=YearState.CONFIRMED, result=Result.PASS)
        .values_list("assessment_year__programme")
        .annotate(n=Count("office", distinct=True))
        .order_by()
    )
    rows = []
    for programme in programmes:
        opened = {y.year: y for y in programme.assessment_years.all()}
        years = [ProgrammeYear(y, opened.get(y), catalogs.get(y)) for y in programme.year_range]
        rows.append(ProgrammeRow(programme, years, standardized.get(programme.pk, 0), towns))
    return rows


# -- catalogs ---------------------------------------------------------------------------------------


def catalog_list() -> QuerySet[CatalogVersion]:
    """Every year's catalog with its number of items, total points and the year opened on it: one
    query."""
    return (
        CatalogVersion.objects.select_related("assessment_year", "copied_from")
        .annotate(item_count=Count("items"), points=Sum("items__points"))
        .order_by("-year")
    )


@dataclass
class SectionGroup:
    section: str
    label: str
    items: list[CatalogItem]

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))


@dataclass
class CatalogView:
    version: CatalogVersion
    sections: list[SectionGroup]
    bands: list[Band]
    total: Decimal
    item_count: int
    veto_items: list[CatalogItem] = field(default_factory=list)

    @property
    def total_ok(self) -> bool:
        return self.total == 100


def catalog_view(version: CatalogVersion) -> CatalogView:
    """A catalog's items grouped by the policy's sections, each with its standard in words: one
    query for the items."""
    items = list(version.items.order_by("section", "order", "code"))
    labels = dict(Section.choices)
    by_section: dict[str, list[CatalogItem]] = {}
    for item in items:
        item.params_text = rule_params_text(item.rule, item.params)
        by_section.setdefault(item.section, []).append(item)
    sections = [SectionGroup(s, labels.get(s, s), by_section[s]) for s in Section.values if s in by_section]
    return CatalogView(
        version=version,
        sections=sections,
        bands=staffing_band_rows(version.staffing_bands),
        total=sum((i.points for i in items), Decimal(0)),
        item_count=len(items),
        veto_items=[i for i in items if i.is_veto],
    )


def latest_catalog() -> CatalogVersion | None:
    return CatalogVersion.objects.order_by("-year").first()


def next_item_order(catalog: CatalogVersion) -> int:
    """Where a new item goes by default: after the catalog's last one."""
    return (catalog.items.aggregate(last=Max("order"))["last"] or 0) + 1


def programme_for_year(year: int | None) -> Programme | None:
    """The programme a year belongs to (the latest one started by then); any programme for None."""
    programmes = Programme.objects.order_by("-start_year")
    return (programmes.filter(start_year__lte=year) if year else programmes).first()


def catalogs_to_open() -> QuerySet[CatalogVersion]:
    """Catalogs no year has been opened on, with their total points, for the opening form."""
    return (
        CatalogVersion.objects.filter(locked=False)
        .annotate(points=Sum("items__points"), item_count=Count("items"))
        .order_by("year")
    )


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


@dataclass
class Progress:
    """How far the programme is toward every town standardized by its end."""

    standardized: int
    towns: int
    years: list[int]  # the confirmed years counted

    @property
    def percent(self) -> int:
        return round(100 * self.standardized / self.towns) if self.towns else 0


@dataclass
class SampleRow:
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
    """Towns of each county that were 合格 in any confirmed year of the year's programme up to this
    year, counted once however often they passed."""
    confirmed = AssessmentYear.objects.filter(
        programme_id=year.programme_id, state=YearState.CONFIRMED, year__lte=year.year
    )
    passed = Assessment.objects.filter(assessment_year__in=confirmed, result=Result.PASS)
    by_county = dict(
        passed.values_list("office__town__county_id").annotate(n=Count("office", distinct=True)).order_by()
    )
    years = sorted(confirmed.values_list("year", flat=True))
    return by_county, passed.values("office").distinct().count(), years


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


def city_scored(assessment: Assessment, scores: list[ItemScore]) -> bool:
    return bool(assessment.city_comment) or any(s.city_points is not None for s in scores)


def _sample_row(assessment: Assessment, pass_mark: Decimal) -> SampleRow:
    scores = assessment.item_scores
    scored = city_scored(assessment, scores)
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
    cumulative, standardized, confirmed_years = _standardized_so_far(year)
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
    labels = dict(Action.choices)
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
        progress=Progress(standardized, totals.towns or Office.objects.count(), confirmed_years),
        sample=sample_rows(year),
        events=events,
        event_counts=event_counts,
        waiting_counties=sum(1 for r in rows if r.result is None or r.result.state != CountyState.SUBMITTED),
        submitted_counties=sum(
            1 for r in rows if r.result and r.result.state in (CountyState.SUBMITTED, CountyState.CONFIRMED)
        ),
    )


# -- the city's spot-check --------------------------------------------------------------------------


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
class ScoreSummary:
    county_total: Decimal | None
    county_result: str
    city_total: Decimal | None
    city_result: str
    city_scored: bool
    differing_items: int


def score_summary(assessment: Assessment, scores: list[ItemScore]) -> ScoreSummary:
    """Both totals and results of a sampled town, from scores already loaded."""
    scored = city_scored(assessment, scores)
    city = scoring.compute_total(scores, assessment.assessment_year.catalog.pass_mark, city=True)
    return ScoreSummary(
        county_total=assessment.total,
        county_result=assessment.result,
        city_total=city.total if scored else None,
        city_result=city.result if scored else "",
        city_scored=scored,
        differing_items=sum(1 for s in scores if differs(s)),
    )
