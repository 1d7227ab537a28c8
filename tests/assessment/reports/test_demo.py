"""The demo city's subsidies (operations.demo_subsidies) and the reports over a whole city:
every county's report adds up to the city summary, and seeding twice changes nothing."""

from decimal import Decimal

import pytest

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment, Programme, SubsidyStandard
from assessment.reports import award, summary
from assessment.subsidies import services as subsidies
from offices.models import County, Town
from operations.demo_subsidies import COUNTY_PAID_2010, LOCKED, PAID_2010, seed_subsidies

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(seeded_city, django_db_blocker):
    with django_db_blocker.unblock():
        seed_subsidies()  # the demo may already have done it: it is idempotent
    return seeded_city


def test_seeding_again_changes_nothing(demo):
    programme = Programme.objects.get(start_year=2010)
    before = list(
        Payment.objects.order_by("pk").values_list(
            "pk", "city_amount", "county_amount", "paid", "county_paid", "version"
        )
    )
    assert seed_subsidies() == 0
    assert subsidies.payments_stale(programme) == 0
    after = list(
        Payment.objects.order_by("pk").values_list(
            "pk", "city_amount", "county_amount", "paid", "county_paid", "version"
        )
    )
    assert after == before


def test_demo_standard_matchings_and_payments(demo):
    programme = Programme.objects.get(start_year=2010)
    standard = SubsidyStandard.objects.get(programme=programme)
    assert standard.city_award == Decimal("50000.00")
    assert list(standard.tiers.values_list("min_score", "amount")) == [
        (Decimal("95.00"), Decimal("60000.00"))
    ]
    kinds = set(programme.county_matchings.values_list("kind", flat=True))
    assert kinds == {MatchingKind.AMOUNT, MatchingKind.SHARE}
    paid_on, document_no = PAID_2010
    for payment in Payment.objects.filter(programme=programme, year=2010):
        assert payment.paid and payment.paid_on == paid_on and payment.document_no == document_no
        assert payment.city_amount == (Decimal("60000.00") if payment.score >= 95 else Decimal("50000.00"))
    assert not Payment.objects.filter(programme=programme, year=2011, paid=True).exists()
    # Both parts paid in the counties that paid their matching, the city's part only elsewhere.
    for code, (county_paid_on, county_document_no) in COUNTY_PAID_2010.items():
        paid = Payment.objects.filter(programme=programme, year=2010, office__town__county__code=code)
        assert paid.exists()
        for payment in paid:
            assert payment.paid and payment.county_paid and payment.county_paid_on == county_paid_on
            assert payment.county_document_no == county_document_no
    city_only = Payment.objects.filter(programme=programme, year=2010, paid=True, county_paid=False)
    assert city_only.exists()
    # The counties set their own matching; the city locked one.
    nanhu = CountyMatching.objects.get(programme=programme, county__code="330402")
    assert nanhu.history.order_by("history_date").first().history_user.username == "county_330402"
    assert list(CountyMatching.objects.filter(locked=True).values_list("county__code", flat=True)) == [LOCKED]
    assert (
        Payment.objects.filter(programme=programme).count()
        == Payment.objects.values("office").distinct().count()
    )


@pytest.mark.parametrize("year", [2010, 2011, 2012])
def test_county_reports_add_up_to_the_city_summary(demo, year):
    city = summary.city_summary(year)
    lines = {line.code: line for line in city.rows}
    city_total = county_total = Decimal(0)
    for county in County.objects.all():
        report = award.award_report(county, year)
        assert {r.code for r in report.rows} == set(
            Town.objects.filter(county=county).values_list("code", flat=True)
        )
        line = lines[county.code]
        assert (report.totals.city_amount, report.totals.county_amount) == (
            line.city_amount,
            line.county_amount,
        )
        assert report.progress.standardized == line.cumulative
        assert (report.totals.city_paid_amount, report.totals.county_paid_amount) == (
            line.city_paid_amount,
            line.county_paid_amount,
        )
        assert report.totals.passed == line.passed
        city_total += report.totals.city_amount
        county_total += report.totals.county_amount
    assert (city.totals.city_amount, city.totals.county_amount) == (city_total, county_total)
    if year == 2010:  # the city paid its whole award, two counties their matching
        assert city.totals.city_paid_amount == city.totals.city_amount > 0
        assert 0 < city.totals.county_paid_amount < city.totals.county_amount
