import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import WORK
from duties.models import DutyRecord, DutyRecordAttachment
from tests import factories
from tests.duties import helpers

pytestmark = pytest.mark.django_db


def url(world, name: str, *args, office=None) -> str:
    return reverse(f"duties:{name}", args=[(office or world.office_a).town.code, *args])


def payload(**overrides) -> dict:
    data = {
        "duty": helpers.duty(3).pk,
        "date": "2010-08-01",
        "title": "八一走访",
        "content": "走访优抚对象",
        "version": "",
    }
    data.update(overrides)
    return data


# -- reading ---------------------------------------------------------------------------------------


def test_list_and_detail_render_for_town_staff_with_edit_buttons(world):
    record = helpers.record(world.office_a)
    helpers.attachment(record)
    client = factories.client_for(world.town_a)
    listing = client.get(url(world, "record_list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert record.title in html
    assert url(world, "record_create") in html
    assert url(world, "record_edit", record.pk) in html
    assert url(world, "record_delete", record.pk) in html
    assert re.search(r'/duties/[^"]*(new|edit|delete)/', html)
    assert "1 个" in html  # attachment count
    detail = client.get(url(world, "record_detail", record.pk))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "入户核查。" in html
    assert url(world, "record_edit", record.pk) in html
    assert url(world, "attachment_create", record.pk) in html


def test_list_and_detail_are_read_only_for_the_county_inspector(world):
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record)
    client = factories.client_for(world.county_a)
    for page in (client.get(url(world, "record_list")), client.get(url(world, "record_detail", record.pk))):
        assert page.status_code == 200
        html = page.content.decode()
        assert "只读" in html
        assert record.title in html
        assert not re.search(r'/duties/[^"]*(new|edit|delete)/', html)  # no edit buttons
    # The evidence can be read, though.
    html = client.get(url(world, "record_detail", record.pk)).content.decode()
    assert reverse("evidence_download", args=["duties.dutyrecordattachment", attachment.pk, "file"]) in html
    assert reverse("evidence_preview", args=["duties.dutyrecordattachment", attachment.pk, "file"]) in html


def test_the_city_reads_every_office(world):
    record = helpers.record(world.office_c)
    client = factories.client_for(world.city)
    assert client.get(url(world, "record_detail", record.pk, office=world.office_c)).status_code == 200


def test_get_absolute_url_names_the_town(world):
    record = helpers.record(world.office_a)
    assert record.get_absolute_url() == url(world, "record_detail", record.pk)


# -- filing ----------------------------------------------------------------------------------------


def test_create_page_opens_on_today_and_the_duty_asked_for(world):
    response = factories.client_for(world.town_a).get(url(world, "record_create"), {"duty": 7})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["date"].value() == timezone.localdate()
    assert form["duty"].value() == helpers.duty(7).pk
    assert (
        factories.client_for(world.town_a).get(url(world, "record_create"), {"duty": "x"}).status_code == 200
    )


def test_town_staff_create_a_record_and_the_history_names_them(world):
    response = factories.client_for(world.town_a).post(url(world, "record_create"), payload())
    record = DutyRecord.objects.get(office=world.office_a)
    assert response.status_code == 302
    assert response["Location"] == url(world, "record_detail", record.pk)
    assert (record.title, record.duty.number, record.date) == ("八一走访", 3, dt.date(2010, 8, 1))
    assert record.created_by == world.town_a
    assert helpers.history_users(DutyRecord, record.pk) == [("+", "town_a")]


def test_town_staff_edit_a_record(world):
    record = helpers.record(world.office_a)
    client = factories.client_for(world.town_a)
    assert client.get(url(world, "record_edit", record.pk)).status_code == 200
    response = client.post(
        url(world, "record_edit", record.pk), payload(title="改后标题", version=record.version)
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.title == "改后标题" and record.version == 2
    assert helpers.history_users(DutyRecord, record.pk)[-1] == ("~", "town_a")


def test_town_staff_delete_a_record_with_its_attachments(world):
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record)
    client = factories.client_for(world.town_a)
    confirm = client.get(url(world, "record_delete", record.pk))
    assert confirm.status_code == 200
    assert "1 个附件将一并删除" in confirm.content.decode()
    response = client.post(url(world, "record_delete", record.pk))
    assert response.status_code == 302
    assert response["Location"] == url(world, "record_list")
    assert not DutyRecord.objects.filter(pk=record.pk).exists()
    assert not DutyRecordAttachment.objects.filter(pk=attachment.pk).exists()
    assert helpers.history_users(DutyRecord, record.pk)[-1] == ("-", "town_a")
    assert helpers.history_users(DutyRecordAttachment, attachment.pk)[-1] == ("-", "town_a")


def test_the_county_inspector_gets_403_and_writes_nothing(world):
    record = helpers.record(world.office_a)
    client = factories.client_for(world.county_a)
    before = DutyRecord.history.count()
    assert client.post(url(world, "record_create"), payload()).status_code == 403
    assert client.post(url(world, "record_edit", record.pk), payload(version=1)).status_code == 403
    assert client.post(url(world, "record_delete", record.pk)).status_code == 403
    assert client.get(url(world, "record_create")).status_code == 403
    assert DutyRecord.history.count() == before
    assert DutyRecord.objects.get().title == record.title


def test_another_town_gets_404_on_the_records_of_town_a(world):
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record)
    client = factories.client_for(world.town_b)
    own = world.office_b
    for name, pk in [
        ("record_detail", record.pk),
        ("record_edit", record.pk),
        ("record_delete", record.pk),
        ("attachment_create", record.pk),
        ("attachment_delete", attachment.pk),
    ]:
        # Neither through town A's address nor by putting A's id under its own office.
        assert client.get(url(world, name, pk)).status_code == 404, name
        assert client.get(url(world, name, pk, office=own)).status_code == 404, name
        if name != "record_detail":
            assert client.post(url(world, name, pk, office=own), payload(version=1)).status_code == 404, name
    assert DutyRecord.objects.filter(pk=record.pk, title=record.title).exists()
    assert DutyRecordAttachment.objects.filter(pk=attachment.pk).exists()
    assert DutyRecord.history.count() == 1


