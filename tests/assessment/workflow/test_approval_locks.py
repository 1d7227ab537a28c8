"""Approvals that hold: once a town's self-assessment is submitted, approved or confirmed, no path
(a page, an import, a service, a plain save) changes a record of that year, and the score the county
approved stays the score. Returning the town lifts the lock; a confirmed year stays locked."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from assessment.choices import AssessmentState, CountyState
from assessment.models import Assessment
from assessment.standard import scoring
from assessment.workflow import selectors, services
from core.locks import RecordLocked, correcting
from duties.models import DutyRecord, DutySheetEntry
from offices.models import Premises
from staffing.models import StaffMember
from tests import factories
from tests.assessment.workflow import city_helpers
from tests.core.spreadsheets import helpers as h
from tests.duties import helpers as duty_helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world):
    return city_helpers.open_year(world, 2010)


def _assessment(year, office) -> Assessment:
    return year.assessments.select_related("office__town__county", "assessment_year__catalog").get(
        office=office
    )


def _approve(world, year) -> Assessment:
    """Town a submits with 90 m² premises; the county scores on site and approves."""
    Premises.objects.create(office=world.office_a, year=2010, area_m2=Decimal(90), is_fixed=True)
    a = _assessment(year, world.office_a)
    services.self_assessment_submit(actor=world.town_a, assessment=a)
    city_helpers.score_on_site(year)
    services.county_score_save(
        actor=world.county_a, assessment=a, visit_date=dt.date(2010, 11, 5), inspectors="张三", items=[]
    )
    services.county_approve(actor=world.county_a, assessment=a)
    return a


def _url(name, office, *args):
    return reverse(f"offices:{name}", args=[office.town.code, *args])


def test_an_approved_score_does_not_move_and_its_records_are_read_only(world, year):
    a = _approve(world, year)
    approved = selectors.score_sheet(_assessment(year, world.office_a)).points
    client = factories.client_for(world.town_a)

    # The page refuses the edit with the reason; nothing changes.
    page = client.post(
        _url("premises_edit", world.office_a, 2010), {"area_m2": "50", "is_fixed": "on", "version": 1}
    )
    assert page.status_code == 200 and "已由县级审定" in page.content.decode()
    assert Premises.objects.get(office=world.office_a, year=2010).area_m2 == Decimal(90)
    # A plain save, a create or a delete are refused below every page.
    premises = Premises.objects.get(office=world.office_a, year=2010)
    premises.area_m2 = Decimal(50)
    with pytest.raises(RecordLocked):
        premises.save()
    with pytest.raises(RecordLocked), transaction.atomic():  # a delete runs in a transaction of its own
        Premises.objects.get(office=world.office_a, year=2010).delete()
    with pytest.raises(RecordLocked):
        duty_helpers.record(world.office_a, date=dt.date(2010, 6, 1), title="补登的台账")
    # The year-less duty sheet is locked while the town is under review, too.
    entry = DutySheetEntry.objects.filter(office=world.office_a).first()
    if entry is not None:
        entry.not_applicable = not entry.not_applicable
        with pytest.raises(RecordLocked):
            entry.save()

    assert selectors.score_sheet(_assessment(year, world.office_a)).points == approved
    # Another year of the same office stays open.
    Premises.objects.create(office=world.office_a, year=2011, area_m2=Decimal(70))
    # Another town is not locked by town a's approval.
    Premises.objects.create(office=world.office_c, year=2010, area_m2=Decimal(70))

    # Returning the town lifts the lock.
    services.county_return(actor=world.county_a, assessment=a, comment="请核实办公用房面积")
    premises = Premises.objects.get(office=world.office_a, year=2010)
    premises.area_m2 = Decimal(50)
    premises.save()


def test_staff_of_a_locked_year_keep_what_the_score_read_but_may_leave_later(world, year):
    person = StaffMember.objects.create(
        office=world.office_a,
        name="陈明",
        sex="M",
        birth_date=dt.date(1980, 1, 1),
        education="bachelor",
        employment_type="civil_servant",
        started_on=dt.date(2008, 3, 1),
    )
    _approve(world, year)
    person.birth_date = dt.date(1981, 1, 1)
    with pytest.raises(RecordLocked):
        person.save()
    person.refresh_from_db()
    person.phone = "13800000000"  # not read by the standard
    person.save()
    person.ended_on = dt.date(2012, 6, 30)  # leaving after the locked year changes nothing in 2010
    person.save()
    with pytest.raises(RecordLocked):  # a member back-dated into 2010
        StaffMember.objects.create(
            office=world.office_a,
            name="补录",
            sex="F",
            birth_date=dt.date(1990, 1, 1),
            education="bachelor",
            employment_type="civil_servant",
            started_on=dt.date(2010, 2, 1),
        )


def test_an_import_into_a_locked_year_is_refused_row_by_row(world, year):
    _approve(world, year)
    client = factories.client_for(world.town_a)
    url = reverse("duties:record_import", args=[world.office_a.town.code])
    content = h.xlsx_bytes(
        [
            ["日期", "职责", "标题", "工作内容"],
            ["2010-06-01", "2", "补登的低保台账", "入户核查。"],
            ["2011-03-05", "2", "新年度台账", "入户核查。"],
        ]
    )
    token, preview = h.submit(client, url, content)
    problems = h.problems(preview)
    assert len(problems) == 1 and "2010年度考核已由县级审定" in str(problems[0])
    h.confirm(client, url, token)
    assert not DutyRecord.objects.filter(office=world.office_a).exists()  # all or nothing


def test_a_confirmed_year_stays_read_only_except_through_a_correction(world, year):
    _approve(world, year)
    city_helpers.approve_all(year)
    city_helpers.confirm(world, year)
    client = factories.client_for(world.town_a)
    page = client.post(_url("premises_edit", world.office_a, 2010), {"area_m2": "5", "version": 1})
    assert "已由市局确认" in page.content.decode()
    with pytest.raises(RecordLocked):
        duty_helpers.record(world.office_a, date=dt.date(2010, 6, 1), title="补登的台账")
    premises = Premises.objects.get(office=world.office_a, year=2010)
    premises.area_m2 = Decimal(95)
    with correcting():  # an approved correction, the one way past the lock
        premises.save()
    assert Premises.objects.get(office=world.office_a, year=2010).area_m2 == Decimal(95)


def test_a_lock_refusal_outside_a_form_answers_in_chinese_not_with_a_server_error(world, year):
    _approve(world, year)
    record_year_2010 = DutyRecord.objects.filter(office=world.office_a, date__year=2010).first()
    assert record_year_2010 is None
    client = factories.client_for(world.town_a)
    premises = Premises.objects.get(office=world.office_a, year=2010)
    response = client.post(
        _url("premises_edit", world.office_a, 2010), {"area_m2": "80", "version": premises.version}
    )
    assert response.status_code in (200, 409)
    assert "已锁定" in response.content.decode() or "已由县级审定" in response.content.decode()


def test_approving_keeps_the_points_and_every_page_shows_the_same_score(world, year):
    a = _approve(world, year)
    stored = Assessment.objects.get(pk=a.pk)
    # A record that is not of the year (the year after) does not move the approved score either.
    scoring.refresh([stored])
    stored.refresh_from_db()
    sheet = selectors.score_sheet(_assessment(year, world.office_a))
    assert sheet.points == stored.total
    town = factories.client_for(world.town_a)
    home = town.get(
        reverse("offices:office_detail", args=[world.office_a.town.code]), {"year": 2010}
    ).content.decode()
    assert f"{stored.total:.2f}" in home
    years = town.get(reverse("assessment:year_list")).content.decode()
    assert f"{stored.total:.2f}" in years
    assert stored.state == AssessmentState.APPROVED
    assert year.county_results.get(county=world.office_a.town.county).state == CountyState.OPEN


def _page_posts(world):
    """(url, data) of every record page a town files on, each aimed at 2010."""
    code = world.office_a.town.code
    duty = duty_helpers.duty(2)
    return [
        (reverse("offices:facts_edit", args=[code, 2010]), {"service_population": "45000"}),
        (reverse("offices:budget_edit", args=[code, 2010]), {"guaranteed_funds": "30000", "spending": "100"}),
        (reverse("offices:rule_edit", args=[code, 2010, "office_duties"]), {"posted_on": "2010-03-01"}),
        (
            reverse("offices:plan_edit", args=[code, 2010, "annual"]),
            {"title": "年度计划", "adopted_on": "2010-02-01"},
        ),
        (
            reverse("offices:check_create", args=[code]),
            {"checked_on": "2010-06-01", "checked_by": "主任", "scope": "台账", "findings": "齐全"},
        ),
        (
            reverse("duties:record_create", args=[code]),
            {"duty": duty.pk, "date": "2010-06-01", "title": "补登", "content": "补登的台账"},
        ),
        (
            reverse("staffing:staff_create", args=[code]),
            {
                "name": "补录人员",
                "sex": "F",
                "birth_date": "1990-01-01",
                "education": "bachelor",
                "employment_type": "civil_servant",
                "is_full_time": "on",
                "post": "staff",
                "started_on": "2010-02-01",
            },
        ),
    ]


def test_no_record_page_files_anything_into_a_confirmed_year(world, year):
    from duties.models import DutyRecord as Duty
    from offices.models import Budget, InternalCheck, OfficeYearFacts, Plan, PostedRule

    _approve(world, year)
    city_helpers.approve_all(year)
    city_helpers.confirm(world, year)
    models = (OfficeYearFacts, Budget, PostedRule, Plan, InternalCheck, Duty, StaffMember)
    before = {m: m.objects.count() for m in models}
    client = factories.client_for(world.town_a)
    for url, data in _page_posts(world):
        response = client.post(url, data)
        assert response.status_code in (200, 409), url
        assert "已由市局确认" in response.content.decode(), url
    assert {m: m.objects.count() for m in models} == before


def test_moving_a_training_into_another_year_cannot_change_a_locked_one(world, year):
    from staffing import services as staffing_services
    from staffing.choices import TrainingKind, TrainingLevel
    from staffing.models import TrainingAttendance, TrainingEvent

    person = factories.staff(world.office_a, started_on=dt.date(2008, 3, 1))
    event = TrainingEvent.objects.create(
        level=TrainingLevel.COUNTY,
        county=world.office_a.town.county,
        kind=TrainingKind.PERIODIC,
        title="2010年度业务培训",
        starts_on=dt.date(2010, 5, 10),
        ends_on=dt.date(2010, 5, 11),
    )
    TrainingAttendance.objects.create(event=event, staff=person)
    _approve(world, year)
    event.starts_on, event.ends_on = dt.date(2011, 1, 10), dt.date(2011, 1, 11)
    with pytest.raises(RecordLocked, match="培训日期改到另一年度"):
        staffing_services.training_event_update(
            actor=world.county_a, event=event, expected_version=event.version
        )
    assert TrainingEvent.objects.get(pk=event.pk).starts_on == dt.date(2010, 5, 10)
