"""以奖代补: the city's one-time award to each standardized town and the counties' matching subsidy.

The rules (DOMAIN.md, "Money"):

- a town is awarded once per programme, in the first confirmed year of the programme in which it is
  合格 (the year's official result, as frozen when the city confirmed the year);
- the city's amount is the programme's standard: the highest tier whose minimum score the town's
  total of that year reaches, else the base amount;
- the county adds its matching subsidy: a fixed amount, or a share of the city's amount;
- amounts are Decimal 元, rounded half-up to the cent; never float;
- a payment marked 已拨付 never changes again.

`payments_due` works out what every town is due from the confirmed years (a read, a fixed number of
queries); `payments_refresh` stores it as Payment rows (idempotent, leaves paid rows alone); `ledger`
is what the reports show: the stored paid payments, and for the rest what is due today, so a report
is exact even before anybody pressed "重新核算". Every write names its actor in the history."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.records import record_save
from offices.models import County
from portal.models import User
from portal.permissions import is_city

from .choices import Result, YearState
from .models import (
    Assessment,
    AssessmentYear,
    CountyMatching,
    MatchingKind,
    Payment,
    Programme,
    SubsidyStandard,
    SubsidyTier,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    """An amount in 元 rounded half-up to the cent (0.005 → 0.01)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def _require_city(actor: User) -> None:
    if not is_city(actor):
        raise PermissionDenied("只有市民政局可以设定以奖代补标准和拨付资金。")


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


def first_standardized(programme: Programme, *, office_ids: Iterable[int] | None = None) -> dict[int, tuple]:
    """{office id: (year, total, county id)} of the first confirmed year of the programme in which
    each office was 合格: one query."""
    passed = Assessment.objects.filter(
        assessment_year__programme=programme,
        assessment_year__state=YearState.CONFIRMED,
        result=Result.PASS,
    )
    if office_ids is not None:
        passed = passed.filter(office_id__in=list(office_ids))
    first: dict[int, tuple] = {}
    rows = passed.order_by("assessment_year__year").values_list(
        "office_id", "assessment_year__year", "total", "office__town__county_id"
    )
    for office_id, year, total, county_id in rows:
        first.setdefault(office_id, (year, total or ZERO, county_id))
    return first


