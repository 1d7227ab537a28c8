"""Reads of the dashboards: the programme's progress per county (or town), the year's assessment state,
award totals, and the staff structure (年轻化、专业化) over the programme years. Each read costs a fixed
number of queries, whatever the number of counties, towns or staff."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from assessment.choices import AssessmentState, CountyState, Result, YearState
from assessment.models import (
    Assessment,
    AssessmentYear,
    ExportJob,
)
from assessment.reports import award, charts, summary
from assessment.standard.progress import percent
from assessment.standard.standardized import first_passes
from assessment.subsidies import services as subsidies
from assessment.subsidies.selectors import AwardTotals, award_totals
from offices.models import County, Office
from staffing.choices import COLLEGE_OR_ABOVE
from staffing.models import StaffMember

UNDER = 45  # "young": under 45 at the end of the year


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
        return percent(self.young, self.count) if self.count else None

    @property
    def college_share(self) -> Decimal | None:
        return percent(self.college, self.count) if self.count else None


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
    passes = first_passes(programme, up_to=programme.end_year, office_ids=office_ids)
    first = [p.year for p in passes.values()]
    progress = []
    for y in programme.year_range:
        if y > year.year:
            break
        earlier = sum(1 for v in first if v < y)
        new = sum(1 for v in first if v == y)
        progress.append(charts.ProgressBar(f"{y}年", earlier, new, len(office_ids)))
    scores = [
        charts.ScoreBar(r.name, r.total, r.result == Result.PASS)
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
