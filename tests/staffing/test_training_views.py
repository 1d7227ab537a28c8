"""Training pages: events are the city's and the counties' own; towns read their county's and the
city's and see only their own staff in an attendance list."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.models import SecurityEvent
from staffing.models import TrainingAttendance, TrainingEvent
from tests import factories

from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):
    """A county training of each side's county and a city training."""
    county_a, county_c = helpers.county_of(world.office_a), helpers.county_of(world.office_c)
    return {
        "a": helpers.event(county_a, title="南湖区培训"),
        "c": helpers.event(county_c, title="秀洲区培训"),
        "city": helpers.event(None, title="全市培训"),
    }


# -- list -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("town_a", {"南湖区培训", "全市培训"}),
        ("town_b", {"南湖区培训", "全市培训"}),
        ("town_c", {"秀洲区培训", "全市培训"}),
        ("county_a", {"南湖区培训", "全市培训"}),
        ("county_c", {"秀洲区培训", "全市培训"}),
        ("city", {"南湖区培训", "秀洲区培训", "全市培训"}),
    ],
)
def test_list_shows_the_events_the_user_may_see(world, events, role, seen):
    response = factories.client_for(world.roles()[role]).get(reverse("staffing:training_list"))
    assert response.status_code == 200
    assert {e.title for e in response.context["page"]} == seen


def test_list_filters_by_year_and_level(world, events):
    helpers.event(helpers.county_of(world.office_a), year=2011, title="南湖区2011培训")
    client = factories.client_for(world.city)
    url = reverse("staffing:training_list")
    assert {e.title for e in client.get(url, {"year": 2011}).context["page"]} == {"南湖区2011培训"}
    assert {e.title for e in client.get(url, {"level": "city"}).context["page"]} == {"全市培训"}
    by_county = client.get(url, {"county": "330411"}).context["page"]
    assert {e.title for e in by_county} == {"秀洲区培训"}


def test_list_counts_only_the_attendees_the_user_may_see(world, events):
    helpers.attend(events["city"], helpers.person(world.office_a), helpers.person(world.office_b))
    helpers.attend(events["city"], helpers.person(world.office_c))
    counts = {}
    for role in ("town_a", "county_a", "city"):
        page = (
            factories.client_for(world.roles()[role]).get(reverse("staffing:training_list")).context["page"]
        )
        counts[role] = {e.title: e.attendee_count for e in page}["全市培训"]
    assert counts == {"town_a": 1, "county_a": 2, "city": 3}


def test_list_is_denied_to_the_administrator(world, events):
    assert factories.client_for(world.admin).get(reverse("staffing:training_list")).status_code == 403


def test_list_costs_the_same_queries_for_5_and_50_events(world):
    county = helpers.county_of(world.office_a)
    client = factories.client_for(world.county_a)
    for i in range(5):
        helpers.event(county, title=f"培训{i}")
    few = factories.count_queries(client, reverse("staffing:training_list"))
    for i in range(45):
        helpers.attend(helpers.event(county, title=f"更多培训{i}"), helpers.person(world.office_a))
    many = factories.count_queries(client, reverse("staffing:training_list"))
    assert few == many


# -- detail ---------------------------------------------------------------------------------------


def test_town_sees_only_its_own_staff_in_the_attendance(world, events):
    helpers.attend(events["city"], helpers.person(world.office_a, name="甲办人员"))
    helpers.attend(events["city"], helpers.person(world.office_b, name="乙办人员"))
    helpers.attend(events["city"], helpers.person(world.office_c, name="丙办人员"))
    url = reverse("staffing:training_detail", args=[events["city"].pk])
    pages = {
        role: factories.client_for(world.roles()[role]).get(url).content.decode()
        for role in ("town_a", "town_b", "county_a", "city")
    }
    assert (
        "甲办人员" in pages["town_a"]
        and "乙办人员" not in pages["town_a"]
        and "丙办人员" not in pages["town_a"]
    )
    assert "乙办人员" in pages["town_b"] and "甲办人员" not in pages["town_b"]
    assert (
        "甲办人员" in pages["county_a"]
        and "乙办人员" in pages["county_a"]
        and "丙办人员" not in pages["county_a"]
    )
    assert all(name in pages["city"] for name in ("甲办人员", "乙办人员", "丙办人员"))


