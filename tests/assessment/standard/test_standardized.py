"""When a town counts as standardized: from the first confirmed year of the programme in which it
passed, once, in one query; and the year overview, the reports and the subsidies all agree on it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.reports import summary
from assessment.standard.standardized import confirmed_years, first_passes
from assessment.subsidies import amounts
from assessment.subsidies import services as subsidies
from assessment.workflow import year_selectors
from offices.models import Office
from tests.assessment.reports import helpers as h

pytestmark = pytest.mark.django_db
JIANSHE, JIEFANG, XINJIA, XINCHENG = "330402007", "330402008", "330402009", "330411002"


@pytest.fixture
def years(world):
    """2010 and 2011 confirmed, 2012 still open: Jianshe passes twice, Jiefang in 2011 only, Xinjia
    only in the unconfirmed 2012, Xincheng (another county) in 2010."""
    y2010 = h.year(world, 2010)
    h.result(y2010, JIANSHE, "96.00", True)
    h.result(y2010, XINCHENG, "88.00", True)
    y2011 = h.year(world, 2011)
    h.result(y2011, JIANSHE, "97.00", True)
    h.result(y2011, JIEFANG, "91.00", True)
    y2012 = h.year(world, 2012, confirmed=False)
    h.result(y2012, XINJIA, "99.00", True)
    return y2010, y2011, y2012


def _office(code: str) -> Office:
    return Office.objects.select_related("town").get(town__code=code)


def test_a_town_is_standardized_from_its_first_confirmed_pass(years):
    programme = years[0].programme
    first = first_passes(programme)
    jianshe, jiefang, xincheng = _office(JIANSHE), _office(JIEFANG), _office(XINCHENG)
    assert set(first) == {jianshe.pk, jiefang.pk, xincheng.pk}  # Xinjia's year is not confirmed
    assert (first[jianshe.pk].year, first[jianshe.pk].total) == (2010, Decimal("96.00"))
    assert first[jiefang.pk].year == 2011
    assert first[xincheng.pk].county_id == xincheng.town.county_id


def test_up_to_a_year_and_among_some_offices(years):
    programme = years[0].programme
    jianshe, jiefang = _office(JIANSHE), _office(JIEFANG)
    assert set(first_passes(programme, up_to=2010)) == {jianshe.pk, _office(XINCHENG).pk}
    assert set(first_passes(programme, office_ids=[jianshe.pk, jiefang.pk])) == {jianshe.pk, jiefang.pk}
    assert confirmed_years(programme) == [2010, 2011]
    assert confirmed_years(programme.pk, up_to=2010) == [2010]


def test_one_query_whatever_the_number_of_towns(years):
    programme_id = years[0].programme_id
    with CaptureQueriesContext(connection) as captured:
        first_passes(programme_id, up_to=2012)
    assert len(captured) == 1


def test_the_overview_the_summary_and_the_subsidies_count_the_same_towns(world, years):
    y2010, y2011, _ = years
    subsidies.standard_save(actor=world.city, programme=y2010.programme, city_award=Decimal(50000), tiers=[])
    overview = year_selectors.year_overview(year_selectors.year_queryset().get(pk=y2011.pk))
    report = summary.city_summary(2011)
    due = amounts.payments_due(y2010.programme)
    first = first_passes(y2010.programme)
    assert overview.progress.standardized == report.progress.standardized == len(first) == 3
    assert overview.progress.years == [2010, 2011]
    assert sum(r.cumulative for r in overview.counties) == report.totals.cumulative == 3
    assert {office_id: d.year for office_id, d in due.items()} == {o: f.year for o, f in first.items()}
