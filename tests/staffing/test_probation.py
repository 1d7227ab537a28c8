"""Director probation (任前见习): filed by the office on a staff member, shown on the roster."""

import datetime as dt

import pytest
from django.urls import reverse

from staffing.models import DirectorProbation
from tests import factories

from . import helpers

pytestmark = pytest.mark.django_db


def _url(office, member) -> str:
    return reverse("staffing:probation_edit", args=[office.town.code, member.pk])


def test_director_without_probation_is_flagged_on_the_roster(world):
    helpers.person(world.office_a, name="钱主任", post="director")
    page = factories.client_for(world.town_a).get(reverse("staffing:staff_list", args=["330402007"])).content
    assert "未登记" in page.decode()


def test_town_records_probation_and_the_roster_shows_it(world):
    director = helpers.person(world.office_a, name="钱主任", post="director")
    client = factories.client_for(world.town_a)
    assert client.get(_url(world.office_a, director)).status_code == 200
    response = client.post(_url(world.office_a, director), helpers.probation_payload(place="秀洲区民政局"))
    assert response.status_code == 302
    probation = DirectorProbation.objects.get(staff=director)
    assert probation.history.get().history_user == world.town_a
    page = client.get(response["Location"]).content.decode()
    assert "秀洲区民政局" in page and "2010-03-01 至 2010-05-31" in page


def test_editing_keeps_one_record_and_checks_the_version(world):
    director = helpers.person(world.office_a, post="director")
    probation = DirectorProbation.objects.create(
        staff=director, starts_on=dt.date(2010, 3, 1), ends_on=dt.date(2010, 5, 31), place="区民政局"
    )
    client = factories.client_for(world.town_a)
    payload = {**helpers.probation_payload(assessment="合格"), "version": probation.version}
    assert client.post(_url(world.office_a, director), payload).status_code == 302
    stale = client.post(_url(world.office_a, director), {**payload, "assessment": "覆盖"})
    assert stale.status_code == 200 and 'data-testid="conflict"' in stale.content.decode()
    probation.refresh_from_db()
    assert (probation.assessment, probation.version) == ("合格", 2)
    assert DirectorProbation.objects.filter(staff=director).count() == 1


def test_probation_end_before_start_is_refused_next_to_the_field(world):
    director = helpers.person(world.office_a, post="director")
    response = factories.client_for(world.town_a).post(
        _url(world.office_a, director),
        helpers.probation_payload(starts_on="2010-05-01", ends_on="2010-04-01"),
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.context["form"].errors["ends_on"]
    assert not DirectorProbation.objects.exists()


def test_probation_missing_place_is_refused(world):
    director = helpers.person(world.office_a, post="director")
    response = factories.client_for(world.town_a).post(
        _url(world.office_a, director), helpers.probation_payload(place="")
    )
    assert "请填写见习单位。" in response.context["form"].errors["place"]
    assert not DirectorProbation.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("county_a", 403), ("city", 403), ("town_b", 404), ("admin", 403)]
)
def test_only_the_office_files_probation(world, role, status):
    director = helpers.person(world.office_a, post="director")
    response = factories.client_for(world.roles()[role]).post(
        _url(world.office_a, director), helpers.probation_payload()
    )
    assert response.status_code == status
    assert not DirectorProbation.objects.exists()
