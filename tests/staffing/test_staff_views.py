"""The roster pages of an office: who sees and files them, what they show, and that bad input and stale
edits write nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import BIRTH, CAREER
from portal.models import SecurityEvent
from staffing.models import DirectorProbation, StaffMember, TrainingAttendance
from tests import factories

from . import helpers

pytestmark = pytest.mark.django_db


def _list_url(office, **query) -> str:
    url = reverse("staffing:staff_list", args=[office.town.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# -- the list -------------------------------------------------------------------------------------


def test_roster_lists_staff_in_post_director_first(world):
    office = world.office_a
    helpers.person(office, name="王工作", post="staff", started_on=dt.date(2001, 1, 1))
    helpers.person(office, name="赵副主任", post="deputy")
    helpers.person(office, name="钱主任", post="director", started_on=dt.date(2009, 1, 1))
    helpers.person(office, name="孙离岗", post="staff", ended_on=dt.date(2011, 6, 30))
    page = factories.client_for(world.town_a).get(_list_url(office)).content.decode()
    assert page.index("钱主任") < page.index("赵副主任") < page.index("王工作")
    assert "孙离岗" not in page
    assert "登记工作人员" in page


def test_left_toggle_shows_those_who_left(world):
    helpers.person(world.office_a, name="孙离岗", ended_on=dt.date(2011, 6, 30))
    helpers.person(world.office_a, name="周在岗")
    page = factories.client_for(world.town_a).get(_list_url(world.office_a, left=1)).content.decode()
    assert "孙离岗" in page and "2011-06-30" in page
    assert "周在岗" not in page


def test_roster_shows_the_columns_and_no_id_card(world):
    helpers.person(
        world.office_a,
        name="吴专员",
        sex="F",
        birth_date=dt.date(1980, 5, 1),
        education="college",
        employment_type="contract",
        is_full_time=False,
        post="staff",
        started_on=dt.date(2007, 9, 1),
    )
    response = factories.client_for(world.town_a).get(_list_url(world.office_a))
    page = response.content.decode()
    today = timezone.localdate()
    expected_age = today.year - 1980 - ((today.month, today.day) < (5, 1))
    for text in ("吴专员", "女", str(expected_age), "大学专科", "编外", "兼职", "工作人员", "2007-09-01"):
        assert text in page, text
    assert "身份证" not in page.replace("不登记身份证号码", "")


def test_training_badge_and_summary_for_a_year(world):
    county = helpers.county_of(world.office_a)
    trained = helpers.person(world.office_a, name="培训甲")
    helpers.person(world.office_a, name="未训乙")
    helpers.person(world.office_a, name="新来丙", started_on=dt.date(2011, 3, 1))
    training = helpers.event(county, year=2010, title="南湖区2010年度培训")
    helpers.attend(training, trained)
    helpers.attend(helpers.event(county, year=2011, title="南湖区2011年度培训"), trained)
    response = factories.client_for(world.town_a).get(_list_url(world.office_a, year=2010))
    page = response.content.decode()
    summary = page[page.index('data-testid="training-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "2010年在岗 2 人" in summary and "已参加培训 1 人" in summary and "未参加 1 人" in summary
    assert "南湖区2010年度培训" in page and "南湖区2011年度培训" not in page
    assert page.count("未参训") == 1  # 未训乙; 新来丙 was not yet in post
    assert "当年未在岗" in page


def test_year_defaults_to_the_current_year(world):
    response = factories.client_for(world.town_a).get(_list_url(world.office_a))
    assert response.context["year"] == timezone.localdate().year


@pytest.mark.parametrize(
    ("role", "status"),
    [("town_a", 200), ("county_a", 200), ("city", 200), ("town_b", 404), ("county_c", 404), ("admin", 403)],
)
def test_who_reads_the_roster(world, role, status):
    helpers.person(world.office_a, name="钱主任")
    response = factories.client_for(world.roles()[role]).get(_list_url(world.office_a))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "钱主任" in page
        # Only the office's own staff file: readers get no edit links.
        assert ("登记工作人员" in page) is (role == "town_a")


def test_anonymous_is_sent_to_login(world):
    response = factories.client_for(None).get(_list_url(world.office_a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_roster_costs_the_same_queries_for_5_and_50_people(world):
    county = helpers.county_of(world.office_a)
    training = helpers.event(county, year=2010)
    client = factories.client_for(world.town_a)

    def add(n: int) -> None:
        for _ in range(n):
            person = helpers.person(world.office_a)
            helpers.attend(training, person)
            DirectorProbation.objects.create(
                staff=person, starts_on=dt.date(2010, 1, 1), ends_on=dt.date(2010, 2, 1), place="区民政局"
            )

    add(5)
    few = factories.count_queries(client, _list_url(world.office_a), year=2010)
    add(45)
    many = factories.count_queries(client, _list_url(world.office_a), year=2010)
    assert few == many


# -- create, edit, delete -------------------------------------------------------------------------


def test_town_creates_a_staff_member_with_history(world):
    url = reverse("staffing:staff_create", args=[world.office_a.town.code])
    response = factories.client_for(world.town_a).post(url, helpers.staff_payload(name="新人员"))
    assert response.status_code == 302
    member = StaffMember.objects.get(name="新人员")
    assert member.office == world.office_a
    assert member.history.get().history_user == world.town_a


def test_town_edits_a_staff_member_with_history(world):
    member = helpers.person(world.office_a, name="原名")
    url = reverse("staffing:staff_edit", args=[world.office_a.town.code, member.pk])
    payload = helpers.staff_edit_payload(member, name="新名", ended_on="2012-01-31")
    response = factories.client_for(world.town_a).post(url, payload)
    assert response.status_code == 302 and "left=1" in response["Location"]
    member.refresh_from_db()
    assert (member.name, member.ended_on, member.version) == ("新名", dt.date(2012, 1, 31), 2)
    assert member.history.order_by("-history_date").first().history_user == world.town_a


def test_town_deletes_a_staff_member_and_its_attendance_naming_the_user(world):
    member = helpers.person(world.office_a)
    training = helpers.event(helpers.county_of(world.office_a))
    helpers.attend(training, member)
    DirectorProbation.objects.create(
        staff=member, starts_on=dt.date(2010, 1, 1), ends_on=dt.date(2010, 2, 1), place="区民政局"
    )
    url = reverse("staffing:staff_delete", args=[world.office_a.town.code, member.pk])
    client = factories.client_for(world.town_a)
    confirm = client.get(url).content.decode()
    assert "确认删除" in confirm and "1 条参训记录" in confirm
    assert client.post(url).status_code == 302
    assert not StaffMember.objects.filter(pk=member.pk).exists()
    assert not TrainingAttendance.objects.filter(staff_id=member.pk).exists()
    assert StaffMember.history.filter(id=member.pk, history_type="-").get().history_user == world.town_a
    assert (
        TrainingAttendance.history.filter(staff_id=member.pk, history_type="-").get().history_user
        == world.town_a
    )
    assert (
        DirectorProbation.history.filter(staff_id=member.pk, history_type="-").get().history_user
        == world.town_a
    )


def test_staff_member_is_looked_up_within_the_office(world):
    """Town A cannot reach office B's staff member by putting its id under A's URL."""
    other = helpers.person(world.office_b)
    client = factories.client_for(world.town_a)
    for name in ("staffing:staff_edit", "staffing:staff_delete", "staffing:probation_edit"):
        url = reverse(name, args=[world.office_a.town.code, other.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, helpers.staff_edit_payload(other, name="篡改")).status_code == 404
    other.refresh_from_db()
    assert other.name != "篡改" and StaffMember.objects.filter(pk=other.pk).exists()


def test_readers_may_not_file(world):
    url = reverse("staffing:staff_create", args=[world.office_a.town.code])
    for role in ("county_a", "city"):
        response = factories.client_for(world.roles()[role]).post(url, helpers.staff_payload(name="不该有"))
        assert response.status_code == 403
    assert not StaffMember.objects.filter(name="不该有").exists()
    assert SecurityEvent.objects.filter(kind="denied").exists()


# -- bad input ------------------------------------------------------------------------------------


def _errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"birth_date": "2099-01-01"}, "birth_date", BIRTH.problem(dt.date(2099, 1, 1))),
        ({"birth_date": "0001-01-01"}, "birth_date", BIRTH.problem(dt.date(1, 1, 1))),
        ({"started_on": "2099-01-01"}, "started_on", CAREER.problem(dt.date(2099, 1, 1))),
        (
            {"birth_date": "1990-05-01", "started_on": "2005-03-01"},
            "started_on",
            "到岗时须年满16周岁,请检查出生日期和到岗日期。",
        ),
        ({"started_on": "2009-03-01", "ended_on": "2009-01-01"}, "ended_on", "离岗日期须晚于到岗日期。"),
        ({"started_on": "2009-03-01", "ended_on": "2009-03-01"}, "ended_on", "离岗日期须晚于到岗日期。"),
        ({"birth_date": "2009-05-01", "started_on": "2009-03-01"}, "birth_date", "出生日期须早于到岗日期。"),
        ({"name": ""}, "name", "请填写姓名。"),
        ({"started_on": ""}, "started_on", "请填写到岗日期。"),
        ({"employment_type": ""}, "employment_type", "请选择人员性质。"),
    ],
)
def test_bad_input_shows_the_message_next_to_the_field_and_writes_nothing(world, changes, field, message):
    url = reverse("staffing:staff_create", args=[world.office_a.town.code])
    response = factories.client_for(world.town_a).post(url, helpers.staff_payload(**changes))
    assert response.status_code == 200
    assert message in _errors(response, field)
    page = response.content.decode()
    # The message sits in the field's own feedback block, under its input.
    assert f'<div class="invalid-feedback d-block">{message}</div>' in page
    assert 'id="id_' + field + '"' in page[: page.index(message)]
    assert not StaffMember.objects.exists()


def test_an_edit_with_an_end_before_start_writes_nothing(world):
    member = helpers.person(world.office_a, name="原名", started_on=dt.date(2009, 3, 1))
    url = reverse("staffing:staff_edit", args=[world.office_a.town.code, member.pk])
    payload = helpers.staff_edit_payload(member, name="新名", ended_on="2008-01-01")
    response = factories.client_for(world.town_a).post(url, payload)
    assert "离岗日期须晚于到岗日期。" in _errors(response, "ended_on")
    member.refresh_from_db()
    assert (member.name, member.ended_on, member.version) == ("原名", None, 1)


def test_a_stale_edit_is_refused(world):
    member = helpers.person(world.office_a, name="原名")
    url = reverse("staffing:staff_edit", args=[world.office_a.town.code, member.pk])
    shown = helpers.staff_edit_payload(member)
    client = factories.client_for(world.town_a)
    assert client.post(url, {**shown, "phone": "111"}).status_code == 302
    response = client.post(url, {**shown, "name": "覆盖"})
    assert response.status_code == 200
    assert 'data-testid="conflict"' in response.content.decode()
    member.refresh_from_db()
    assert (member.name, member.phone, member.version) == ("原名", "111", 2)


def test_an_edit_without_version_is_refused(world):
    member = helpers.person(world.office_a, name="原名")
    url = reverse("staffing:staff_edit", args=[world.office_a.town.code, member.pk])
    payload = helpers.staff_edit_payload(member, name="新名")
    del payload["version"]
    response = factories.client_for(world.town_a).post(url, payload)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.name == "原名"


def test_get_absolute_url_points_at_the_roster_row(world):
    member = helpers.person(world.office_a)
    assert member.get_absolute_url() == f"/offices/{world.office_a.town.code}/staff/#staff-{member.pk}"
    left = helpers.person(world.office_a, ended_on=dt.date(2011, 1, 1))
    assert left.get_absolute_url().endswith(f"?left=1#staff-{left.pk}")


# -- a person like one already registered -----------------------------------------------------------


def test_the_same_name_with_another_birth_date_asks_once_and_saves_when_ticked(world):
    helpers.person(
        world.office_a, name="李明", birth_date=dt.date(1980, 1, 1), started_on=dt.date(2005, 3, 1)
    )
    client = factories.client_for(world.town_a)
    url = reverse("staffing:staff_create", args=[world.office_a.town.code])
    response = client.post(url, helpers.staff_payload(name="李明", birth_date="1985-06-01"))
    assert response.status_code == 200
    [warning] = response.context["form"].non_field_errors()
    assert "可能是重复登记:李明(1980-01-01 出生,2005-03-01 到岗,在岗)" in warning
    page = response.content.decode()
    assert 'name="confirm_similar"' in page and "我已核对,不是重复登记,仍然保存" in page
    assert StaffMember.objects.filter(name="李明").count() == 1
    confirmed = helpers.staff_payload(name="李明", birth_date="1985-06-01", confirm_similar="on")
    assert client.post(url, confirmed).status_code == 302
    assert StaffMember.objects.filter(name="李明").count() == 2


def test_the_same_name_and_birth_date_is_refused_not_asked(world):
    helpers.person(world.office_a, name="李明", birth_date=dt.date(1985, 6, 1))
    url = reverse("staffing:staff_create", args=[world.office_a.town.code])
    payload = helpers.staff_payload(name="李明", confirm_similar="on")
    response = factories.client_for(world.town_a).post(url, payload)
    assert response.status_code == 200
    assert "本办已登记同名、同出生日期的工作人员,请勿重复登记。" in response.content.decode()
    assert 'name="confirm_similar"' not in response.content.decode()
    assert StaffMember.objects.filter(name="李明").count() == 1


def test_an_edit_that_keeps_the_name_is_not_asked_again(world):
    helpers.person(world.office_a, name="李明", birth_date=dt.date(1980, 1, 1))
    second = helpers.person(world.office_a, name="李明", birth_date=dt.date(1985, 6, 1))
    url = reverse("staffing:staff_edit", args=[world.office_a.town.code, second.pk])
    payload = helpers.staff_edit_payload(second, phone="13800000000")
    assert factories.client_for(world.town_a).post(url, payload).status_code == 302
