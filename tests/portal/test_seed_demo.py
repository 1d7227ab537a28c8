"""`seed_demo` builds a varied demo city with its accounts, and running it again adds nothing."""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from duties.models import DutyRecord
from jiaxing_minzheng.choices import Role
from jiaxing_minzheng.demo_data import profile_for, staffing_norm
from jiaxing_minzheng.models import User
from offices.models import Budget, Office, PostedRule, Premises
from staffing.models import StaffMember

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development_settings(settings):
    # pytest-django runs with DEBUG off; seed_demo is meant for development and demo machines.
    settings.DEBUG = True


def _counts() -> dict[str, int]:
    labels = ("offices", "duties", "staffing", "portal")
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in labels}


def test_seed_demo_builds_the_city_and_is_idempotent(capsys):
    call_command("seed_demo", "--quiet-accounts")
    first = _counts()
    out = capsys.readouterr().out
    assert "demo12345" in out and "county_330402" in out

    call_command("seed_demo")
    assert _counts() == first

    # Every office has records in each programme year; 80 accounts: 1 city, 7 counties, 72 towns.
    assert User.objects.count() == 80
    for year in (2010, 2011, 2012):
        assert Budget.objects.filter(year=year).count() == 72
        assert Premises.objects.filter(year=year).count() == 72
        assert PostedRule.objects.filter(year=year).count() == 72 * 6
        assert DutyRecord.objects.filter(date__year=year).values("office").distinct().count() == 72
    assert StaffMember.objects.values("office").distinct().count() == 72


def test_demo_accounts_sign_in_and_are_bound(rf):
    call_command("seed_demo", "--quiet-accounts")
    request = rf.get("/")
    city = authenticate(request, username="city", password="demo12345")
    county = authenticate(request, username="county_330402", password="demo12345")
    town = authenticate(request, username="town_330402007", password="demo12345")
    assert city.role == Role.CITY
    assert county.role == Role.COUNTY and county.county.code == "330402"
    assert town.role == Role.TOWN and town.office.town.code == "330402007"


def test_demo_city_varies_between_offices():
    call_command("seed_demo", "--quiet-accounts")
    # Some offices miss the standard in different ways in 2010, and fewer do by 2012.
    small_2010 = Premises.objects.filter(year=2010, area_m2__lt=60).count()
    small_2012 = Premises.objects.filter(year=2012, area_m2__lt=60).count()
    assert small_2010 > 0 and small_2012 < small_2010
    no_photo = PostedRule.objects.filter(year=2010, photo="").values("office").distinct().count()
    assert 0 < no_photo < 72
    civil_servants_2010 = StaffMember.objects.filter(
        employment_type="civil_servant", started_on__lte="2010-12-31"
    )
    offices_without_civil_servant = Office.objects.exclude(
        pk__in=civil_servants_2010.values("office")
    ).count()
    assert 0 < offices_without_civil_servant < 72
    assert len({frozenset(profile_for(o.town.code).gaps) for o in Office.objects.select_related("town")}) > 5


def test_staffing_norm_bands():
    assert staffing_norm(29_999) == 2
    assert staffing_norm(30_000) == 3
    assert staffing_norm(60_000) == 3
    assert staffing_norm(60_001) == 4


def test_refuses_a_production_configuration(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝写入演示数据"):
        call_command("seed_demo")
    assert not User.objects.exists()