def test_detail_of_another_countys_event_is_404(world, events):
    url = reverse("staffing:training_detail", args=[events["c"].pk])
    for role in ("town_a", "county_a"):
        assert factories.client_for(world.roles()[role]).get(url).status_code == 404
    assert SecurityEvent.objects.filter(kind="denied", detail__contains="outside scope").exists()


def test_detail_shows_record_buttons_only_to_the_recorder(world, events):
    url = reverse("staffing:training_detail", args=[events["a"].pk])
    attendance = reverse("staffing:training_attendance", args=[events["a"].pk])
    assert attendance in factories.client_for(world.county_a).get(url).content.decode()
    for role in ("town_a", "city"):
        assert attendance not in factories.client_for(world.roles()[role]).get(url).content.decode()


def test_detail_costs_the_same_queries_for_5_and_50_attendees(world, events):
    client = factories.client_for(world.city)
    url = reverse("staffing:training_detail", args=[events["city"].pk])
    offices = [world.office_a, world.office_b, world.office_c]
    for i in range(5):
        helpers.attend(events["city"], helpers.person(offices[i % 3]))
    few = factories.count_queries(client, url)
    for i in range(45):
        helpers.attend(events["city"], helpers.person(offices[i % 3]))
    many = factories.count_queries(client, url)
    assert few == many


# -- create, edit, delete -------------------------------------------------------------------------


def test_county_inspector_creates_an_event_of_its_own_county(world):
    response = factories.client_for(world.county_a).post(
        reverse("staffing:training_create"), helpers.event_payload(title="新培训")
    )
    assert response.status_code == 302
    created = TrainingEvent.objects.get(title="新培训")
    assert (created.level, created.county) == ("county", helpers.county_of(world.office_a))
    assert created.history.get().history_user == world.county_a


def test_county_inspector_cannot_create_for_another_county_by_posting_it(world):
    other = helpers.county_of(world.office_c)
    payload = helpers.event_payload(title="越权培训", county=other.pk, level="city")
    response = factories.client_for(world.county_a).post(reverse("staffing:training_create"), payload)
    assert response.status_code == 302
    created = TrainingEvent.objects.get(title="越权培训")
    assert (created.level, created.county) == ("county", helpers.county_of(world.office_a))


def test_city_creates_city_level_events(world):
    payload = helpers.event_payload(
        title="市级培训", county=helpers.county_of(world.office_a).pk, level="county"
    )
    assert (
        factories.client_for(world.city).post(reverse("staffing:training_create"), payload).status_code == 302
    )
    created = TrainingEvent.objects.get(title="市级培训")
    assert (created.level, created.county) == ("city", None)


@pytest.mark.parametrize("role", ["town_a", "admin"])
def test_towns_and_the_administrator_create_no_events(world, role):
    response = factories.client_for(world.roles()[role]).post(
        reverse("staffing:training_create"), helpers.event_payload()
    )
    assert response.status_code == 403
    assert not TrainingEvent.objects.exists()


