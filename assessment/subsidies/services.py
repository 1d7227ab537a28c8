"""以奖代补: the writes, each in one transaction, naming its actor in the history.

Who writes what (DOMAIN.md, "Money"):

- the city: the award standard and its tiers; any county's matching, locked or not; locking and
  unlocking a county's matching (市局锁定); marking the city's award paid (市级奖补已拨付);
- a county inspector: its own county's matching while the city has not locked it; marking its
  county's matching paid (县级配套已拨付) for its own towns.

The two parts of a payment are paid separately, each with its own date and 文号, in either order.
A paid part never changes afterwards (amounts.settled is the one rule):

- a row with nothing paid follows what is due: payments_refresh updates it when the standard, a
  matching or the confirmed results move, and deletes it when the town is no longer due;
- a row with one part paid keeps its year, its score and the paid part (city_amount once the city
  paid; county_amount and county_basis once the county paid); only the unpaid part is worked out
  again, from today's standard or matching at the kept score (a share matching on the city's award
  as stored, i.e. as paid once the city paid);
- a row with both parts paid, or with a part paid but no longer due (a correction turned the pass
  into a fail; the corrections feature writes Payment.review_note), is never touched: the city
  decides what to do.

Marking a part paid is refused when that part is already paid, when the town is no longer due, or
when the row as stored is not what `settled` says (refresh first), so nobody pays a stale figure."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment, Programme, SubsidyStandard, SubsidyTier
from assessment.subsidies.amounts import ZERO, Figures, any_paid, cents, payments_due, rules_of, settled
from core.records import StaleEdit, record_delete, record_save
from offices.models import County
from portal.choices import Role
from portal.models import User
from portal.permissions import Action, is_city, offices_for, require, require_role

LOCKED_REFUSAL = "市民政局已锁定本县(市、区)的配套标准,不能修改;如需调整,请联系市民政局解锁。"
SCOPE_REFUSAL = "只能标记本县(市、区)所辖镇(街道)的县级配套资金。"

# -- keeping the payments in step ------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    paid: int = 0  # rows with a part paid: that part was kept as it was

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


PAYMENT_FIELDS = ["year", "score", "city_amount", "county_amount", "county_basis"]


@transaction.atomic
def payments_refresh(*, programme: Programme, actor: User | None = None) -> RefreshResult:
    """Store what every town holds under the programme (amounts.settled) as its Payment row: create
    the missing ones, update those whose unpaid figures moved (a changed standard, matching or
    result), delete those with nothing paid that are no longer due. A paid part is never touched.
    Running it twice changes nothing the second time; the history names `actor` (None for the
    system, e.g. when the city confirms a year)."""
    rules = rules_of(programme)
    due = payments_due(programme, rules=rules)
    stored = {p.office_id: p for p in Payment.objects.select_for_update().filter(programme=programme)}
    created: list[Payment] = []
    updated: list[Payment] = []
    gone: list[Payment] = []
    unchanged = paid = 0
    for office_id in sorted({*due, *stored}):
        payment = stored.get(office_id)
        target = settled(payment, due.get(office_id), rules)
        if payment is None:
            if target is not None:
                payment = Payment(programme=programme, office_id=office_id, **target.values())
                payment.full_clean(validate_unique=False, validate_constraints=False)
                created.append(payment)
            continue
        paid += int(any_paid(payment))
        if target is None:
            gone.append(payment)
        elif Figures.of(payment) != target:
            for name, value in target.values().items():
                setattr(payment, name, value)
            payment.version += 1
            updated.append(payment)
        else:
            unchanged += 1
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


def payments_stale(programme: Programme) -> int:
    """How many towns' stored payments differ from what they should hold today (missing, moved or
    no longer due); a paid part never counts. Five queries."""
    rules = rules_of(programme)
    due = payments_due(programme, rules=rules)
    stored = {p.office_id: p for p in Payment.objects.filter(programme=programme)}
    return sum(
        1
        for office_id in {*due, *stored}
        if settled(stored.get(office_id), due.get(office_id), rules)
        != (Figures.of(stored[office_id]) if office_id in stored else None)
    )


# -- the city's standard --------------------------------------------------------------------------


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
    the previous tiers), then recompute what is not paid yet."""
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


