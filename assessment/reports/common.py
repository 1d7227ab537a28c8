"""What every report shares: the issuing unit, dates and money as a finance office writes them, and
the year a report is about. The programme's progress toward "every town within three years" and who
counts as standardized are the standard's (assessment.standard.progress, .standardized)."""

from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from ..models import AssessmentYear
from . import ReportError

ISSUER = "嘉兴市民政局"


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


def today() -> date:
    return timezone.localdate()


def assessment_year(year: int) -> AssessmentYear:
    """The opened year a report is about, with its programme and catalog; ReportError otherwise."""
    found = AssessmentYear.objects.select_related("programme", "catalog").filter(year=year).first()
    if found is None:
        raise ReportError(f"{year}年度考核尚未开启,没有可以汇总的考核结果。")
    return found


def towns_by_county(office_filter: dict | None = None) -> dict[int, int]:
    """{county id: number of offices}: one query."""
    from offices.models import Office

    return dict(
        Office.objects.filter(**(office_filter or {}))
        .values_list("town__county_id")
        .annotate(n=Count("id"))
        .order_by()
    )
