"""Reads of the subsidy pages: a programme, the counties' matching rows, the payments, award totals."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from assessment.models import (
    CountyMatching,
    Payment,
    Programme,
    SubsidyStandard,
)
from assessment.subsidies import amounts
from offices.models import County

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
    entries = amounts.ledger(programme, office_ids=office_ids)
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
            return amounts.NO_MATCHING_BASIS
        return amounts.Matching(self.matching.kind, self.matching.amount, self.matching.share).basis


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