# -- the counties' matching -------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchingEntry:
    """One county's matching rule as a form gives it: kind "" removes the county's rule.
    `expected_version` is the version the form showed (None: whatever is stored)."""

    county: County
    kind: str
    value: Decimal | None = None
    expected_version: int | None = None


def _matching_write(
    actor: User | None, programme: Programme, matching: CountyMatching | None, entry: MatchingEntry
) -> bool:
    """Write one county's rule if it changed; whether it did. StaleEdit when the form was built from
    a version somebody has since changed (the county and the city may edit the same rule)."""
    if matching is not None and entry.expected_version not in (None, matching.version):
        raise StaleEdit(matching)
    if matching is None and entry.expected_version is not None:
        raise StaleEdit(None)  # removed since the form was shown
    if not entry.kind:
        if matching is None:
            return False
        record_delete(actor=actor, instance=matching)
        return True
    if entry.kind not in MatchingKind.values:
        raise ValidationError(f"{entry.county}:配套方式无效。")
    if entry.value is None:
        raise ValidationError(f"{entry.county}:请填写配套金额或比例。")
    amount = cents(Decimal(entry.value)) if entry.kind == MatchingKind.AMOUNT else None
    share = Decimal(entry.value) if entry.kind == MatchingKind.SHARE else None
    if matching is not None and (matching.kind, matching.amount, matching.share) == (
        entry.kind,
        amount,
        share,
    ):
        return False
    if matching is None:
        matching = CountyMatching(programme=programme, county=entry.county)
    matching.kind, matching.amount, matching.share = entry.kind, amount, share
    record_save(actor=actor, instance=matching, expected_version=matching.version if matching.pk else None)
    return True


@transaction.atomic
def matchings_save(*, actor: User, programme: Programme, entries: Iterable[MatchingEntry]) -> int:
    """The city sets the counties' matching subsidies of a programme, locked ones included (only
    those that changed are written), then recomputes what is not paid yet. Returns how many
    counties changed."""
    require_role(actor, Role.CITY)
    existing = {
        m.county_id: m for m in CountyMatching.objects.select_for_update().filter(programme=programme)
    }
    changed = sum(_matching_write(actor, programme, existing.get(e.county.pk), e) for e in entries)
    if changed:
        payments_refresh(programme=programme, actor=actor)
    return changed


def may_set_matching(actor: User | None, county: County, matching: CountyMatching | None) -> bool:
    """Whether the actor may change the county's matching now: the city always, the county's own
    inspector while the city has not locked it."""
    if actor is None or is_city(actor):
        return True
    return not (matching is not None and matching.locked)


@transaction.atomic
def matching_save(
    *,
    actor: User,
    programme: Programme,
    county: County,
    kind: str,
    value: Decimal | None = None,
    expected_version: int | None = None,
) -> bool:
    """A county sets its own matching subsidy (配套标准) for a programme: a fixed amount per town or a
    share of the city's award; kind "" removes it. Refused once the city has locked it; the city may
    set any county's, locked or not. Recomputes what is not paid yet; whether anything changed."""
    require_role(actor, Role.CITY, Role.COUNTY)
    if actor is not None and not is_city(actor):
        require(actor, Action.ASSESS, county)
    matching = CountyMatching.objects.select_for_update().filter(programme=programme, county=county).first()
    if not may_set_matching(actor, county, matching):
        raise ValidationError(LOCKED_REFUSAL)
    entry = MatchingEntry(county=county, kind=kind, value=value, expected_version=expected_version)
    changed = _matching_write(actor, programme, matching, entry)
    if changed:
        payments_refresh(programme=programme, actor=actor)
    return changed


@transaction.atomic
def matching_lock(
    *, actor: User, programme: Programme, county: County, locked: bool
) -> CountyMatching | None:
    """The city locks a county's matching (the county can no longer change it) or unlocks it.
    Locking needs a matching set; locking a locked one (or unlocking an unlocked one) writes
    nothing."""
    require_role(actor, Role.CITY)
    matching = CountyMatching.objects.select_for_update().filter(programme=programme, county=county).first()
    if matching is None:
        if locked:
            raise ValidationError(f"{county}尚未设定配套标准,无法锁定。")
        return None
    if matching.locked == locked:
        return matching
    matching.locked = locked
    matching.locked_at = timezone.now() if locked else None
    return record_save(actor=actor, instance=matching, expected_version=matching.version)


