"""What every report shares: the issuing unit, dates and money as a finance office writes them, the
year a report is about, and the programme's progress toward "every town within three years"."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from ..choices import AssessmentState, Result, YearState
from ..models import Assessment, AssessmentYear, Programme
from . import ReportError

ISSUER = "嘉兴市民政局"
# Assessments whose score the county stands by: the only ones counted as results while a year runs.
DECIDED_STATES = (AssessmentState.APPROVED, AssessmentState.CONFIRMED)


def cn_date(day: date | None) -> str:
    """2010-03-05 → 2010年3月5日, as reports write dates."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def yuan(amount: Decimal | None) -> str:
    """1234.5 → 1,234.50."""
    return f"{amount:,.2f}" if amount is not None else ""


def points(value: Decimal | None) -> str:
    """Points as the catalog writes them: 2 → "2", 2.50 → "2.5", 87.25 → "87.25"."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def percent(part: int, whole: int) -> Decimal:
    """A share in per cent with one decimal, half-up: 8 of 13 → 61.5."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")


def today() -> date:
    return timezone.localdate()


def assessment_year(year: int) -> AssessmentYear:
    """The opened year a report is about, with its programme and catalog; ReportError otherwise."""
    found = AssessmentYear.objects.select_related("programme", "catalog").filter(year=year).first()
    if found is None:
        raise ReportError(f"{year}年度考核尚未开启,没有可以汇总的考核结果。")
    return found


@dataclass(frozen=True)
class Progress:
    """How far a county (or the city) is toward every town standardized by the programme's end."""

    standardized: int  # towns 合格 in a confirmed year of the programme up to the report's year
    towns: int
    year: int
    start_year: int
    end_year: int

    @property
    def percent(self) -> Decimal:
        return percent(self.standardized, self.towns)

    @property
    def remaining(self) -> int:
        return self.towns - self.standardized

    @property
    def year_index(self) -> int:
        """Which year of the programme the report's year is: 1, 2 or 3."""
        return self.year - self.start_year + 1

    @property
    def programme_years(self) -> int:
        return self.end_year - self.start_year + 1

    @property
    def years_left(self) -> int:
        """Assessment years after the report's year still to come."""
        return max(0, self.end_year - self.year)

    @property
    def complete(self) -> bool:
        return self.towns > 0 and self.remaining == 0

    @property
    def text(self) -> str:
        """The progress in one sentence, as the report prints it."""
        head = f"截至{self.year}年,累计达标 {self.standardized} 个,占 {self.percent}%"
        if self.complete:
            return f"{head},已全部达到规范化建设标准。"
        if self.years_left:
            return (
                f"{head};尚有 {self.remaining} 个未达标,须在{self.end_year}年底前全部达标"
                f"(剩余 {self.years_left} 个考核年度)。"
            )
        return f"{head};尚有 {self.remaining} 个未达标,三年行动目标未能全部完成。"


def standardized_before(programme: Programme, year: int, office_filter: dict) -> dict[int, int]:
    """{office id: first year} of offices 合格 in a confirmed year of the programme up to `year`,
    restricted by `office_filter` (e.g. {"office__town__county": county}): one query."""
    rows = (
        Assessment.objects.filter(
            assessment_year__programme=programme,
            assessment_year__state=YearState.CONFIRMED,
            assessment_year__year__lte=year,
            result=Result.PASS,
            **office_filter,
        )
        .order_by("assessment_year__year")
        .values_list("office_id", "assessment_year__year")
    )
    first: dict[int, int] = {}
    for office_id, first_year in rows:
        first.setdefault(office_id, first_year)
    return first


def towns_by_county(office_filter: dict | None = None) -> dict[int, int]:
    """{county id: number of offices}: one query."""
    from offices.models import Office

    return dict(
        Office.objects.filter(**(office_filter or {}))
        .values_list("town__county_id")
        .annotate(n=Count("id"))
        .order_by()
    )
