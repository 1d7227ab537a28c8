"""Training attendance in and out of Excel: an inspector imports who attended its county's event,
naming town and person; the export shows each user only the attendance it may see."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staffing.models import TrainingAttendance
from tests import factories
from tests.core.spreadsheets import helpers as h

from . import helpers

pytestmark = pytest.mark.django_db
HEADER = ["镇(街道)", "姓名", "考核"]


def _url(event) -> str:
    return reverse("staffing:attendance_import", args=[event.pk])


def _attending(event) -> dict[str, bool]:
    return {
        a.staff.name: a.passed for a in TrainingAttendance.objects.filter(event=event).select_related("staff")
    }


def test_inspector_imports_attendance_of_its_county_event(world):
    event = helpers.event(world.office_a.town.county, year=2010)
    a1 = helpers.person(world.office_a, name="甲")
    helpers.person(world.office_a, name="乙")
    b1 = helpers.person(world.office_b, name="丙")
    helpers.attend(event, a1)
    client = factories.client_for(world.county_a)
    content = h.xlsx_bytes(
        [HEADER, ["建设街道", "甲", "合格"], ["330402007", "乙", ""], ["解放街道", "丙", "不合格"]],
        title="南湖区2010年民政业务培训参训人员",
    )
    token, preview = h.submit(client, _url(event), content)
    assert h.problems(preview) == []
    assert "新增 2 条、修改 0 条</strong>,跳过 1 条" in preview.content.decode()
    h.confirm(client, _url(event), token)
    assert _attending(event) == {"甲": True, "乙": True, "丙": False}
    rows = TrainingAttendance.history.filter(staff=b1).select_related("history_user")
    assert [(r.history_type, r.history_user.username) for r in rows] == [("+", "county_a")]
    # Changing a result
    token, preview = h.submit(
        client, _url(event), h.csv_bytes([HEADER, ["解放街道", "丙", "合格"]], encoding="gbk"), "x.csv"
    )
    assert "考核:不合格 → 合格" in preview.content.decode()
    h.confirm(client, _url(event), token)
    assert _attending(event)["丙"] is True


def test_attendance_problems(world):
    event = helpers.event(world.office_a.town.county, year=2010)  # 2010-04-20
    helpers.person(world.office_a, name="甲")
    helpers.person(world.office_a, name="后来的", started_on=dt.date(2011, 1, 1))
    helpers.person(world.office_c, name="外县")
    helpers.person(world.office_a, name="重名")
    helpers.person(world.office_a, name="重名", birth_date=dt.date(1985, 3, 3))  # two people, one name
    client = factories.client_for(world.county_a)
    content = h.csv_bytes(
        [
            HEADER,
            ["建设街道", "没有这人", ""],
            ["建设街道", "后来的", ""],
            ["新城街道", "外县", ""],  # a town of another county
            ["建设街道", "重名", ""],
            ["建设街道", "甲", "也许"],
            ["", "甲", ""],
            ["330402007000", "甲", ""],  # the statistics code, never matched
        ],
        bom=True,
    )
    token, preview = h.submit(client, _url(event), content, "参训.csv")
    assert h.problems(preview) == [
        ("第 2 行", "姓名(B 列)", "建设街道民政办的名册中没有“没有这人”,请先登记该工作人员。"),
        ("第 3 行", "姓名(B 列)", "“后来的”在培训期间(2010-04-20)不在建设街道民政办岗位上。"),
        ("第 4 行", "镇(街道)(A 列)", "“新城街道”不在本次培训可登记的南湖区范围内,不能导入。"),
        ("第 5 行", "姓名(B 列)", "建设街道有 2 名叫“重名”的人员,无法确定是哪一位,请在页面上勾选。"),
        ("第 6 行", "考核(C 列)", "“也许”不是可选的值,请填写:合格、不合格。"),
        ("第 7 行", "镇(街道)(A 列)", "必填,不能为空。"),
        (
            "第 8 行",
            "镇(街道)(A 列)",
            "“330402007000”是 12 位统计用区划代码;请填写 9 位民政部行政区划代码或镇(街道)名称。",
        ),
    ]
    h.confirm(client, _url(event), token)
    assert _attending(event) == {}


def test_city_event_names_towns_by_county_where_needed(world):
    event = helpers.event(None, year=2010)
    helpers.person(world.office_c, name="甲")
    client = factories.client_for(world.city)
    content = h.xlsx_bytes([["县(市、区)", *HEADER], ["秀洲区", "新城街道", "甲", "合格"]])
    token, preview = h.submit(client, _url(event), content)
    assert h.problems(preview) == []
    h.confirm(client, _url(event), token)
    assert _attending(event) == {"甲": True}


def test_town_users_and_other_counties_cannot_import(world):
    event = helpers.event(world.office_a.town.county, year=2010)
    assert factories.client_for(world.town_a).get(_url(event)).status_code == 403
    assert factories.client_for(world.county_c).get(_url(event)).status_code == 404
    assert factories.client_for(world.city).get(_url(event)).status_code == 403


def _export(client, event, fmt="xlsx", **params):
    return client.get(reverse("staffing:attendance_export", args=[event.pk, fmt]), params)


def test_export_shows_only_what_the_user_may_see(world):
    event = helpers.event(None, year=2010)
    helpers.attend(
        event,
        helpers.person(world.office_a, name="甲"),
        helpers.person(world.office_b, name="乙"),
        helpers.person(world.office_c, name="丙"),
    )

    def names(user, **params) -> list[str]:
        rows = list(
            h.read_xlsx(_export(factories.client_for(user), event, **params).content).iter_rows(
                values_only=True
            )
        )
        assert rows[0] == ("县(市、区)", "镇(街道)", "姓名", "职务", "人员性质", "考核")
        return [r[2] for r in rows[1:]]

    assert names(world.town_a) == ["甲"]
    assert names(world.county_a) == ["甲", "乙"]
    assert names(world.city) == ["甲", "乙", "丙"]
    assert names(world.city, county="330411") == ["丙"]
    csv = _export(factories.client_for(world.town_a), event, "csv").content.decode("utf-8-sig")
    assert csv.splitlines()[1] == "南湖区,建设街道,甲,主任,公务员,合格"


def test_an_exported_attendance_imports_back_unchanged(world):
    event = helpers.event(world.office_a.town.county, year=2010)
    helpers.attend(
        event, helpers.person(world.office_a, name="甲"), helpers.person(world.office_b, name="乙")
    )
    client = factories.client_for(world.county_a)
    _, preview = h.submit(client, _url(event), _export(client, event).content)
    assert h.problems(preview) == []
    assert "表格中的内容与现有资料完全相同" in preview.content.decode()


def test_export_costs_the_same_queries_for_5_and_500_attendees(world):
    event = helpers.event(world.office_a.town.county, year=2010)
    client = factories.client_for(world.county_a)

    def count() -> int:
        _export(client, event)
        with CaptureQueriesContext(connection) as captured:
            assert _export(client, event).status_code == 200
        return len(captured.captured_queries)

    helpers.attend(event, *[helpers.person(world.office_a) for _ in range(5)])
    few = count()
    helpers.attend(event, *[helpers.person(world.office_b) for _ in range(495)])
    assert count() == few