def test_missing_fields_are_shown_next_to_them(world):
    response = factories.client_for(world.town_a).post(
        url(world, "record_create"), payload(title="", duty="")
    )
    assert response.status_code == 200
    assert helpers.field_errors(response, "title") == ["这个字段是必填项。"]
    assert helpers.field_errors(response, "duty") == ["这个字段是必填项。"]
    assert not DutyRecord.objects.exists()


def test_a_future_date_is_refused(world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = factories.client_for(world.town_a).post(url(world, "record_create"), payload(date=tomorrow))
    assert response.status_code == 200
    assert helpers.field_errors(response, "date") == [WORK.problem(tomorrow)]
    assert not DutyRecord.objects.exists()


def test_a_stale_edit_is_refused_with_the_conflict_message(world):
    record = helpers.record(world.office_a)
    client = factories.client_for(world.town_a)
    target = url(world, "record_edit", record.pk)
    assert client.post(target, payload(title="先保存的", version=record.version)).status_code == 302
    response = client.post(target, payload(title="后保存的", version=record.version))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    assert "town_a" in html  # who saved in between
    record.refresh_from_db()
    assert record.title == "先保存的"


# -- the list: filters, search, sort, cost ---------------------------------------------------------


def titles(response) -> list[str]:
    return [r.title for r in response.context["page"].object_list]


@pytest.fixture
def filed(world):
    a = helpers.record(world.office_a, title="乙 敬老院检查", duty=helpers.duty(4), date=dt.date(2010, 3, 1))
    b = helpers.record(world.office_a, title="甲 低保复核", content="入户核查低保", date=dt.date(2011, 5, 2))
    c = helpers.record(world.office_a, title="丙 双拥座谈", duty=helpers.duty(3), date=dt.date(2011, 8, 1))
    helpers.record(world.office_b, title="B 的台账", date=dt.date(2011, 1, 1))
    return a, b, c


def test_list_shows_only_the_office_records_newest_first(world, filed):
    response = factories.client_for(world.town_a).get(url(world, "record_list"))
    assert titles(response) == ["丙 双拥座谈", "甲 低保复核", "乙 敬老院检查"]


def test_list_filters_by_duty_year_and_words(world, filed):
    client = factories.client_for(world.town_a)
    assert titles(client.get(url(world, "record_list"), {"duty": 4})) == ["乙 敬老院检查"]
    assert titles(client.get(url(world, "record_list"), {"year": 2011})) == ["丙 双拥座谈", "甲 低保复核"]
    assert titles(client.get(url(world, "record_list"), {"q": "低保"})) == ["甲 低保复核"]
    assert titles(client.get(url(world, "record_list"), {"q": "核查低保"})) == ["甲 低保复核"]  # content
    assert titles(client.get(url(world, "record_list"), {"duty": 3, "year": 2010})) == []
    # Nonsense filters are ignored rather than failing.
    assert (
        len(titles(client.get(url(world, "record_list"), {"duty": "x", "year": "1900", "sort": "pk"}))) == 3
    )


def test_list_sorts_by_date_or_title(world, filed):
    client = factories.client_for(world.town_a)
    assert titles(client.get(url(world, "record_list"), {"sort": "date"}))[0] == "乙 敬老院检查"
    assert titles(client.get(url(world, "record_list"), {"sort": "-date"}))[0] == "丙 双拥座谈"
    by_title = titles(client.get(url(world, "record_list"), {"sort": "title"}))
    assert by_title == sorted(by_title)
    assert titles(client.get(url(world, "record_list"), {"sort": "-title"})) == sorted(by_title, reverse=True)


def test_pages_keep_the_filters(world):
    helpers.records(world.office_a, 45, year=2010)
    response = factories.client_for(world.town_a).get(
        url(world, "record_list"), {"year": 2010, "duty": 2, "q": "台账"}
    )
    assert response.context["page"].paginator.count == 4  # duty 2: i = 1, 15, 29, 43
    response = factories.client_for(world.town_a).get(
        url(world, "record_list"), {"year": 2010, "sort": "title"}
    )
    html = response.content.decode()
    assert "?year=2010&amp;sort=title&amp;page=2" in html
    assert "共 45 条" in html


def test_the_list_costs_the_same_for_5_and_500_records(world):
    client = factories.client_for(world.county_a)
    helpers.records(world.office_a, 5)
    few = factories.count_queries(client, url(world, "record_list"))
    helpers.records(world.office_a, 495)
    many = factories.count_queries(client, url(world, "record_list"))
    assert few == many
    response = client.get(url(world, "record_list"))
    assert all(r.attachment_count == 1 for r in response.context["page"].object_list)


def test_the_same_work_on_the_same_day_under_another_title_asks_once(world):
    from tests.duties import helpers as duty_helpers

    duty_helpers.record(world.office_a, duty=duty_helpers.duty(3), date=dt.date(2010, 8, 1), title="八一走访")
    client = factories.client_for(world.town_a)
    response = client.post(url(world, "record_create"), payload(title="八一慰问走访"))
    assert response.status_code == 200
    [warning] = response.context["form"].non_field_errors()
    assert "可能是重复登记:2010-08-01“八一走访”" in warning
    assert DutyRecord.objects.count() == 1
    response = client.post(url(world, "record_create"), payload(title="八一慰问走访", confirm_similar="on"))
    assert response.status_code == 302 and DutyRecord.objects.count() == 2
    # The very same title is a double whatever is ticked: the database keeps one.
    response = client.post(url(world, "record_create"), payload(title="八一走访", confirm_similar="on"))
    assert response.status_code == 200 and DutyRecord.objects.count() == 2
