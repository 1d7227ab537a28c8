"""The programme's progress toward every town standardized by its end, and how a share is printed:
one class and one rounding rule for the year overview, the reports and the dashboards, so that the
same towns never show as 62 % on one page and 61.5 % on another (docs/decisions.md)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal:
    """A share in per cent with one decimal, rounded half up: 8 of 13 → 61.5, 1 of 8 → 12.5, nothing
    of nothing → 0.0."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(100) * part / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    """How far a county (or the city) is toward every town standardized by the programme's end."""

    standardized: int  # towns 合格 in a confirmed year of the programme up to `year`
    towns: int
    year: int
    start_year: int
    end_year: int
    years: list[int] = field(default_factory=list)  # the confirmed years counted, where a page names them

    @property
    def percent(self) -> Decimal:
        return percent(self.standardized, self.towns)

    @property
    def remaining(self) -> int:
        return self.towns - self.standardized

    @property
    def year_index(self) -> int:
        """Which year of the programme `year` is: 1, 2 or 3."""
        return self.year - self.start_year + 1

    @property
    def programme_years(self) -> int:
        return self.end_year - self.start_year + 1

    @property
    def years_left(self) -> int:
        """Assessment years after `year` still to come."""
        return max(0, self.end_year - self.year)

    @property
    def complete(self) -> bool:
        return self.towns > 0 and self.remaining == 0

    @property
    def text(self) -> str:
        """The progress in one sentence, as the reports print it."""
        head = f"截至{self.year}年,累计达标 {self.standardized} 个,占 {self.percent}%"
        if self.complete:
            return f"{head},已全部达到规范化建设标准。"
        if self.years_left:
            return (
                f"{head};尚有 {self.remaining} 个未达标,须在{self.end_year}年底前全部达标"
                f"(剩余 {self.years_left} 个考核年度)。"
            )
        return f"{head};尚有 {self.remaining} 个未达标,三年行动目标未能全部完成。"
