"""以奖代补 on hand-worked figures: the award paid once, in the first confirmed year the town is 合格;
tiers by score; the county's matching by amount and by share, rounded half-up to the cent; totals;
refreshing is idempotent and never touches a paid payment; only the city may set or pay.

The programme used throughout (2010–2012), worked by hand:

    standard: 50,000.00 per town; tiers: ≥90 → 55,000.00, ≥95 → 60,000.00
    南湖区 matches 30,000.00 per town; 秀洲区 a share of 0.333 of the city's award

    2010 (confirmed)  建设街道 96.00 合格 → city 60,000.00 (≥95), county 30,000.00
                      解放街道 84.00 不合格 → nothing
                      新城街道 88.00 合格 → city 50,000.00, county 0.333 × 50,000 = 16,650.00
                      新嘉街道 96.50 不合格 (veto) → nothing
    2011 (confirmed)  建设街道 97.00 合格 → nothing (awarded in 2010)
                      解放街道 91.00 合格 → city 55,000.00 (≥90), county 30,000.00
    2012 (open)       新嘉街道 99.00 合格 → nothing yet: the year is not confirmed

    2010 totals: city 110,000.00, county 46,650.00, in all 156,650.00
    2011 totals: city 55,000.00, county 30,000.00, in all 85,000.00
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.choices import MatchingKind
from assessment.models import Payment, SubsidyTier
from assessment.subsidies import amounts, services
from offices.models import County
from tests.assessment.reports import helpers as h
from tests.assessment.reports.conftest import JIANSHE, JIEFANG, XINCHENG, XINJIA, D

pytestmark = pytest.mark.django_db


def _payments(programme) -> dict[str, Payment]:
    return {
        p.office.town.code: p
        for p in Payment.objects.filter(programme=programme).select_related("office__town")
    }


def test_award_is_paid_once_in_the_first_confirmed_year_passed(programme):
    payments = _payments(programme)
    assert set(payments) == {JIANSHE, XINCHENG, JIEFANG}  # not the veto town, not 2012's
    assert payments[JIANSHE].year == 2010  # passed again in 2011: still one payment, of 2010
    assert payments[JIEFANG].year == 2011
    assert payments[XINCHENG].year == 2010


def test_tiers_the_highest_reached_applies(programme):
    payments = _payments(programme)
    assert payments[JIANSHE].city_amount == D("60000.00")  # 96.00 ≥ 95
    assert payments[JIEFANG].city_amount == D("55000.00")  # 91.00 ≥ 90, < 95
    assert payments[XINCHENG].city_amount == D("50000.00")  # 88.00: no tier, the base
    assert payments[JIANSHE].score == D("96.00")


def test_county_matching_by_amount_and_by_share(programme):
    payments = _payments(programme)
    assert payments[JIANSHE].county_amount == D("30000.00")
    assert payments[JIEFANG].county_amount == D("30000.00")
    assert payments[XINCHENG].county_amount == D("16650.00")  # 0.333 × 50,000.00
    assert payments[XINCHENG].county_basis == "市级奖补的 33.3%"
    assert payments[JIANSHE].county_basis == "每镇 30,000.00 元"


def test_totals_per_year(programme):
    ledger = amounts.ledger(programme)
    by_year: dict[int, list] = {}
    for entry in ledger.values():
        by_year.setdefault(entry.year, []).append(entry)
    assert sum(e.city_amount for e in by_year[2010]) == D("110000.00")
    assert sum(e.county_amount for e in by_year[2010]) == D("46650.00")
    assert sum(e.total for e in by_year[2010]) == D("156650.00")
    assert sum(e.total for e in by_year[2011]) == D("85000.00")
    assert 2012 not in by_year


def test_share_rounds_half_up_to_the_cent():
    # 10,000.13 × 0.5 = 5,000.065: half-up gives 5,000.07 (banker's rounding would give 5,000.06).
    assert amounts.Matching(MatchingKind.SHARE, share=D("0.5")).amount_for(D("10000.13")) == D("5000.07")
    assert amounts.Matching(MatchingKind.SHARE, share=D("0.333")).amount_for(D("55000")) == D("18315.00")
    assert amounts.Matching(MatchingKind.SHARE, share=D("0.125")).amount_for(D("0.04")) == D("0.01")  # 0.005
    assert amounts.Matching(MatchingKind.AMOUNT, amount=D("12345.675")).amount_for(D("1")) == D("12345.68")
    assert amounts.cents(D("2.345")) == D("2.35")
    assert amounts.cents(D("-2.345")) == D("-2.35")


def test_tier_boundaries():
    standard = amounts.Standard(
        D("50000"), (amounts.Tier(D("90"), D("55000")), amounts.Tier(D("95"), D("60000")))
    )
    assert standard.award_for(D("89.99")) == D("50000.00")
    assert standard.award_for(D("90.00")) == D("55000.00")
    assert standard.award_for(D("94.99")) == D("55000.00")
    assert standard.award_for(D("95.00")) == D("60000.00")
    assert standard.award_for(D("100")) == D("60000.00")
    assert amounts.Standard(D("50000")).award_for(D("100")) == D("50000.00")


def test_refresh_is_idempotent(programme, world):
    again = services.payments_refresh(programme=programme, actor=world.city)
    assert again.changed == 0 and again.unchanged == 3
    assert services.payments_stale(programme) == 0


def test_a_paid_payment_never_changes(programme, world):
    jianshe = _payments(programme)[JIANSHE]
    services.payments_mark_paid(
        actor=world.city, payments=[jianshe], paid_on=h.day(2011, 3, 15), document_no="嘉民〔2011〕18号"
    )
    services.standard_save(actor=world.city, programme=programme, city_award=D("70000"), tiers=[])
    payments = _payments(programme)
    assert payments[JIANSHE].paid and payments[JIANSHE].city_amount == D("60000.00")  # as paid
    assert payments[XINCHENG].city_amount == D("70000.00")  # unpaid: the new standard
    assert payments[XINCHENG].county_amount == D("23310.00")  # 0.333 × 70,000
    assert payments[JIEFANG].city_amount == D("70000.00")
    with pytest.raises(ValidationError, match="不能重复拨付"):
        services.payments_mark_paid(
            actor=world.city, payments=[payments[JIANSHE]], paid_on=h.day(2011, 4, 1), document_no="x"
        )
    # The ledger reports the paid payment as it was paid.
    assert amounts.ledger(programme)[payments[JIANSHE].office_id].city_amount == D("60000.00")


def test_history_names_who_marked_paid(programme, world):
    jianshe = _payments(programme)[JIANSHE]
    services.payments_mark_paid(
        actor=world.city, payments=[jianshe], paid_on=h.day(2011, 3, 15), document_no="嘉民〔2011〕18号"
    )
    latest = Payment.history.filter(id=jianshe.pk).order_by("-history_date").first()
    assert latest.paid and latest.history_user == world.city and latest.document_no == "嘉民〔2011〕18号"


def test_mark_paid_needs_a_date_not_in_the_future_and_a_document(programme, world):
    jianshe = _payments(programme)[JIANSHE]
    with pytest.raises(ValidationError):
        services.payments_mark_paid(
            actor=world.city, payments=[jianshe], paid_on=h.day(2011, 3, 15), document_no=" "
        )
    with pytest.raises(ValidationError):
        services.payments_mark_paid(
            actor=world.city, payments=[jianshe], paid_on=h.day(2999, 1, 1), document_no="x"
        )
    assert not Payment.objects.get(pk=jianshe.pk).paid


def test_mark_paid_refuses_a_payment_that_is_no_longer_what_is_due(programme, world):
    jianshe = _payments(programme)[JIANSHE]
    Payment.objects.filter(pk=jianshe.pk).update(city_amount=D("1.00"))  # stale, e.g. before a refresh
    with pytest.raises(ValidationError, match="重新核算"):
        services.payments_mark_paid(
            actor=world.city,
            payments=[Payment.objects.get(pk=jianshe.pk)],
            paid_on=h.day(2011, 3, 15),
            document_no="x",
        )
    assert services.payments_stale(programme) == 1


def test_a_newly_confirmed_year_is_stale_until_refreshed(programme, world):
    y2012 = h.year(world, 2012)  # the city confirms 2012: 新嘉街道 passed
    assert services.payments_stale(programme) == 1
    assert XINJIA not in _payments(programme)
    # The reports need no refresh: the ledger works it out from the confirmed years.
    xinjia = y2012.assessments.get(office__town__code=XINJIA).office_id
    assert amounts.ledger(programme)[xinjia].city_amount == D("60000.00")
    result = services.payments_refresh(programme=programme, actor=world.city)
    assert result.created == 1
    assert _payments(programme)[XINJIA].year == 2012


def test_no_matching_means_no_county_amount(world):
    y2010 = h.year(world, 2010)
    h.result(y2010, "330421001", "90", True)  # 嘉善县 罗星街道: no matching set
    services.standard_save(actor=world.city, programme=y2010.programme, city_award=D("50000"))
    payment = Payment.objects.get(office__town__code="330421001")
    assert payment.county_amount == D("0.00") and payment.county_basis == amounts.NO_MATCHING_BASIS


def test_no_standard_no_payments(world):
    y2010 = h.year(world, 2010)
    h.result(y2010, JIANSHE, "96", True)
    assert amounts.payments_due(y2010.programme) == {}
    assert services.payments_refresh(programme=y2010.programme).changed == 0


def test_tiers_are_replaced_and_a_removed_matching_goes(programme, world):
    services.standard_save(
        actor=world.city, programme=programme, city_award=D("50000"), tiers=[(D("98"), D("65000"))]
    )
    assert list(SubsidyTier.objects.values_list("min_score", "amount")) == [(D("98.00"), D("65000.00"))]
    assert _payments(programme)[JIANSHE].city_amount == D("50000.00")  # 96 < 98
    services.matchings_save(
        actor=world.city,
        programme=programme,
        entries=[services.MatchingEntry(county=County.objects.get(code="330411"), kind="")],
    )
    assert _payments(programme)[XINCHENG].county_amount == D("0.00")


def test_duplicate_tiers_are_refused(programme, world):
    with pytest.raises(ValidationError):
        services.standard_save(
            actor=world.city,
            programme=programme,
            city_award=D("1"),
            tiers=[(D("90"), D("1")), (D("90"), D("2"))],
        )


@pytest.mark.parametrize("role", ["county_a", "town_a", "admin"])
def test_only_the_city_sets_standards_and_pays(programme, world, role):
    actor = getattr(world, role)
    with pytest.raises(PermissionDenied):
        services.standard_save(actor=actor, programme=programme, city_award=D("1"))
    with pytest.raises(PermissionDenied):
        services.matchings_save(actor=actor, programme=programme, entries=[])
    with pytest.raises(PermissionDenied):
        services.payments_mark_paid(actor=actor, payments=[], paid_on=h.day(2011, 1, 1), document_no="x")
