"""以奖代补: the writes. The city's award standard and tiers, the counties' matching, the payments due
kept in step with the confirmed years, and marking them paid. City only, each in one transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment, Programme, SubsidyStandard, SubsidyTier
from assessment.subsidies.amounts import Due, cents, payments_due
from core.records import record_save
from offices.models import County
from portal.choices import Role
from portal.models import User
from portal.permissions import require_role

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
    require_role(actor, Role.CITY)
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
    require_role(actor, Role.CITY)
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
    require_role(actor, Role.CITY)
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