def test_event_end_before_start_is_refused_next_to_the_field(world):
    response = factories.client_for(world.county_a).post(
        reverse("staffing:training_create"),
        helpers.event_payload(starts_on="2011-04-20", ends_on="2011-04-19"),
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.context["form"].errors["ends_on"]
    assert not TrainingEvent.objects.exists()


def test_event_missing_title_is_refused(world):
    response = factories.client_for(world.county_a).post(
        reverse("staffing:training_create"), helpers.event_payload(title="")
    )
    assert "请填写培训名称。" in response.context["form"].errors["title"]
    assert not TrainingEvent.objects.exists()


def test_inspector_edits_its_event_with_history_and_stale_edits_are_refused(world, events):
    url = reverse("staffing:training_edit", args=[events["a"].pk])
    client = factories.client_for(world.county_a)
    shown = helpers.event_edit_payload(events["a"])
    assert client.post(url, {**shown, "location": "新地点"}).status_code == 302
    stale = client.post(url, {**shown, "location": "覆盖"})
    assert stale.status_code == 200 and 'data-testid="conflict"' in stale.content.decode()
    events["a"].refresh_from_db()
    assert (events["a"].location, events["a"].version) == ("新地点", 2)
    assert events["a"].history.order_by("-history_date").first().history_user == world.county_a


def test_edit_cannot_move_an_event_to_another_county(world, events):
    url = reverse("staffing:training_edit", args=[events["a"].pk])
    payload = helpers.event_edit_payload(
        events["a"], county=helpers.county_of(world.office_c).pk, level="city"
    )
    assert factories.client_for(world.county_a).post(url, payload).status_code == 302
    events["a"].refresh_from_db()
    assert (events["a"].level, events["a"].county) == ("county", helpers.county_of(world.office_a))


@pytest.mark.parametrize(
    ("role", "side", "status"),
    [
        ("city", "a", 403),  # the city sees county events but does not record them
        ("county_a", "city", 403),
        ("town_a", "a", 403),
        ("county_a", "c", 404),
        ("town_a", "c", 404),
        ("admin", "a", 403),
    ],
)
def test_who_may_not_edit_or_delete(world, events, role, side, status):
    client = factories.client_for(world.roles()[role])
    target = events[side]
    for name in ("staffing:training_edit", "staffing:training_delete"):
        url = reverse(name, args=[target.pk])
        assert client.get(url).status_code == status
        assert client.post(url, helpers.event_edit_payload(target, title="篡改")).status_code == status
    target.refresh_from_db()
    assert target.title != "篡改"


def test_city_edits_city_events(world, events):
    url = reverse("staffing:training_edit", args=[events["city"].pk])
    payload = helpers.event_edit_payload(events["city"], title="全市培训(修订)")
    assert factories.client_for(world.city).post(url, payload).status_code == 302
    events["city"].refresh_from_db()
    assert events["city"].title == "全市培训(修订)"


def test_deleting_an_event_names_the_user_in_its_and_its_attendance_history(world, events):
    helpers.attend(events["a"], helpers.person(world.office_a))
    url = reverse("staffing:training_delete", args=[events["a"].pk])
    client = factories.client_for(world.county_a)
    assert "1 条参训记录" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not TrainingEvent.objects.filter(pk=events["a"].pk).exists()
    assert TrainingEvent.history.get(id=events["a"].pk, history_type="-").history_user == world.county_a
    assert (
        TrainingAttendance.history.get(event_id=events["a"].pk, history_type="-").history_user
        == world.county_a
    )


# -- attendance -----------------------------------------------------------------------------------


def test_attendance_lists_the_countys_staff_in_post_at_the_event(world, events):
    helpers.person(world.office_a, name="甲办人员")
    helpers.person(world.office_b, name="乙办人员")
    helpers.person(world.office_c, name="丙办人员")
    helpers.person(world.office_a, name="后来人员", started_on=dt.date(2011, 1, 1))
    helpers.person(
        world.office_a, name="早走人员", started_on=dt.date(2001, 1, 1), ended_on=dt.date(2009, 1, 1)
    )
    response = factories.client_for(world.county_a).get(
        reverse("staffing:training_attendance", args=[events["a"].pk])
    )
    page = response.content.decode()
    assert "甲办人员" in page and "乙办人员" in page
    assert "丙办人员" not in page and "后来人员" not in page and "早走人员" not in page


def test_saving_sets_exactly_the_checked_attendance_naming_the_user(world, events):
    keep, drop, add = (helpers.person(world.office_a) for _ in range(3))
    helpers.attend(events["a"], keep, drop)
    url = reverse("staffing:training_attendance", args=[events["a"].pk])
    response = factories.client_for(world.county_a).post(url, {"staff": [keep.pk, add.pk]})
    assert response.status_code == 302
    assert set(events["a"].attendances.values_list("staff_id", flat=True)) == {keep.pk, add.pk}
    assert TrainingAttendance.history.get(staff_id=add.pk, history_type="+").history_user == world.county_a
    assert TrainingAttendance.history.get(staff_id=drop.pk, history_type="-").history_user == world.county_a


def test_attendance_of_another_countys_staff_writes_nothing(world, events):
    ours = helpers.person(world.office_a)
    theirs = helpers.person(world.office_c)
    helpers.attend(events["a"], ours)
    url = reverse("staffing:training_attendance", args=[events["a"].pk])
    response = factories.client_for(world.county_a).post(url, {"staff": [theirs.pk]})
    assert response.status_code == 200
    assert 'data-testid="attendance-error"' in response.content.decode()
    # All or nothing: not even the removal of `ours` happened.
    assert list(events["a"].attendances.values_list("staff_id", flat=True)) == [ours.pk]


def test_garbage_staff_ids_write_nothing(world, events):
    url = reverse("staffing:training_attendance", args=[events["a"].pk])
    response = factories.client_for(world.county_a).post(url, {"staff": ["x"]})
    assert response.status_code == 200
    assert not TrainingAttendance.objects.exists()


def test_county_inspector_cannot_mark_attendance_for_another_countys_event(world, events):
    theirs = helpers.person(world.office_c)
    url = reverse("staffing:training_attendance", args=[events["c"].pk])
    assert factories.client_for(world.county_a).post(url, {"staff": [theirs.pk]}).status_code == 404
    assert (
        factories.client_for(world.county_a)
        .post(reverse("staffing:training_attendance", args=[events["city"].pk]), {"staff": [theirs.pk]})
        .status_code
        == 403
    )
    assert not TrainingAttendance.objects.exists()


def test_city_event_needs_a_county_or_office_chosen_first(world, events):
    helpers.person(world.office_a, name="甲办人员")
    helpers.person(world.office_b, name="乙办人员")
    helpers.person(world.office_c, name="丙办人员")
    client = factories.client_for(world.city)
    url = reverse("staffing:training_attendance", args=[events["city"].pk])
    page = client.get(url).content.decode()
    assert "请先选择县(市、区)" in page and "甲办人员" not in page
    page = client.get(url, {"county": "330402"}).content.decode()
    assert "甲办人员" in page and "乙办人员" in page and "丙办人员" not in page
    page = client.get(url, {"office": world.office_a.town.code}).content.decode()
    assert "甲办人员" in page and "乙办人员" not in page


def test_city_saving_one_office_leaves_the_others_alone(world, events):
    a1, a2 = helpers.person(world.office_a), helpers.person(world.office_a)
    b1 = helpers.person(world.office_b)
    helpers.attend(events["city"], a1, b1)
    url = (
        reverse("staffing:training_attendance", args=[events["city"].pk])
        + f"?office={world.office_a.town.code}"
    )
    client = factories.client_for(world.city)
    assert client.post(url, {"staff": [a2.pk]}).status_code == 302
    assert set(events["city"].attendances.values_list("staff_id", flat=True)) == {a2.pk, b1.pk}
    # A person of an office not shown is refused, all or nothing.
    response = client.post(url, {"staff": [a1.pk, b1.pk]})
    assert response.status_code == 200
    assert set(events["city"].attendances.values_list("staff_id", flat=True)) == {a2.pk, b1.pk}


def test_city_post_without_a_choice_writes_nothing(world, events):
    person = helpers.person(world.office_a)
    url = reverse("staffing:training_attendance", args=[events["city"].pk])
    assert factories.client_for(world.city).post(url, {"staff": [person.pk]}).status_code == 200
    assert not TrainingAttendance.objects.exists()


def test_attendance_page_costs_the_same_queries_for_5_and_50_people(world, events):
    client = factories.client_for(world.county_a)
    url = reverse("staffing:training_attendance", args=[events["a"].pk])
    for i in range(5):
        helpers.person([world.office_a, world.office_b][i % 2])
    few = factories.count_queries(client, url)
    for i in range(45):
        person = helpers.person([world.office_a, world.office_b][i % 2])
        if i % 3 == 0:
            helpers.attend(events["a"], person)
    many = factories.count_queries(client, url)
    assert few == many


# -- overview -------------------------------------------------------------------------------------


def test_overview_shows_a_county_that_held_no_training(world):
    county_a, county_c = helpers.county_of(world.office_a), helpers.county_of(world.office_c)
    helpers.event(county_a, year=2010, starts_on=dt.date(2010, 5, 19), ends_on=dt.date(2010, 5, 20))
    helpers.event(county_a, year=2011)
    helpers.event(county_c, year=2010)
    helpers.event(None, year=2010, starts_on=dt.date(2010, 4, 20), ends_on=dt.date(2010, 4, 22))
    response = factories.client_for(world.city).get(reverse("staffing:training_overview"), {"year": 2011})
    overview = response.context["overview"]
    assert overview.years == [2010, 2011]
    rows = {row.county.code: row for row in overview.rows}
    assert len(rows) == 7
    assert rows["330402"].years == [(2010, dt.date(2010, 5, 19), 1), (2011, dt.date(2011, 4, 20), 1)]
    assert rows["330411"].years[1] == (2011, None, 0) and rows["330411"].missed == 1
    assert rows["330421"].missed == 2
    assert overview.city.last.starts_on == dt.date(2010, 4, 20) and overview.city.within_interval
    page = response.content.decode()
    assert "未举办" in page and "5月19日" in page and "在三年周期内" in page


def test_overview_flags_a_city_training_older_than_three_years(world):
    helpers.event(None, year=2010)
    overview = (
        factories.client_for(world.city)
        .get(reverse("staffing:training_overview"), {"year": 2013})
        .context["overview"]
    )
    assert overview.years == [2010, 2011, 2012, 2013]
    assert not overview.city.within_interval and overview.city.due_year == 2012
    nothing = factories.client_for(world.city).get(reverse("staffing:training_overview"), {"year": 2010})
    assert nothing.context["overview"].city.last is not None


def test_overview_covers_five_years(world):
    response = factories.client_for(world.city).get(reverse("staffing:training_overview"), {"year": 2016})
    assert response.context["overview"].years == [2012, 2013, 2014, 2015, 2016]


def test_county_inspector_sees_only_its_county_in_the_overview(world):
    helpers.event(helpers.county_of(world.office_c), year=2010)
    response = factories.client_for(world.county_a).get(reverse("staffing:training_overview"), {"year": 2010})
    assert [row.county.code for row in response.context["overview"].rows] == ["330402"]
    assert "秀洲区" not in response.content.decode()


@pytest.mark.parametrize("role", ["town_a", "admin"])
def test_overview_is_not_for_towns_or_the_administrator(world, role):
    assert (
        factories.client_for(world.roles()[role]).get(reverse("staffing:training_overview")).status_code
        == 403
    )


def test_overview_costs_the_same_queries_for_few_and_many_events(world):
    client = factories.client_for(world.city)
    url = reverse("staffing:training_overview")
    helpers.event(helpers.county_of(world.office_a), year=2010)
    few = factories.count_queries(client, url, year=2012)
    from offices.models import County

    for county in County.objects.all():
        for year in (2010, 2011, 2012):
            helpers.event(county, year=year)
    helpers.event(None, year=2011)
    many = factories.count_queries(client, url, year=2012)
    assert few == many