def payments_due(programme: Programme, *, office_ids: Iterable[int] | None = None) -> dict[int, Due]:
    """{office id: what it is due} from the programme's confirmed years; empty while the programme
    has no standard. Four queries, whatever the number of towns."""
    standard = standard_of(programme)
    if standard is None:
        return {}
    matchings = matchings_of(programme)
    due = {}
    for office_id, (year, score, county_id) in first_standardized(programme, office_ids=office_ids).items():
        city_amount = standard.award_for(score)
        matching = matchings.get(county_id)
        due[office_id] = Due(
            office_id=office_id,
            county_id=county_id,
            year=year,
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


# -- writes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    paid: int = 0  # paid payments, left as they were

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


PAYMENT_FIELDS = ["year", "score", "city_amount", "county_amount", "county_basis"]


@transaction.atomic
def payments_refresh(*, programme: Programme, actor: User | None = None) -> RefreshResult:
    """Store what every town is due under the programme as its Payment row: create the missing ones,
    update unpaid ones whose figures moved (a changed standard or matching), delete unpaid ones no
    longer due. Paid payments are never touched. Running it twice changes nothing the second time;
    the history names `actor` (None for the system, e.g. when the city confirms a year)."""
    due = payments_due(programme)
    stored = {p.office_id: p for p in Payment.objects.select_for_update().filter(programme=programme)}
    created: list[Payment] = []
    updated: list[Payment] = []
    unchanged = paid = 0
    for office_id, entry in due.items():
        payment = stored.get(office_id)
        values = {
            "year": entry.year,
            "score": entry.score,
            "city_amount": entry.city_amount,
            "county_amount": entry.county_amount,
            "county_basis": entry.county_basis,
        }
        if payment is None:
            payment = Payment(programme=programme, office_id=office_id, **values)
            payment.full_clean(validate_unique=False, validate_constraints=False)
            created.append(payment)
        elif payment.paid:
            paid += 1
        elif any(getattr(payment, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(payment, name, value)
            payment.version += 1
            updated.append(payment)
        else:
            unchanged += 1
    gone = [p for office_id, p in stored.items() if office_id not in due and not p.paid]
    paid += sum(1 for office_id, p in stored.items() if office_id not in due and p.paid)
    if created:
        bulk_create_with_history(created, Payment, batch_size=500, default_user=actor)
    if updated:
        bulk_update_with_history(
            updated, Payment, [*PAYMENT_FIELDS, "version"], batch_size=500, default_user=actor
        )
    for payment in gone:
        payment._history_user = actor
        payment.delete()
    return RefreshResult(len(created), len(updated), len(gone), unchanged, paid)


def _differs(payment: Payment, due: Due | None) -> bool:
    """Whether an unpaid payment as stored is no longer what is due."""
    if due is None:
        return True
    return (
        payment.year,
        payment.score,
        payment.city_amount,
        payment.county_amount,
        payment.county_basis,
    ) != (
        due.year,
        due.score,
        due.city_amount,
        due.county_amount,
        due.county_basis,
    )


def payments_stale(programme: Programme) -> int:
    """How many stored payments differ from what is due today (missing, moved or no longer due);
    paid ones never count. Five queries."""
    due = payments_due(programme)
    stored = {p.office_id: p for p in Payment.objects.filter(programme=programme)}
    stale = sum(1 for office_id in due if office_id not in stored)
    stale += sum(1 for office_id, p in stored.items() if not p.paid and _differs(p, due.get(office_id)))
    return stale


@transaction.atomic
def standard_save(
    *,
    actor: User,
    programme: Programme,
    city_award: Decimal,
    tiers: Iterable[tuple[Decimal, Decimal]] = (),
    note: str = "",
    expected_version: int | None = None,
) -> SubsidyStandard:
    """Set a programme's award standard: the base amount per town and the score tiers (replacing
    the previous tiers), then recompute the unpaid payments."""
    _require_city(actor)
    tiers = sorted(((Decimal(m), cents(Decimal(a))) for m, a in tiers), key=lambda t: t[0])
    minimums = [m for m, _ in tiers]
    if len(set(minimums)) != len(minimums):
        raise ValidationError("分档标准的最低得分不能重复。")
    standard = SubsidyStandard.objects.filter(programme=programme).first()
    if standard is None:
        standard = SubsidyStandard(programme=programme)
        expected_version = None
    elif expected_version is None:
        expected_version = standard.version
    standard.city_award = cents(Decimal(city_award))
    standard.note = note.strip()
    record_save(actor=actor, instance=standard, expected_version=expected_version)
    existing = {t.min_score: t for t in standard.tiers.all()}
    wanted = dict(tiers)
    for min_score, tier in existing.items():
        if min_score not in wanted:
            tier._history_user = actor
            tier.delete()
    for min_score, amount in wanted.items():
        tier = existing.get(min_score)
        if tier is None:
            record_save(
                actor=actor, instance=SubsidyTier(standard=standard, min_score=min_score, amount=amount)
            )
        elif tier.amount != amount:
            tier.amount = amount
            record_save(actor=actor, instance=tier, expected_version=tier.version)
    payments_refresh(programme=programme, actor=actor)
    return standard


@dataclass(frozen=True)
class MatchingEntry:
    """One county's matching rule as a form gives it: kind "" removes the county's rule."""

    county: County
    kind: str
    value: Decimal | None = None


@transaction.atomic
def matchings_save(*, actor: User, programme: Programme, entries: Iterable[MatchingEntry]) -> int:
    """Set the counties' matching subsidies of a programme (only those that changed are written),
    then recompute the unpaid payments. Returns how many counties changed."""
    _require_city(actor)
    existing = {m.county_id: m for m in CountyMatching.objects.filter(programme=programme)}
    changed = 0
    for entry in entries:
        matching = existing.get(entry.county.pk)
        if not entry.kind:
            if matching is not None:
                matching._history_user = actor
                matching.delete()
                changed += 1
            continue
        if entry.value is None:
            raise ValidationError(f"{entry.county}:请填写配套金额或比例。")
        amount = cents(entry.value) if entry.kind == MatchingKind.AMOUNT else None
        share = Decimal(entry.value) if entry.kind == MatchingKind.SHARE else None
        if matching is not None and (matching.kind, matching.amount, matching.share) == (
            entry.kind,
            amount,
            share,
        ):
            continue
        if matching is None:
            matching = CountyMatching(programme=programme, county=entry.county)
        matching.kind, matching.amount, matching.share = entry.kind, amount, share
        record_save(
            actor=actor, instance=matching, expected_version=matching.version if matching.pk else None
        )
        changed += 1
    if changed:
        payments_refresh(programme=programme, actor=actor)
    return changed


@transaction.atomic
def payments_mark_paid(
    *, actor: User, payments: Iterable[Payment], paid_on: date, document_no: str
) -> list[Payment]:
    """Record that payments were made (已拨付), on a date, under a document number (资金下达文号).
    Refused for a payment already paid (it never changes) or one no longer due as stored."""
    _require_city(actor)
    document_no = document_no.strip()
    if not document_no:
        raise ValidationError({"document_no": "请填写拨付文号。"})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "拨付日期不能晚于今天。"})
    payments = list(payments)
    ids = [p.pk for p in payments]
    locked = {
        p.pk: p for p in Payment.objects.select_for_update().filter(pk__in=ids).select_related("office")
    }
    for payment in payments:
        current = locked.get(payment.pk)
        if current is None:
            raise ValidationError("该奖补记录已不存在,请刷新页面。")
        if current.paid:
            raise ValidationError(
                f"{current.office}的奖补资金已于{current.paid_on:%Y-%m-%d}拨付,不能重复拨付。"
            )
    for programme_id in {p.programme_id for p in locked.values()}:
        batch = [p for p in locked.values() if p.programme_id == programme_id]
        due = payments_due(batch[0].programme, office_ids=[p.office_id for p in batch])
        moved = [p for p in batch if _differs(p, due.get(p.office_id))]
        if moved:
            raise ValidationError(
                f"{moved[0].office}等 {len(moved)} 条奖补记录与最新考核结果或标准不一致,"
                "请先重新核算后再拨付。"
            )
    marked = []
    for payment in payments:
        current = locked[payment.pk]
        current.paid, current.paid_on, current.document_no = True, paid_on, document_no
        marked.append(record_save(actor=actor, instance=current, expected_version=current.version))
    return marked


def confirmed_years(programme: Programme) -> list[int]:
    return sorted(
        AssessmentYear.objects.filter(programme=programme, state=YearState.CONFIRMED).values_list(
            "year", flat=True
        )
    )