# -- marking paid -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One of the two parts of a payment, as the paid-marking reads and writes it."""

    paid: str
    paid_on: str
    document_no: str
    amount: str
    label: str


CITY_PART = Part("paid", "paid_on", "document_no", "city_amount", "市级奖补")
COUNTY_PART = Part("county_paid", "county_paid_on", "county_document_no", "county_amount", "县级配套")


def _check_paper(paid_on: date, document_no: str) -> str:
    document_no = document_no.strip()
    if not document_no:
        raise ValidationError({"document_no": "请填写拨付文号。"})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "拨付日期不能晚于今天。"})
    return document_no


def _locked_rows(payments: Iterable[Payment]) -> list[Payment]:
    ids = list(dict.fromkeys(p.pk for p in payments))
    rows = {
        p.pk: p
        for p in Payment.objects.select_for_update().filter(pk__in=ids).select_related("office", "programme")
    }
    if len(rows) != len(ids):
        raise ValidationError("该奖补记录已不存在,请刷新页面。")
    return [rows[pk] for pk in ids]


def _check_current(rows: list[Payment], part: Part) -> None:
    """Refuse a part already paid, a town no longer due, and a row that is not what it should be."""
    for row in rows:
        if getattr(row, part.paid):
            raise ValidationError(
                f"{row.office}的{part.label}资金已于{getattr(row, part.paid_on):%Y-%m-%d}拨付,不能重复拨付。"
            )
    for programme_id in {r.programme_id for r in rows}:
        batch = [r for r in rows if r.programme_id == programme_id]
        rules = rules_of(batch[0].programme)
        due = payments_due(batch[0].programme, office_ids=[r.office_id for r in batch], rules=rules)
        gone = [r for r in batch if r.office_id not in due]
        if gone:
            raise ValidationError(
                f"{gone[0].office}已不再符合奖补条件(考核结果已更正或撤销),不能标记拨付,请由市民政局处理。"
            )
        moved = [r for r in batch if settled(r, due[r.office_id], rules) != Figures.of(r)]
        if moved:
            raise ValidationError(
                f"{moved[0].office}等 {len(moved)} 条奖补记录与最新考核结果或标准不一致,"
                "请先重新核算后再拨付。"
            )


def _mark(
    actor: User | None, rows: list[Payment], part: Part, paid_on: date, document_no: str
) -> list[Payment]:
    marked = []
    for row in rows:
        setattr(row, part.paid, True)
        setattr(row, part.paid_on, paid_on)
        setattr(row, part.document_no, document_no)
        marked.append(record_save(actor=actor, instance=row, expected_version=row.version))
    return marked


@transaction.atomic
def payments_mark_paid(
    *, actor: User, payments: Iterable[Payment], paid_on: date, document_no: str
) -> list[Payment]:
    """The city records that its award was paid (市级奖补已拨付), on a date, under a document number
    (资金下达文号). The county's matching is marked separately (payments_mark_county_paid)."""
    require_role(actor, Role.CITY)
    document_no = _check_paper(paid_on, document_no)
    rows = _locked_rows(payments)
    _check_current(rows, CITY_PART)
    return _mark(actor, rows, CITY_PART, paid_on, document_no)


@transaction.atomic
def payments_mark_county_paid(
    *, actor: User, payments: Iterable[Payment], paid_on: date, document_no: str
) -> list[Payment]:
    """A county records that its matching was paid (县级配套已拨付) to its own towns, on a date,
    under its document number. Refused for another county's town and for a town with no matching
    to pay (no matching set, or an amount of nothing)."""
    require_role(actor, Role.COUNTY)
    document_no = _check_paper(paid_on, document_no)
    rows = _locked_rows(payments)
    if actor is not None:
        office_ids = {r.office_id for r in rows}
        if offices_for(actor, Action.ASSESS).filter(pk__in=office_ids).count() != len(office_ids):
            raise PermissionDenied(SCOPE_REFUSAL)
    _check_current(rows, COUNTY_PART)
    nothing = [r for r in rows if r.county_amount <= ZERO]
    if nothing:
        raise ValidationError(f"{nothing[0].office}没有县级配套资金(未设定配套标准或金额为零),无需标记拨付。")
    return _mark(actor, rows, COUNTY_PART, paid_on, document_no)
