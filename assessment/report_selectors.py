"""Reads of the dashboards and the subsidy pages: the programme's progress per county (or town), the
year's assessment state, award totals, and the staff structure (年轻化、专业化) over the programme
years. Each read costs a fixed number of queries, whatever the number of counties, towns or staff."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from offices.models import County, Office
from staffing.choices import COLLEGE_OR_ABOVE
from staffing.models import StaffMember

from . import subsidies
from .choices import AssessmentState, CountyState, YearState
from .models import (
    Assessment,
    AssessmentYear,
    CountyMatching,
    ExportJob,
    ExportState,
    Payment,
    Programme,
    SubsidyStandard,
)
from .reports import award, charts, common, summary

UNDER = 45  # "young": under 45 at the end of the year


# -- the year a dashboard shows ---------------------------------------------------------------------


def opened_years() -> list[AssessmentYear]:
    return list(AssessmentYear.objects.select_related("programme").order_by("-year"))


def pick_year(years: list[AssessmentYear], wanted) -> AssessmentYear | None:
    """The year asked for (?year=2011) among the opened ones, else the latest."""
    for year in years:
        if str(year.year) == str(wanted):
            return year
    return years[0] if years else None


# -- staff structure --------------------------------------------------------------------------------


@dataclass
class StaffStats:
    """The staff in post at the end of a year: how many, average age, share under 45, share with a
    college degree (大学专科 or above)."""

    count: int = 0
    age_sum: int = 0
    young: int = 0
    college: int = 0

    @property
    def average_age(self) -> Decimal | None:
        return (Decimal(self.age_sum) / self.count).quantize(Decimal("0.1")) if self.count else None

    @property
    def young_share(self) -> Decimal | None:
        return common.percent(self.young, self.count) if self.count else None

    @property
    def college_share(self) -> Decimal | None:
        return common.percent(self.college, self.count) if self.count else None


def _age(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def staff_structure(offices: QuerySet[Office], years: list[int], *, by: str) -> dict:
    """{key: {year: StaffStats}} for the staff of `offices` in post on 31 December of each year,
    keyed by county id (by="county") or office id (by="office"). Part-time staff count: the policy's
    goal is about the whole team. One query."""
    if not years:
        return {}
    first, last = dt.date(min(years), 12, 31), dt.date(max(years), 12, 31)
    rows = (
        StaffMember.objects.filter(office__in=offices, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
        .values_list(
            "office_id", "office__town__county_id", "birth_date", "education", "started_on", "ended_on"
        )
    )
    result: dict = {}
    for office_id, county_id, born, education, started, ended in rows:
        key = county_id if by == "county" else office_id
        for year in years:
            day = dt.date(year, 12, 31)
            if started > day or (ended is not None and ended <= day):
                continue
            stats = result.setdefault(key, {}).setdefault(year, StaffStats())
            age = _age(born, day)
            stats.count += 1
            stats.age_sum += age
            stats.young += int(age < UNDER)
            stats.college += int(education in COLLEGE_OR_ABOVE)
    return result


@dataclass
class StaffRow:
    label: str
    code: str
    years: list[StaffStats]


def _staff_rows(items, stats: dict, years: list[int]) -> tuple[list[StaffRow], list[StaffStats]]:
    rows = [
        StaffRow(label, code, [stats.get(key, {}).get(y, StaffStats()) for y in years])
        for key, label, code in items
    ]
    totals = []
    for i, _year in enumerate(years):
        total = StaffStats()
        for row in rows:
            s = row.years[i]
            total.count += s.count
            total.age_sum += s.age_sum
            total.young += s.young
            total.college += s.college
        totals.append(total)
    return rows, totals


def _staff_chart(rows: list[StaffRow], years: list[int], what: str) -> str:
    return charts.grouped_bars(
        [r.label for r in rows],
        [charts.Series(f"{y}年", [r.years[i].college_share for r in rows]) for i, y in enumerate(years)],
        title=f"{what}工作人员中大专及以上学历占比(各年末)",
    )


# -- award totals -----------------------------------------------------------------------------------


@dataclass
class AwardYear:
    year: int
    towns: int = 0
    city_amount: Decimal = Decimal("0.00")
    county_amount: Decimal = Decimal("0.00")
    paid_amount: Decimal = Decimal("0.00")

    @property
    def amount(self) -> Decimal:
        return self.city_amount + self.county_amount


@dataclass
class AwardTotals:
    """The programme's awards due or paid, per year and in all."""

    has_standard: bool
    years: list[AwardYear] = field(default_factory=list)
    total: AwardYear = field(default_factory=lambda: AwardYear(0))

    @property
    def unpaid_amount(self) -> Decimal:
        return self.total.amount - self.total.paid_amount


