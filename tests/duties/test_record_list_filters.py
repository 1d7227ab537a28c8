"""The duty record list's filters beyond duty, year and words: with or without evidence, locked by the
assessment or still open to changes; the orders by duty and by evidence; nonsense ignored; the page
links keeping them; the cost in queries."""

import datetime as dt

import pytest
from django.urls import reverse

from assessment.choices import AssessmentState
from assessment.models import Assessment
from tests import factories
from tests.assessment.workflow import city_helpers
from tests.duties import helpers

pytestmark = pytest.mark.django_db


def _url(world) -> str:
    return reverse("duties:record_list", args=[world.office_a.town.code])


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return [r.title for r in response.context["page"].object_list]


@pytest.fixture
def filed(world):
    """Three records of 2010 (one with two files, one with one), one of 2011 without evidence."""
    a = helpers.record(world.office_a, title="甲 走访", duty=helpers.duty(5), date=dt.date(2010, 3, 1))
    b = helpers.record(world.office_a, title="乙 复核", duty=helpers.duty(2), date=dt.date(2010, 5, 2))
    c = helpers.record(world.office_a, title="丙 座谈", duty=helpers.duty(9), date=dt.date(2010, 8, 1))
    d = helpers.record(world.office_a, title="丁 检查", duty=helpers.duty(1), date=dt.date(2011, 2, 1))
    helpers.attachment(a)
    helpers.attachment(a)
    helpers.attachment(b)
    return a, b, c, d


def test_filter_by_evidence(world, filed):
    client = factories.client_for(world.town_a)
    assert _titles(client.get(_url(world), {"evidence": "with"})) == ["乙 复核", "甲 走访"]
    assert _titles(client.get(_url(world), {"evidence": "without"})) == ["丁 检查", "丙 座谈"]
    assert _titles(client.get(_url(world), {"evidence": "without", "year": 2010})) == ["丙 座谈"]


def test_filter_by_locked_or_editable(world, filed):
    year = city_helpers.open_year(world, 2010)
    Assessment.objects.filter(assessment_year=year, office=world.office_a).update(
        state=AssessmentState.SUBMITTED
    )
    client = factories.client_for(world.town_a)
    assert _titles(client.get(_url(world), {"state": "locked"})) == ["丙 座谈", "乙 复核", "甲 走访"]
    assert _titles(client.get(_url(world), {"state": "editable"})) == ["丁 检查"]
    html = client.get(_url(world)).content.decode()
    assert html.count('data-testid="locked"') == 3  # each record of the locked year says so
    # Office B's 2010 is not locked: its records are all editable.
    helpers.record(world.office_b, title="B 台账", date=dt.date(2010, 4, 1))
    other = reverse("duties:record_list", args=[world.office_b.town.code])
    assert _titles(factories.client_for(world.town_b).get(other, {"state": "locked"})) == []


def test_sort_by_duty_and_by_evidence(world, filed):
    client = factories.client_for(world.town_a)
    assert _titles(client.get(_url(world), {"sort": "duty"})) == ["丁 检查", "乙 复核", "甲 走访", "丙 座谈"]
    assert _titles(client.get(_url(world), {"sort": "-duty"})) == ["丙 座谈", "甲 走访", "乙 复核", "丁 检查"]
    assert _titles(client.get(_url(world), {"sort": "-attachments"}))[:2] == ["甲 走访", "乙 复核"]
    assert _titles(client.get(_url(world), {"sort": "attachments"}))[-2:] == ["乙 复核", "甲 走访"]


def test_nonsense_is_ignored(world, filed):
    client = factories.client_for(world.town_a)
    response = client.get(_url(world), {"evidence": "maybe", "state": "gone", "sort": "-size", "page": "x"})
    assert _titles(response) == ["丁 检查", "丙 座谈", "乙 复核", "甲 走访"]


def test_page_links_keep_the_new_filters(world):
    helpers.records(world.office_a, 45, year=2010)
    html = (
        factories.client_for(world.town_a)
        .get(_url(world), {"evidence": "with", "state": "editable", "sort": "-duty"})
        .content.decode()
    )
    assert "?evidence=with&amp;state=editable&amp;sort=-duty&amp;page=2" in html


def test_the_filtered_list_costs_the_same_for_5_and_500_records(world):
    city_helpers.open_year(world, 2010)
    client = factories.client_for(world.county_a)
    params = {"evidence": "with", "state": "editable", "sort": "-attachments"}
    helpers.records(world.office_a, 5)
    few = factories.count_queries(client, _url(world), **params)
    helpers.records(world.office_a, 495)
    assert factories.count_queries(client, _url(world), **params) == few
