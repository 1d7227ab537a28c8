"""Each county sets its own matching until the city locks it; the city's award and the county's
matching are paid separately, each with its date and 文号; a paid part never changes afterwards.

The hand-worked programme of test_subsidies.py: 建设街道 (南湖区) city 60,000.00 + county 30,000.00
(南湖区: 30,000.00 per town); 新城街道 (秀洲区) city 50,000.00 + county 16,650.00 (秀洲区: 0.333 of the
city's award); 解放街道 (南湖区, 2011) city 55,000.00 + county 30,000.00. county_a is 南湖区's
inspector, county_c 秀洲区's."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment
from assessment.subsidies import amounts, services
from core.records import StaleEdit
from tests import factories
from tests.assessment.reports import helpers as h
from tests.assessment.reports.conftest import JIANSHE, JIEFANG, XINCHENG, D

pytestmark = pytest.mark.django_db

NANHU, XIUZHOU = "330402", "330411"


def _payment(code: str) -> Payment:
    return Payment.objects.select_related("office__town").get(office__town__code=code)


def _matching(programme, code: str) -> CountyMatching:
    return CountyMatching.objects.get(programme=programme, county__code=code)


def _set(actor, programme, code: str, kind: str, value: str | None, **kwargs) -> bool:
    return services.matching_save(
        actor=actor,
        programme=programme,
        county=factories.county(code),
        kind=kind,
        value=D(value) if value is not None else None,
        **kwargs,
    )


def _city_paid(world, code: str, day=(2011, 3, 15), document_no="嘉民〔2011〕18号") -> Payment:
    services.payments_mark_paid(
        actor=world.city, payments=[_payment(code)], paid_on=h.day(*day), document_no=document_no
    )
    return _payment(code)


def _county_paid(actor, code: str, day=(2011, 4, 1), document_no="南民〔2011〕6号") -> Payment:
    services.payments_mark_county_paid(
        actor=actor, payments=[_payment(code)], paid_on=h.day(*day), document_no=document_no
    )
    return _payment(code)


# -- the county's own matching ----------------------------------------------------------------------


def test_a_county_sets_its_own_matching(programme, world):
    assert _set(world.county_a, programme, NANHU, MatchingKind.SHARE, "0.5")
    matching = _matching(programme, NANHU)
    assert (matching.kind, matching.share, matching.amount) == (MatchingKind.SHARE, D("0.500"), None)
    assert matching.history.first().history_user == world.county_a
    # The unpaid payments follow at once: half of each city award.
    assert _payment(JIANSHE).county_amount == D("30000.00")  # 0.5 × 60,000
    assert _payment(JIEFANG).county_amount == D("27500.00")  # 0.5 × 55,000
    assert _payment(JIEFANG).county_basis == "市级奖补的 50%"
    assert _payment(XINCHENG).county_amount == D("16650.00")  # another county's: untouched
    assert not _set(world.county_a, programme, NANHU, MatchingKind.SHARE, "0.5")  # no change, no write
    # Removing it.
    assert _set(world.county_a, programme, NANHU, "", None)
    assert not CountyMatching.objects.filter(programme=programme, county__code=NANHU).exists()
    assert _payment(JIANSHE).county_basis == amounts.NO_MATCHING_BASIS


def test_a_county_cannot_set_another_countys_matching(programme, world):
    with pytest.raises(PermissionDenied):
        _set(world.county_a, programme, XIUZHOU, MatchingKind.AMOUNT, "1")
    with pytest.raises(PermissionDenied):
        _set(world.county_c, programme, NANHU, MatchingKind.AMOUNT, "1")
    assert _matching(programme, XIUZHOU).share == D("0.333")


@pytest.mark.parametrize("role", ["town_a", "admin"])
def test_towns_and_the_administrator_set_no_matching(programme, world, role):
    with pytest.raises(PermissionDenied):
        _set(getattr(world, role), programme, NANHU, MatchingKind.AMOUNT, "1")
    with pytest.raises(PermissionDenied):
        services.matching_lock(
            actor=getattr(world, role), programme=programme, county=factories.county(NANHU), locked=True
        )


def test_the_city_locks_and_the_county_is_refused_then_unlocks(programme, world):
    nanhu = factories.county(NANHU)
    services.matching_lock(actor=world.city, programme=programme, county=nanhu, locked=True)
    matching = _matching(programme, NANHU)
    assert matching.locked and matching.locked_at is not None
    assert matching.history.first().history_user == world.city
    with pytest.raises(ValidationError, match="市民政局已锁定本县"):
        _set(world.county_a, programme, NANHU, MatchingKind.AMOUNT, "40000")
    with pytest.raises(ValidationError, match="市民政局已锁定本县"):
        _set(world.county_a, programme, NANHU, "", None)  # nor remove it
    assert _matching(programme, NANHU).amount == D("30000.00")
    assert _payment(JIANSHE).county_amount == D("30000.00")
    # The city still may set it, and it stays locked.
    assert _set(world.city, programme, NANHU, MatchingKind.AMOUNT, "35000")
    assert _matching(programme, NANHU).locked and _payment(JIANSHE).county_amount == D("35000.00")
    # Locking twice writes nothing; the county cannot unlock.
    versions = _matching(programme, NANHU).version
    services.matching_lock(actor=world.city, programme=programme, county=nanhu, locked=True)
    assert _matching(programme, NANHU).version == versions
    with pytest.raises(PermissionDenied):
        services.matching_lock(actor=world.county_a, programme=programme, county=nanhu, locked=False)
    # Unlocked, the county sets it again.
    services.matching_lock(actor=world.city, programme=programme, county=nanhu, locked=False)
    matching = _matching(programme, NANHU)
    assert not matching.locked and matching.locked_at is None
    assert _set(world.county_a, programme, NANHU, MatchingKind.AMOUNT, "40000")
    assert _payment(JIANSHE).county_amount == D("40000.00")


def test_a_matching_not_set_cannot_be_locked(programme, world):
    jiaxing = factories.county("330421")  # 嘉善县: no matching
    with pytest.raises(ValidationError, match="尚未设定配套标准"):
        services.matching_lock(actor=world.city, programme=programme, county=jiaxing, locked=True)
    assert services.matching_lock(actor=world.city, programme=programme, county=jiaxing, locked=False) is None


def test_the_city_bulk_form_does_not_overwrite_what_the_county_saved_meanwhile(programme, world):
    shown = _matching(programme, NANHU).version  # the city's page is shown
    _set(world.county_a, programme, NANHU, MatchingKind.AMOUNT, "40000")  # the county saves
    with pytest.raises(StaleEdit):
        services.matchings_save(
            actor=world.city,
            programme=programme,
            entries=[
                services.MatchingEntry(
                    county=factories.county(NANHU),
                    kind=MatchingKind.AMOUNT,
                    value=D("30000"),
                    expected_version=shown,
                )
            ],
        )
    assert _matching(programme, NANHU).amount == D("40000.00")
    with pytest.raises(StaleEdit):
        _set(world.county_a, programme, NANHU, MatchingKind.AMOUNT, "1", expected_version=shown)


# -- two parts, paid separately ---------------------------------------------------------------------


def test_city_and_county_parts_are_paid_separately(programme, world):
    jianshe = _city_paid(world, JIANSHE)
    assert (
        jianshe.paid and jianshe.paid_on == h.day(2011, 3, 15) and jianshe.document_no == "嘉民〔2011〕18号"
    )
    assert not jianshe.county_paid and jianshe.county_paid_on is None and jianshe.county_document_no == ""
    jianshe = _county_paid(world.county_a, JIANSHE)
    assert jianshe.county_paid and jianshe.county_paid_on == h.day(2011, 4, 1)
    assert jianshe.county_document_no == "南民〔2011〕6号"
    assert jianshe.paid_on == h.day(2011, 3, 15) and jianshe.document_no == "嘉民〔2011〕18号"  # untouched
    latest = Payment.history.filter(id=jianshe.pk).order_by("-history_date").first()
    assert latest.history_user == world.county_a and latest.county_document_no == "南民〔2011〕6号"
    # Each part once only.
    with pytest.raises(ValidationError, match="市级奖补资金已于2011-03-15拨付"):
        _city_paid(world, JIANSHE, document_no="x")
    with pytest.raises(ValidationError, match="县级配套资金已于2011-04-01拨付"):
        _county_paid(world.county_a, JIANSHE, document_no="x")


def test_the_county_may_pay_before_the_city(programme, world):
    xincheng = _county_paid(world.county_c, XINCHENG, document_no="秀民〔2011〕3号")
    assert xincheng.county_paid and not xincheng.paid
    xincheng = _city_paid(world, XINCHENG)
    assert xincheng.paid and xincheng.county_document_no == "秀民〔2011〕3号"


def test_a_county_marks_only_its_own_towns_and_only_its_part(programme, world):
    with pytest.raises(PermissionDenied):
        _county_paid(world.county_c, JIANSHE)  # 南湖区's town
    with pytest.raises(PermissionDenied):
        _county_paid(world.city, JIANSHE)  # the city does not pay the county's part
    with pytest.raises(PermissionDenied):
        _city_paid_by(world.county_a, JIANSHE)  # nor a county the city's
    with pytest.raises(PermissionDenied):
        _county_paid(world.town_a, JIANSHE)
    assert not _payment(JIANSHE).county_paid and not _payment(JIANSHE).paid


def _city_paid_by(actor, code: str) -> None:
    services.payments_mark_paid(
        actor=actor, payments=[_payment(code)], paid_on=h.day(2011, 3, 15), document_no="x"
    )


def test_marking_the_county_part_needs_a_date_a_document_and_something_to_pay(programme, world):
    with pytest.raises(ValidationError):
        _county_paid(world.county_a, JIANSHE, document_no="  ")
    with pytest.raises(ValidationError):
        _county_paid(world.county_a, JIANSHE, day=(2999, 1, 1))
    _set(world.county_a, programme, NANHU, "", None)  # 南湖区 has no matching: nothing to pay
    with pytest.raises(ValidationError, match="没有县级配套资金"):
        _county_paid(world.county_a, JIANSHE)
    assert not _payment(JIANSHE).county_paid


def test_a_stale_county_part_is_not_marked(programme, world):
    Payment.objects.filter(office__town__code=JIANSHE).update(county_amount=D("1.00"))  # before a refresh
    with pytest.raises(ValidationError, match="重新核算"):
        _county_paid(world.county_a, JIANSHE)
    services.payments_refresh(programme=programme)
    assert _county_paid(world.county_a, JIANSHE).county_amount == D("30000.00")


# -- a paid part never changes ----------------------------------------------------------------------


def test_a_city_paid_award_keeps_its_amount_the_unpaid_county_part_follows(programme, world):
    _city_paid(world, XINCHENG)  # 50,000.00, 秀洲区 matches 0.333 of it
    services.standard_save(actor=world.city, programme=programme, city_award=D("70000"), tiers=[])
    xincheng = _payment(XINCHENG)
    assert xincheng.city_amount == D("50000.00")  # as paid
    assert xincheng.county_amount == D("16650.00")  # 0.333 of what the city paid, not of 70,000
    assert _payment(JIANSHE).city_amount == D("70000.00")  # unpaid: the new standard
    _set(world.county_c, programme, XIUZHOU, MatchingKind.SHARE, "0.5")
    xincheng = _payment(XINCHENG)
    assert (xincheng.city_amount, xincheng.county_amount) == (D("50000.00"), D("25000.00"))
    assert xincheng.county_basis == "市级奖补的 50%"
    assert services.payments_stale(programme) == 0
    entry = amounts.ledger(programme)[xincheng.office_id]
    assert (entry.city_amount, entry.county_amount, entry.paid, entry.county_paid) == (
        D("50000.00"),
        D("25000.00"),
        True,
        False,
    )


def test_a_county_paid_matching_keeps_its_amount_the_unpaid_city_part_follows(programme, world):
    _county_paid(world.county_a, JIANSHE)  # 30,000.00
    _set(world.county_a, programme, NANHU, MatchingKind.AMOUNT, "40000")
    jianshe = _payment(JIANSHE)
    assert jianshe.county_amount == D("30000.00") and jianshe.county_basis == "每镇 30,000.00 元"  # as paid
    assert _payment(JIEFANG).county_amount == D("40000.00")  # unpaid: the new matching
    services.standard_save(actor=world.city, programme=programme, city_award=D("70000"), tiers=[])
    jianshe = _payment(JIANSHE)
    assert (jianshe.city_amount, jianshe.county_amount) == (D("70000.00"), D("30000.00"))
    # The city then pays the new figure.
    assert _city_paid(world, JIANSHE).city_amount == D("70000.00")


def test_a_fully_paid_payment_never_changes(programme, world):
    _city_paid(world, JIANSHE)
    _county_paid(world.county_a, JIANSHE)
    before = Payment.objects.filter(office__town__code=JIANSHE).values().get()
    services.standard_save(actor=world.city, programme=programme, city_award=D("1"), tiers=[])
    services.matchings_save(
        actor=world.city,
        programme=programme,
        entries=[
            services.MatchingEntry(county=factories.county(NANHU), kind=MatchingKind.AMOUNT, value=D("2"))
        ],
    )
    after = Payment.objects.filter(office__town__code=JIANSHE).values().get()
    assert after == before
    result = services.payments_refresh(programme=programme)
    assert result.changed == 0 and result.paid == 1
    assert services.payments_stale(programme) == 0


def test_a_part_paid_town_no_longer_due_is_kept_for_the_city_to_decide(programme, world):
    _city_paid(world, XINCHENG)
    y2010 = programme.assessment_years.get(year=2010)
    h.result(y2010, XINCHENG, "50.00", False)  # e.g. an approved correction: no longer 合格
    result = services.payments_refresh(programme=programme)
    xincheng = _payment(XINCHENG)  # still there, exactly as it was
    assert result.deleted == 0 and xincheng.city_amount == D("50000.00") and xincheng.score == D("88.00")
    with pytest.raises(ValidationError, match="不再符合奖补条件"):
        _county_paid(world.county_c, XINCHENG)
    assert services.payments_stale(programme) == 0
    assert xincheng.office_id in amounts.ledger(programme)  # the reports still show what was paid
