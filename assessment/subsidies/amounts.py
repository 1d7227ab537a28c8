"""以奖代补: what is due. The city's one-time award to each town standardized for the first time in the
programme, by score tier, and the county's matching of it (DOMAIN.md, "Money"); computed from the
confirmed years, in a fixed number of queries."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment, Programme, SubsidyStandard
from assessment.standard import standardized

CENT = Decimal("0.01")


ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    """An amount in 元 rounded half-up to the cent (0.005 → 0.01)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


# -- the amounts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    min_score: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Standard:
    """A programme's standard as plain values: the base award and the tiers, lowest first."""

    city_award: Decimal
    tiers: tuple[Tier, ...] = ()

    def award_for(self, score: Decimal) -> Decimal:
        """The city's award for a town with this total: the highest tier reached, else the base."""
        amount = self.city_award
        for tier in self.tiers:  # lowest first: the last one reached wins
            if score >= tier.min_score:
                amount = tier.amount
        return cents(amount)

    def basis_for(self, score: Decimal) -> str:
        reached = [t for t in self.tiers if score >= t.min_score]
        if reached:
            return f"得分≥{_points(reached[-1].min_score)}分档"
        return "基本标准"


@dataclass(frozen=True)
class Matching:
    """A county's matching rule as plain values."""

    kind: str
    amount: Decimal | None = None
    share: Decimal | None = None

    def amount_for(self, city_amount: Decimal) -> Decimal:
        if self.kind == MatchingKind.AMOUNT:
            return cents(self.amount or ZERO)
        return cents(city_amount * (self.share or ZERO))

    @property
    def basis(self) -> str:
        if self.kind == MatchingKind.AMOUNT:
            return f"每镇 {cents(self.amount or ZERO):,.2f} 元"
        return f"市级奖补的 {_percent(self.share or ZERO)}"


NO_MATCHING_BASIS = "未设定配套标准"


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _percent(share: Decimal) -> str:
    """0.5 → "50%", 0.125 → "12.5%"."""
    return f"{(share * 100).normalize():f}%"


def standard_of(programme: Programme) -> Standard | None:
    """The programme's standard with its tiers (two queries), or None when none is set."""
    found = SubsidyStandard.objects.filter(programme=programme).first()
    if found is None:
        return None
    tiers = tuple(Tier(t.min_score, t.amount) for t in found.tiers.order_by("min_score"))
    return Standard(found.city_award, tiers)


def matchings_of(programme: Programme) -> dict[int, Matching]:
    """{county id: its matching rule}: one query."""
    return {
        m.county_id: Matching(m.kind, m.amount, m.share)
        for m in CountyMatching.objects.filter(programme=programme)
    }


@dataclass(frozen=True)
class Due:
    """What one town is due under a programme."""

    office_id: int
    county_id: int
    year: int
    score: Decimal
    city_amount: Decimal
    county_amount: Decimal
    county_basis: str
    city_basis: str

    @property
    def total(self) -> Decimal:
        return self.city_amount + self.county_amount


def payments_due(programme: Programme, *, office_ids: Iterable[int] | None = None) -> dict[int, Due]:
    """{office id: what it is due} from the programme's confirmed years; empty while the programme
    has no standard. Four queries, whatever the number of towns."""
    standard = standard_of(programme)
    if standard is None:
        return {}
    matchings = matchings_of(programme)
    due = {}
    # Due once, for the first confirmed year in which the town passed, at that year's score.
    for office_id, first in standardized.first_passes(programme, office_ids=office_ids).items():
        score = first.total or ZERO
        city_amount = standard.award_for(score)
        matching = matchings.get(first.county_id)
        due[office_id] = Due(
            office_id=office_id,
            county_id=first.county_id,
            year=first.year,
            score=score,
            city_amount=city_amount,
            county_amount=matching.amount_for(city_amount) if matching else ZERO,
            county_basis=matching.basis if matching else NO_MATCHING_BASIS,
            city_basis=standard.basis_for(score),
        )
    return due


@dataclass(frozen=True)
class Entry:
    """A town's line in the ledger: its payment as stored when paid, else as due today."""

    office_id: int
    year: int
    score: Decimal
    city_amount: Decimal
    county_amount: Decimal
    county_basis: str
    city_basis: str
    paid: bool = False
    paid_on: date | None = None
    document_no: str = ""
    payment_id: int | None = None

    @property
    def total(self) -> Decimal:
        return self.city_amount + self.county_amount


def ledger(programme: Programme, *, office_ids: Iterable[int] | None = None) -> dict[int, Entry]:
    """{office id: entry} for every town awarded (or due) under the programme: paid payments exactly
    as they were paid, the others as they are due from the confirmed years. Five queries."""
    office_ids = list(office_ids) if office_ids is not None else None
    stored = Payment.objects.filter(programme=programme)
    if office_ids is not None:
        stored = stored.filter(office_id__in=office_ids)
    payments = {p.office_id: p for p in stored}
    entries: dict[int, Entry] = {}
    for office_id, due in payments_due(programme, office_ids=office_ids).items():
        payment = payments.get(office_id)
        entries[office_id] = Entry(
            office_id=office_id,
            year=due.year,
            score=due.score,
            city_amount=due.city_amount,
            county_amount=due.county_amount,
            county_basis=due.county_basis,
            city_basis=due.city_basis,
            paid=False,
            payment_id=payment.pk if payment else None,
        )
    for office_id, payment in payments.items():
        if payment.paid:
            entries[office_id] = Entry(
                office_id=office_id,
                year=payment.year,
                score=payment.score,
                city_amount=payment.city_amount,
                county_amount=payment.county_amount,
                county_basis=payment.county_basis,
                city_basis="已拨付",
                paid=True,
                paid_on=payment.paid_on,
                document_no=payment.document_no,
                payment_id=payment.pk,
            )
    return entries
