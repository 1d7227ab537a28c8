"""The city summary of a year: one row per county with its towns, assessed, 合格 this year,
standardized for the first time, standardized so far, progress toward the goal, and the award and
matching totals of the year with what of each was paid (the city's award and the county's matching
are paid separately); a row of totals; and a chart of progress per county."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from assessment.choices import DECIDED_STATES
from assessment.standard.progress import Progress, percent
from assessment.standard.standardized import first_passes
from assessment.subsidies import amounts
from offices.models import County, Office

from ..choices import Result, YearState
from ..models import Assessment, AssessmentYear, Programme
from . import charts
from .common import assessment_year, today, towns_by_county

ZERO = Decimal("0.00")


@dataclass
class CountyLine:
    """One county of the summary (or, with county None, the city's totals)."""

    county: County | None
    towns: int = 0
    assessed: int = 0
    passed: int = 0
    new: int = 0  # standardized for the first time this year (confirmed years only)
    earlier: int = 0  # standardized in an earlier confirmed year of the programme
    city_amount: Decimal = ZERO
    county_amount: Decimal = ZERO
    city_paid_amount: Decimal = ZERO  # 市级奖补已拨付
    county_paid_amount: Decimal = ZERO  # 县级配套已拨付

    @property
    def paid_amount(self) -> Decimal:
        return self.city_paid_amount + self.county_paid_amount

    @property
    def cumulative(self) -> int:
        return self.earlier + self.new

    @property
    def amount(self) -> Decimal:
        return self.city_amount + self.county_amount

    @property
    def percent(self) -> Decimal:
        return percent(self.cumulative, self.towns)

    @property
    def name(self) -> str:
        return self.county.name if self.county else "全市"

    @property
    def code(self) -> str:
        return self.county.code if self.county else ""


@dataclass
class CitySummary:
    year: int
    programme: Programme
    confirmed: bool
    rows: list[CountyLine]
    totals: CountyLine
    progress: Progress
    generated_on: date = field(default_factory=today)

    title = "以奖代补资金及规范化建设进度汇总表"

    @property
    def heading(self) -> str:
        return f"嘉兴市{self.year}年度镇(街道)民政工作规范化建设{self.title}"

    @property
    def filename(self) -> str:
        return f"以奖代补汇总表_全市_{self.year}"

    def progress_for(self, line: CountyLine) -> Progress:
        return Progress(
            line.cumulative, line.towns, self.year, self.programme.start_year, self.programme.end_year
        )

    def charts(self, per_chart: int = 24) -> list[str]:
        """Progress per county as SVG bar charts (the same on the page and in the PDF), at most
        `per_chart` counties each, so that each fits on a page."""
        bars = [charts.ProgressBar(r.name, r.earlier, r.new, r.towns) for r in self.rows]
        new_label = f"{self.year}年首次达标" if self.confirmed else f"{self.year}年(待确认)"
        chunks = [bars[i : i + per_chart] for i in range(0, len(bars), per_chart)] or [[]]
        title = f"各县(市、区)规范化建设进度(截至{self.year}年)"
        return [
            charts.progress_chart(
                chunk, title=title if len(chunks) == 1 else f"{title}({n}/{len(chunks)})", new_label=new_label
            )
            for n, chunk in enumerate(chunks, start=1)
        ]


def city_summary(year: int) -> CitySummary:
    """Every county's figures for a year. A fixed number of queries, whatever the number of counties
    and towns."""
    opened: AssessmentYear = assessment_year(year)
    programme = opened.programme
    confirmed = opened.state == YearState.CONFIRMED
    counties = list(County.objects.order_by("code"))
    towns = towns_by_county()
    decided = Q(state__in=DECIDED_STATES)
    counts = {
        row.pop("office__town__county_id"): row
        for row in Assessment.objects.filter(assessment_year=opened)
        .values("office__town__county_id")
        .annotate(
            assessed=Count("id", filter=decided),
            passed=Count("id", filter=decided & Q(result=Result.PASS)),
        )
        .order_by()
    }
    first = first_passes(programme, up_to=year)
    office_county = dict(Office.objects.values_list("pk", "town__county_id"))
    lines = {c.pk: CountyLine(county=c, towns=towns.get(c.pk, 0)) for c in counties}
    for county_id, figures in counts.items():
        line = lines.get(county_id)
        if line is not None:
            line.assessed, line.passed = figures["assessed"], figures["passed"]
    for office_id, passed in first.items():
        line = lines.get(office_county.get(office_id))
        if line is None:
            continue
        if passed.year < year:
            line.earlier += 1
        else:
            line.new += 1
    if confirmed:
        for entry in amounts.ledger(programme).values():
            line = lines.get(office_county.get(entry.office_id))
            if line is None or entry.year != year:
                continue
            line.city_amount += entry.city_amount
            line.county_amount += entry.county_amount
            line.city_paid_amount += entry.city_paid_amount
            line.county_paid_amount += entry.county_paid_amount
    rows = list(lines.values())
    totals = CountyLine(county=None)
    for name in (
        "towns",
        "assessed",
        "passed",
        "new",
        "earlier",
        "city_amount",
        "county_amount",
        "city_paid_amount",
        "county_paid_amount",
    ):
        setattr(totals, name, sum((getattr(r, name) for r in rows), type(getattr(totals, name))()))
    progress = Progress(totals.cumulative, totals.towns, year, programme.start_year, programme.end_year)
    return CitySummary(
        year=year, programme=programme, confirmed=confirmed, rows=rows, totals=totals, progress=progress
    )
