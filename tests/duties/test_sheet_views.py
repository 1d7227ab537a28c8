import pytest
from django.urls import reverse

from duties.models import DutySheetEntry
from tests import factories
from tests.duties import helpers

pytestmark = pytest.mark.django_db

VALID = {"responsibilities": "负责低保", "standard": "应保尽保", "requirements": "每月公示", "version": ""}


def sheet_url(world) -> str:
    return reverse("duties:sheet", args=[world.office_a.town.code])


def edit_url(world, number: int) -> str:
    return reverse("duties:sheet_edit", args=[world.office_a.town.code, number])


def test_sheet_lists_the_14_duties_and_the_missing_ones_for_town_staff(world):
    helpers.sheet_entry(world.office_a, 2, standard="应保尽保")
    helpers.sheet_entry(
        world.office_a, 10, not_applicable=True, not_applicable_reason="无库区移民", standard=""
    )
    response = factories.client_for(world.town_a).get(sheet_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for number in range(1, 15):
        assert f'id="duty-{number}"' in html
    assert "应保尽保" in html
    assert "无库区移民" in html
    assert html.count('data-testid="missing"') == 12
    assert "未填写 <strong>12</strong> 项" in html
    assert edit_url(world, 5) in html
    assert "只读" not in html


def test_sheet_is_read_only_for_the_county_inspector(world):
    helpers.sheet_entry(world.office_a, 2)
    response = factories.client_for(world.county_a).get(sheet_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "只读" in html
    assert "/sheet/" not in html  # no edit links
    assert "有标准" in html


def test_sheet_counts_records_of_the_year(world):
    helpers.record(world.office_a, title="二〇一〇年")
    response = factories.client_for(world.town_a).get(sheet_url(world), {"year": 2010})
    row = next(r for r in response.context["rows"] if r.duty.number == 2)
    assert row.record_count == 1
    assert "2010年台账 1 条" in response.content.decode()


def test_edit_page_renders_for_town_staff_with_the_duty_text(world):
    response = factories.client_for(world.town_a).get(edit_url(world, 10))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 10 项职责:库区移民" in html
    assert "职责原文:负责做好库区入迁我市的移民管理工作" in html


def test_town_staff_create_an_entry_and_the_history_names_them(world):
    response = factories.client_for(world.town_a).post(edit_url(world, 2), VALID)
    assert response.status_code == 302
    assert response["Location"] == sheet_url(world) + "#duty-2"
    entry = DutySheetEntry.objects.get(office=world.office_a, duty__number=2)
    assert entry.standard == "应保尽保"
    assert helpers.history_users(DutySheetEntry, entry.pk) == [("+", "town_a")]


def test_town_staff_update_an_entry_from_its_version(world):
    entry = helpers.sheet_entry(world.office_a, 2)
    data = {**VALID, "standard": "新标准", "version": entry.version}
    response = factories.client_for(world.town_a).post(edit_url(world, 2), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.standard == "新标准"
    assert entry.version == 2
    assert helpers.history_users(DutySheetEntry, entry.pk)[-1] == ("~", "town_a")


def test_marking_not_applicable_needs_a_reason_next_to_the_field(world):
    data = {**VALID, "not_applicable": "on", "not_applicable_reason": ""}
    response = factories.client_for(world.town_a).post(edit_url(world, 10), data)
    assert response.status_code == 200
    assert helpers.field_errors(response, "not_applicable_reason") == ["标记为不适用时须说明原因。"]
    assert not DutySheetEntry.objects.filter(office=world.office_a).exists()


def test_an_applicable_duty_needs_standard_and_requirements(world):
    data = {**VALID, "standard": "  ", "requirements": ""}
    response = factories.client_for(world.town_a).post(edit_url(world, 2), data)
    assert response.status_code == 200
    assert helpers.field_errors(response, "standard") == ["适用的职责须填写工作标准。"]
    assert helpers.field_errors(response, "requirements") == ["适用的职责须填写工作要求。"]
    assert "请修改下面标出的错误后再提交" in response.content.decode()
    assert not DutySheetEntry.objects.filter(office=world.office_a).exists()


def test_not_applicable_with_a_reason_is_saved_without_standards(world):
    data = {"not_applicable": "on", "not_applicable_reason": "本镇无库区移民", "version": ""}
    response = factories.client_for(world.town_a).post(edit_url(world, 10), data)
    assert response.status_code == 302
    entry = DutySheetEntry.objects.get(office=world.office_a, duty__number=10)
    assert entry.not_applicable and entry.not_applicable_reason == "本镇无库区移民"


def test_an_applicable_duty_keeps_no_reason(world):
    entry = helpers.sheet_entry(world.office_a, 10, not_applicable=True, not_applicable_reason="无")
    data = {**VALID, "not_applicable_reason": "无", "version": entry.version}
    assert factories.client_for(world.town_a).post(edit_url(world, 10), data).status_code == 302
    entry.refresh_from_db()
    assert not entry.not_applicable and entry.not_applicable_reason == ""


def test_a_stale_edit_is_refused(world):
    entry = helpers.sheet_entry(world.office_a, 2)
    client = factories.client_for(world.town_a)
    first = {**VALID, "standard": "第一次", "version": entry.version}
    second = {**VALID, "standard": "第二次", "version": entry.version}
    assert client.post(edit_url(world, 2), first).status_code == 302
    response = client.post(edit_url(world, 2), second)
    assert response.status_code == 200
    assert 'data-testid="conflict"' in response.content.decode()
    assert "本次内容没有保存" in response.content.decode()
    entry.refresh_from_db()
    assert entry.standard == "第一次"


def test_the_county_inspector_may_not_file(world):
    client = factories.client_for(world.county_a)
    assert client.get(edit_url(world, 2)).status_code == 403
    assert client.post(edit_url(world, 2), VALID).status_code == 403
    assert not DutySheetEntry.objects.exists()


def test_another_town_gets_404(world):
    client = factories.client_for(world.town_b)
    assert client.get(sheet_url(world)).status_code == 404
    assert client.post(edit_url(world, 2), VALID).status_code == 404
    assert not DutySheetEntry.objects.exists()


def test_an_unknown_duty_number_is_404(world):
    assert factories.client_for(world.town_a).get(edit_url(world, 15)).status_code == 404
