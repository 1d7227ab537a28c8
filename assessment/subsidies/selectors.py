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
    city_paid_amount: Decimal = Decimal("0.00")  # 市级奖补已拨付
    county_paid_amount: Decimal = Decimal("0.00")  # 县级配套已拨付

    @property
    def amount(self) -> Decimal:
        return self.city_amount + self.county_amount

    @property
    def paid_amount(self) -> Decimal:
        return self.city_paid_amount + self.county_paid_amount


@dataclass
class AwardTotals:
    """The programme's awards due or paid, per year and in all."""

    has_standard: bool
    years: list[AwardYear] = field(default_factory=list)
    total: AwardYear = field(default_factory=lambda: AwardYear(0))

    @property
    def unpaid_amount(self) -> Decimal:
        return self.total.amount - self.total.paid_amount

    @property
    def city_unpaid_amount(self) -> Decimal:
        return self.total.city_amount - self.total.city_paid_amount

    @property
    def county_unpaid_amount(self) -> Decimal:
        return self.total.county_amount - self.total.county_paid_amount


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
            line.city_paid_amount += entry.city_paid_amount
            line.county_paid_amount += entry.county_paid_amount
    has_standard = SubsidyStandard.objects.filter(programme=programme).exists()
    return AwardTotals(has_standard, [by_year[y] for y in sorted(by_year)], total)


# -- the subsidy pages ------------------------------------------------------------------------------


def programme_or_none(pk: int) -> Programme | None:
    return Programme.objects.filter(pk=pk).first()


def standard_text(programme: Programme) -> str:
    """The city's standard in words: 每镇 50,000.00 元;得分≥95分的 60,000.00 元."""
    standard = SubsidyStandard.objects.filter(programme=programme).prefetch_related("tiers").first()
    if standard is None:
        return "尚未设定以奖代补标准"
    text = f"市级奖补每镇 {standard.city_award:,.2f} 元"
    for tier in sorted(standard.tiers.all(), key=lambda t: t.min_score):
        text += f";得分≥{amounts._points(tier.min_score)}分的 {tier.amount:,.2f} 元"
    return text


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

    @property
    def locked(self) -> bool:
        return self.matching is not None and self.matching.locked


def matching_rows(programme: Programme) -> list[MatchingRow]:
    """Every county with its matching rule (or none yet): two queries."""
    matchings = {m.county_id: m for m in CountyMatching.objects.filter(programme=programme)}
    return [MatchingRow(c, matchings.get(c.pk)) for c in County.objects.order_by("code")]


def matching_of(programme: Programme, county: County) -> CountyMatching | None:
    return CountyMatching.objects.filter(programme=programme, county=county).first()


def matching_changes(matching: CountyMatching | None, limit: int = 10) -> list:
    """The latest versions of a county's matching, newest first, with who saved them."""
    if matching is None:
        return []
    return list(matching.history.select_related("history_user")[:limit])


def payments(programme: Programme, *, county: County | None, year: int | None) -> QuerySet[Payment]:
    """The programme's stored payments, optionally of one county and one year, in town order."""
    rows = Payment.objects.filter(programme=programme).select_related("office__town__county")
    if county is not None:
        rows = rows.filter(office__town__county=county)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("year", "office__town__code")


@dataclass
class PartTotals:
    """One part of the payments (the city's award or the county's matching) in all, paid, unpaid."""

    amount: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    paid_count: int = 0
    unpaid_count: int = 0  # rows still to mark paid (the county's: only those with an amount)

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid


@dataclass
class PaymentTotals:
    city: PartTotals = field(default_factory=PartTotals)
    county: PartTotals = field(default_factory=PartTotals)

    @property
    def amount(self) -> Decimal:
        return self.city.amount + self.county.amount


def payment_totals(rows: list[Payment]) -> PaymentTotals:
    """The listed payments' totals per part: in all, paid and unpaid (no query)."""
    totals = PaymentTotals()
    for row in rows:
        for part, amount, paid, payable in (
            (totals.city, row.city_amount, row.paid, True),
            (totals.county, row.county_amount, row.county_paid, row.county_amount > 0),
        ):
            part.amount += amount
            if paid:
                part.paid += amount
                part.paid_count += 1
            elif payable:
                part.unpaid_count += 1
    return totals


def payments_to_handle(programme: Programme) -> list[Payment]:
    """Paid awards a correction turned into a fail (Payment.review_note): the city decides what to do.
    One query."""
    return list(
        Payment.objects.filter(programme=programme)
        .exclude(review_note="")
        .select_related("office__town")
        .order_by("year", "office__town__code")
    )