def award_totals(programme: Programme, office_ids: list[int] | None = None) -> AwardTotals:
    """The awards of the programme (of some offices) per year it fell due: six queries."""
    entries = subsidies.ledger(programme, office_ids=office_ids)
    by_year = {y: AwardYear(y) for y in programme.year_range}
    total = AwardYear(0)
    for entry in entries.values():
        for line in (by_year.setdefault(entry.year, AwardYear(entry.year)), total):
            line.towns += 1
            line.city_amount += entry.city_amount
            line.county_amount += entry.county_amount
            if entry.paid:
                line.paid_amount += entry.total
    has_standard = SubsidyStandard.objects.filter(programme=programme).exists()
    return AwardTotals(has_standard, [by_year[y] for y in sorted(by_year)], total)


# -- the year's assessment state --------------------------------------------------------------------


@dataclass
class StateCount:
    state: str
    label: str
    count: int


def state_counts(year: AssessmentYear, office_filter: dict | None = None) -> list[StateCount]:
    """How many towns are at each step of the year's workflow: one query."""
    counts = dict(
        Assessment.objects.filter(assessment_year=year, **(office_filter or {}))
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [StateCount(s, label, counts.get(s, 0)) for s, label in AssessmentState.choices]


# -- the city's dashboard ---------------------------------------------------------------------------


@dataclass
class CityDashboard:
    year: AssessmentYear
    years: list[AssessmentYear]
    summary: summary.CitySummary
    states: list[StateCount]
    counties_reported: int
    counties: int
    awards: AwardTotals
    programme_years: list[int]
    staff_rows: list[StaffRow]
    staff_totals: list[StaffStats]
    staff_chart: str
    stale_payments: int
    export: ExportJob | None

    @property
    def confirmed(self) -> bool:
        return self.year.state == YearState.CONFIRMED


def city_dashboard(year: AssessmentYear, years: list[AssessmentYear]) -> CityDashboard:
    """Everything the city's home page shows for a year. A fixed number of queries."""
    programme = year.programme
    report = summary.city_summary(year.year)
    results = list(year.county_results.values_list("state", flat=True))
    programme_years = [y for y in programme.year_range if y <= max(year.year, programme.start_year)]
    counties = list(County.objects.order_by("code"))
    stats = staff_structure(Office.objects.all(), programme_years, by="county")
    staff_rows, staff_totals = _staff_rows([(c.pk, c.name, c.code) for c in counties], stats, programme_years)
    return CityDashboard(
        year=year,
        years=years,
        summary=report,
        states=state_counts(year),
        counties_reported=sum(1 for s in results if s in (CountyState.SUBMITTED, CountyState.CONFIRMED)),
        counties=len(results),
        awards=award_totals(programme),
        programme_years=programme_years,
        staff_rows=staff_rows,
        staff_totals=staff_totals,
        staff_chart=_staff_chart(staff_rows, programme_years, "各县(市、区)"),
        stale_payments=subsidies.payments_stale(programme),
        export=ExportJob.objects.filter(year=year.year).first(),
    )


# -- a county's dashboard ---------------------------------------------------------------------------


@dataclass
class CountyDashboard:
    county: County
    year: AssessmentYear
    years: list[AssessmentYear]
    report: award.AwardReport
    states: list[StateCount]
    county_state: str
    awards: AwardTotals
    progress_by_year: list[charts.ProgressBar]
    progress_chart: str
    score_chart: str
    programme_years: list[int]
    staff_rows: list[StaffRow]
    staff_totals: list[StaffStats]
    staff_chart: str

    @property
    def confirmed(self) -> bool:
        return self.year.state == YearState.CONFIRMED


def county_dashboard(county: County, year: AssessmentYear, years: list[AssessmentYear]) -> CountyDashboard:
    """Everything a county's home page shows for a year: its towns' progress, scores, awards and
    staff. A fixed number of queries, whatever the number of towns."""
    programme = year.programme
    report = award.award_report(county, year.year)
    offices = Office.objects.filter(town__county=county)
    office_rows = list(offices.select_related("town").order_by("town__code"))
    office_ids = [o.pk for o in office_rows]
    # Towns standardized per confirmed year of the programme, counted once: the county's path to 100%.
    first = common.standardized_before(programme, programme.end_year, {"office_id__in": office_ids})
    progress = []
    for y in programme.year_range:
        if y > year.year:
            break
        earlier = sum(1 for v in first.values() if v < y)
        progress.append(
            charts.ProgressBar(f"{y}年", earlier, sum(1 for v in first.values() if v == y), len(office_ids))
        )
    scores = [
        charts.ScoreBar(r.name, r.total, r.result == "pass")
        for r in report.rows  # decided results only: a total in progress is not a score yet
    ]
    result = year.county_results.filter(county=county).first()
    programme_years = [y for y in programme.year_range if y <= max(year.year, programme.start_year)]
    stats = staff_structure(offices, programme_years, by="office")
    staff_rows, staff_totals = _staff_rows(
        [(o.pk, o.town.name, o.town.code) for o in office_rows], stats, programme_years
    )
    return CountyDashboard(
        county=county,
        year=year,
        years=years,
        report=report,
        states=state_counts(year, {"office__town__county": county}),
        county_state=result.get_state_display() if result else "",
        awards=award_totals(programme, office_ids),
        progress_by_year=progress,
        progress_chart=charts.progress_chart(
            progress,
            title=f"{county.name}规范化建设累计进度(按已确认年度)",
            new_label="当年首次达标",
            width=520,
        ),
        score_chart=charts.score_chart(
            scores, title=f"{year.year}年度各镇(街道)考核得分", pass_mark=year.catalog.pass_mark, width=520
        ),
        programme_years=programme_years,
        staff_rows=staff_rows,
        staff_totals=staff_totals,
        staff_chart=_staff_chart(staff_rows, programme_years, "各镇(街道)"),
    )


# -- the subsidy pages ------------------------------------------------------------------------------


def programme_or_none(pk: int) -> Programme | None:
    return Programme.objects.filter(pk=pk).first()


@dataclass
class MatchingRow:
    county: County
    matching: CountyMatching | None

    @property
    def basis(self) -> str:
        """The rule in force, in words: 每镇 30,000.00 元, 市级奖补的 50%."""
        if self.matching is None:
            return subsidies.NO_MATCHING_BASIS
        return subsidies.Matching(self.matching.kind, self.matching.amount, self.matching.share).basis


def matching_rows(programme: Programme) -> list[MatchingRow]:
    """Every county with its matching rule (or none yet): two queries."""
    matchings = {m.county_id: m for m in CountyMatching.objects.filter(programme=programme)}
    return [MatchingRow(c, matchings.get(c.pk)) for c in County.objects.order_by("code")]


def payments(programme: Programme, *, county: County | None, year: int | None) -> QuerySet[Payment]:
    """The programme's stored payments, optionally of one county and one year, in town order."""
    rows = Payment.objects.filter(programme=programme).select_related("office__town__county")
    if county is not None:
        rows = rows.filter(office__town__county=county)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("year", "office__town__code")


def latest_export(year: int) -> ExportJob | None:
    return ExportJob.objects.filter(year=year).exclude(state=ExportState.FAILED).first()
