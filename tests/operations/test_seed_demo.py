"""`seed_demo` builds a varied demo city with its accounts and assessment years, and running it
again adds nothing."""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count

from assessment.choices import AssessmentState, YearState
from assessment.models import AssessmentYear, RectificationTask
from assessment.standard.gaps import office_gaps
from duties.models import DutyRecord
from offices.models import Budget, Office, PostedRule, Premises
from operations.demo_data import profile_for, seed_demo_city, staffing_norm
from portal.choices import Role
from portal.models import User
from staffing.models import StaffMember

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    labels = ("offices", "duties", "staffing", "portal", "assessment")
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in labels}


def test_seed_demo_builds_the_city_and_is_idempotent(seeded_city):
    first = _counts()
    seed_demo_city()
    assert _counts() == first

    # 80 accounts: 1 city, 7 counties, 72 towns; every office has records in each programme year.
    assert User.objects.count() == 80
    for year in (2010, 2011, 2012):
        assert Budget.objects.filter(year=year).count() == 72
        assert Premises.objects.filter(year=year).count() == 72
        assert PostedRule.objects.filter(year=year).count() == 72 * 6
        assert DutyRecord.objects.filter(date__year=year).values("office").distinct().count() == 72
    assert StaffMember.objects.values("office").distinct().count() == 72


def test_demo_accounts_sign_in_and_are_bound(seeded_city, rf):
    request = rf.get("/")
    city = authenticate(request, username="city", password="demo12345")
    county = authenticate(request, username="county_330402", password="demo12345")
    town = authenticate(request, username="town_330402007", password="demo12345")
    assert city.role == Role.CITY
    assert county.role == Role.COUNTY and county.county.code == "330402"
    assert town.role == Role.TOWN and town.office.town.code == "330402007"


def test_demo_city_varies_between_offices(seeded_city):
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


def test_demo_programme_shows_every_state(seeded_city):
    years = {y.year: y for y in AssessmentYear.objects.all()}
    assert years[2010].state == years[2011].state == YearState.CONFIRMED
    assert years[2012].state == YearState.OPEN
    passed = {y: years[y].assessments.filter(result="pass").count() for y in (2010, 2011)}
    assert 0 < passed[2010] < passed[2011] <= 72  # the programme makes progress
    states_2012 = set(years[2012].assessments.values_list("state", flat=True))
    assert {
        AssessmentState.DRAFT,
        AssessmentState.SUBMITTED,
        AssessmentState.RETURNED,
        AssessmentState.APPROVED,
    } <= states_2012
    assert (
        years[2010].assessments.filter(sampled=True).count() == 10
    )  # at least one per county, 10 % rounded up
    tasks = dict(RectificationTask.objects.values_list("state").annotate(n=Count("id")))
    assert tasks.get("open") and tasks.get("closed")


def test_offices_without_planned_gaps_meet_the_standard(seeded_city):
    clean = [o for o in Office.objects.select_related("town") if not profile_for(o.town.code).gaps]
    assert clean
    # A demo office with no planned gap may still miss initial training for a newcomer or a
    # director's probation (drawn at random); beyond those it meets every requirement.
    for office in clean[:5]:
        others = [
            m
            for m in (g.message for g in office_gaps(office, 2012))
            if "初任培训" not in m and "见习" not in m
        ]
        assert others == [], (office, others)


def test_staffing_norm_bands():
    assert staffing_norm(29_999) == 2
    assert staffing_norm(30_000) == 3
    assert staffing_norm(60_000) == 3
    assert staffing_norm(60_001) == 4


def test_refuses_a_production_configuration(settings):
    before = _counts()
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝写入演示数据"):
        call_command("seed_demo")
    assert _counts() == before


def test_command_prints_the_accounts(settings, capsys, seeded_city):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-accounts")
    out = capsys.readouterr().out
    assert "demo12345" in out and "county_330402" in out
