"""以奖代补: what is due. The city's one-time award to each town standardized for the first time in the
programme, by score tier, and the county's matching of it (DOMAIN.md, "Money"); computed from the
confirmed years, in a fixed number of queries.

The city's award and the county's matching are paid separately, by different treasuries, each with
its date and 文号. A paid part never changes: `settled` says what a stored payment holds once a part
is paid, and everything that writes or reads the payments (refresh, stale, the ledger, marking paid)
follows it."""

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
class Rules:
    """What the money is worked out from: the city's standard and the counties' matchings."""

    standard: Standard
    matchings: dict[int, Matching]

    def county_part(self, county_id: int, city_amount: Decimal) -> tuple[Decimal, str]:
        """The county's matching of a city award, and its basis in words."""
        matching = self.matchings.get(county_id)
        if matching is None:
            return ZERO, NO_MATCHING_BASIS
        return matching.amount_for(city_amount), matching.basis


def rules_of(programme: Programme) -> Rules | None:
    """The programme's standard and matchings (three queries), or None while it has no standard."""
    standard = standard_of(programme)
    if standard is None:
        return None
    return Rules(standard, matchings_of(programme))


@dataclass(frozen=True)
class Figures:
    """What a Payment row stores besides its paid states."""

    year: int
    score: Decimal
    city_amount: Decimal
    county_amount: Decimal
    county_basis: str

    @classmethod
    def of(cls, payment: Payment) -> "Figures":
        return cls(
            payment.year, payment.score, payment.city_amount, payment.county_amount, payment.county_basis
        )

    def values(self) -> dict:
        return {
            "year": self.year,
            "score": self.score,
            "city_amount": self.city_amount,
            "county_amount": self.county_amount,
            "county_basis": self.county_basis,
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

    @property
    def figures(self) -> Figures:
        return Figures(self.year, self.score, self.city_amount, self.county_amount, self.county_basis)


def payments_due(
    programme: Programme, *, office_ids: Iterable[int] | None = None, rules: Rules | None = None
) -> dict[int, Due]:
    """{office id: what it is due} from the programme's confirmed years; empty while the programme
    has no standard. Four queries, whatever the number of towns (one when `rules` are given)."""
    rules = rules or rules_of(programme)
    if rules is None:
        return {}
    due = {}
    # Due once, for the first confirmed year in which the town passed, at that year's score.
    for office_id, first in standardized.first_passes(programme, office_ids=office_ids).items():
        score = first.total or ZERO
        city_amount = rules.standard.award_for(score)
        county_amount, county_basis = rules.county_part(first.county_id, city_amount)
        due[office_id] = Due(
            office_id=office_id,
            county_id=first.county_id,
            year=first.year,
            score=score,
            city_amount=city_amount,
            county_amount=county_amount,
            county_basis=county_basis,
            city_basis=rules.standard.basis_for(score),
        )
    return due


# -- a paid part never changes ------------------------------------------------------------------------


def any_paid(payment: Payment) -> bool:
    return payment.paid or payment.county_paid


def settled(payment: Payment | None, due: Due | None, rules: Rules | None) -> Figures | None:
    """What a town's Payment row should hold today (None: it should not exist). The one rule of
    payments_refresh, of payments_stale, of the ledger and of the checks before marking paid:

    - nothing paid yet: exactly what is due (None when nothing is due any more);
    - a part paid: the row keeps its year and score, and the paid part keeps its amount (the city's
      award once 市级奖补已拨付, the county's matching and its basis once 县级配套已拨付); the unpaid
      part is worked out again from today's rules at the kept score: the city's award from the
      standard and its tiers, the county's matching from its rule (a share of the city's award as
      stored, so of what was paid once the city paid);
    - both parts paid, or a part paid but the town no longer due (a correction turned its pass into a
      fail): the row stays exactly as it is, and the city decides (Payment.review_note)."""
    if payment is None or not any_paid(payment):
        return due.figures if due is not None else None
    kept = Figures.of(payment)
    if (payment.paid and payment.county_paid) or due is None or rules is None:
        return kept
    city_amount = payment.city_amount if payment.paid else rules.standard.award_for(payment.score)
    if payment.county_paid:
        county_amount, county_basis = payment.county_amount, payment.county_basis
    else:
        county_amount, county_basis = rules.county_part(due.county_id, city_amount)
    return Figures(payment.year, payment.score, city_amount, county_amount, county_basis)


# -- the ledger -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A town's line in the ledger: each part as stored once paid, else as due today."""

    office_id: int
    year: int
    score: Decimal
    city_amount: Decimal
    county_amount: Decimal
    county_basis: str
    city_basis: str
    paid: bool = False  # the city's award (市级奖补已拨付)
    paid_on: date | None = None
    document_no: str = ""
    county_paid: bool = False  # the county's matching (县级配套已拨付)
    county_paid_on: date | None = None
    county_document_no: str = ""
    payment_id: int | None = None

    @property
    def total(self) -> Decimal:
        return self.city_amount + self.county_amount

    @property
    def city_paid_amount(self) -> Decimal:
        return self.city_amount if self.paid else ZERO

    @property
    def county_paid_amount(self) -> Decimal:
        return self.county_amount if self.county_paid else ZERO

    @property
    def paid_amount(self) -> Decimal:
        return self.city_paid_amount + self.county_paid_amount


PAID_BASIS = "市级奖补已拨付"


def ledger(programme: Programme, *, office_ids: Iterable[int] | None = None) -> dict[int, Entry]:
    """{office id: entry} for every town awarded (or due) under the programme: a paid part exactly
    as it was paid, the rest as it is due from the confirmed years (see `settled`). Five queries."""
    office_ids = list(office_ids) if office_ids is not None else None
    stored = Payment.objects.filter(programme=programme)
    if office_ids is not None:
        stored = stored.filter(office_id__in=office_ids)
    payments = {p.office_id: p for p in stored}
    rules = rules_of(programme)
    due = payments_due(programme, office_ids=office_ids, rules=rules)
    entries: dict[int, Entry] = {}
    for office_id in [*due, *(o for o, p in payments.items() if o not in due and any_paid(p))]:
        payment, owed = payments.get(office_id), due.get(office_id)
        figures = settled(payment, owed, rules)
        if figures is None:
            continue
        paid = payment is not None and payment.paid
        if paid:
            city_basis = PAID_BASIS
        else:
            city_basis = rules.standard.basis_for(figures.score) if rules is not None else ""
        entries[office_id] = Entry(
            office_id=office_id,
            **figures.values(),
            city_basis=city_basis,
            paid=paid,
            paid_on=payment.paid_on if paid else None,
            document_no=payment.document_no if paid else "",
            county_paid=payment is not None and payment.county_paid,
            county_paid_on=payment.county_paid_on if payment is not None else None,
            county_document_no=payment.county_document_no if payment is not None else "",
            payment_id=payment.pk if payment is not None else None,
        )
    return entries
