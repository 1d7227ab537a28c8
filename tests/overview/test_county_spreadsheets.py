"""A county in Excel: its offices with their key facts, and the imports an inspector makes for its
towns, each row naming its town (by name or 9-digit Ministry code, never the statistics code)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duties.models import DutyRecord
from offices.models import OfficeYearFacts
from staffing.choices import EmploymentType
from staffing.models import StaffMember
from tests import factories
from tests.core.spreadsheets import helpers as h
from tests.staffing import helpers as staff_helpers

pytestmark = pytest.mark.django_db
STAFF = ["镇(街道)", *h.STAFF_HEADER]


def _staff_url(county_code: str = "330402") -> str:
    return reverse("offices:county_staff_import", args=[county_code])


def test_inspector_imports_staff_for_its_towns(world):
    client = factories.client_for(world.county_a)
    content = h.xlsx_bytes(
        [
            STAFF,
            ["建设街道", *h.staff_row("甲")],
            ["330402008", *h.staff_row("乙")],  # 解放街道 by its Ministry code
            ["330402015", *h.staff_row("丙")],  # 长水街道
        ],
        title="南湖区各镇(街道)民政办工作人员名册",
    )
    token, preview = h.submit(client, _staff_url(), content)
    assert h.problems(preview) == []
    h.confirm(client, _staff_url(), token)
    placed = dict(StaffMember.objects.values_list("name", "office__town__name"))
    assert placed == {"甲": "建设街道", "乙": "解放街道", "丙": "长水街道"}
    history = StaffMember.history.filter(history_type="+").values_list("history_user__username", flat=True)
    assert set(history) == {"county_a"}


def test_rows_outside_the_county_are_errors_never_writes(world):
    client = factories.client_for(world.county_a)
    content = h.csv_bytes(
        [
            STAFF,
            ["建设街道", *h.staff_row("甲")],
            ["新城街道", *h.staff_row("乙")],  # 秀洲区
            ["330411002", *h.staff_row("丙")],  # 新城街道's code
            # 七星街道's 12-digit statistics code: its first nine digits are 长水街道's Ministry code.
            ["330402015000", *h.staff_row("丁")],
            ["不存在街道", *h.staff_row("戊")],
            ["", *h.staff_row("己")],
            ["3304020", *h.staff_row("庚")],
        ],
        encoding="gbk",
    )
    token, preview = h.submit(client, _staff_url(), content, "名册.csv")
    assert h.problems(preview) == [
        ("第 3 行", "镇(街道)(A 列)", "“新城街道”不在南湖区范围内,不能导入。"),
        ("第 4 行", "镇(街道)(A 列)", "“330411002”不在南湖区范围内,不能导入。"),
        (
            "第 5 行",
            "镇(街道)(A 列)",
            "“330402015000”是 12 位统计用区划代码;请填写 9 位民政部行政区划代码或镇(街道)名称。",
        ),
        (
            "第 6 行",
            "镇(街道)(A 列)",
            "找不到镇(街道)“不存在街道”,请填写镇(街道)全称(如“建设街道”)或 9 位民政部行政区划代码。",
        ),
        ("第 7 行", "镇(街道)(A 列)", "必填,不能为空。"),
        ("第 8 行", "镇(街道)(A 列)", "“3304020”不是 9 位民政部行政区划代码;请填写 9 位代码或镇(街道)名称。"),
    ]
    h.confirm(client, _staff_url(), token)
    assert not StaffMember.objects.exists()


def test_county_file_must_name_the_towns(world):
    client = factories.client_for(world.county_a)
    response = client.post(
        _staff_url(), {"action": "upload", "file": h.upload(h.xlsx_bytes([h.STAFF_HEADER, h.staff_row()]))}
    )
    assert "缺少必填的列:镇(街道)" in h.upload_error(response)


def test_only_the_own_county_inspector_imports(world):
    assert factories.client_for(world.county_c).get(_staff_url()).status_code == 404
    assert factories.client_for(world.city).get(_staff_url()).status_code == 403
    assert factories.client_for(world.town_a).get(_staff_url()).status_code == 403


def test_inspector_imports_duty_records_for_its_towns(world):
    client = factories.client_for(world.county_a)
    url = reverse("offices:county_record_import", args=["330402"])
    content = h.xlsx_bytes(
        [
            ["镇(街道)", "日期", "职责", "标题"],
            ["建设街道", "2010-5-10", "2", "低保复核"],
            ["解放街道", "2010-5-11", "救灾救济", "低保复核"],
        ]
    )
    token, preview = h.submit(client, url, content)
    assert h.problems(preview) == []
    h.confirm(client, url, token)
    records = DutyRecord.objects.values_list("office__town__name", "created_by__username")
    assert sorted(records) == [("建设街道", "county_a"), ("解放街道", "county_a")]


def _export(client, fmt="xlsx", **params):
    return client.get(reverse("offices:county_export", args=["330402", fmt]), params)


def test_county_export_lists_its_offices_with_their_facts(world):
    factories.staff(world.office_a, name="甲")
    factories.staff(world.office_a, name="乙", employment_type=EmploymentType.CONTRACT, is_full_time=False)
    factories.staff(world.office_a, name="丙", ended_on=dt.date(2011, 1, 1))
    factories.premises(world.office_a, 2011, "72.5")
    factories.budget(world.office_a, 2011, "50000")
    OfficeYearFacts.objects.create(office=world.office_a, year=2011, service_population=42000)
    factories.duty_record(world.office_a, date=dt.date(2011, 3, 1))
    client = factories.client_for(world.county_a)
    sheet = h.read_xlsx(_export(client, year=2011).content)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "民政部代码",
        "统计用代码",
        "镇(街道)",
        "类型",
        "民政办",
        "在岗人员",
        "其中专职",
        "其中公务员",
        "2011年服务人口",
        "2011年办公服务场所面积(平方米)",
        "2011年保障办公经费(元)",
        "2011年实际支出(元)",
        "2011年工作台账(条)",
        "2011年对照标准",
    )
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["民政部代码"] == "330402007" and sheet["A2"].data_type == "s"
    assert sheet["A2"].number_format == sheet["B2"].number_format == "@"  # codes stay text when edited
    assert first["统计用代码"] == "330402007000"
    assert (first["在岗人员"], first["其中专职"], first["其中公务员"]) == (2, 1, 1)
    assert (first["2011年服务人口"], first["2011年办公服务场所面积(平方米)"]) == (42000, 72.5)
    assert Decimal(str(first["2011年保障办公经费(元)"])) == Decimal("50000")
    assert first["2011年工作台账(条)"] == 1
    assert "项待完善" in first["2011年对照标准"]
    assert len(rows) == 1 + world.office_a.town.county.towns.count()
    # The page's search
    only = list(h.read_xlsx(_export(client, year=2011, q="解放").content).iter_rows(values_only=True))
    assert [r[2] for r in only[1:]] == ["解放街道"]


def test_county_export_scope(world):
    assert _export(factories.client_for(world.county_c)).status_code == 404
    assert _export(factories.client_for(world.city)).status_code == 200
    assert _export(factories.client_for(world.town_a)).status_code == 403


def test_county_export_costs_the_same_queries_for_5_and_500_people(world):
    client = factories.client_for(world.county_a)

    def count() -> int:
        _export(client, "csv", year=2010)
        with CaptureQueriesContext(connection) as captured:
            assert _export(client, "csv", year=2010).status_code == 200
        return len(captured.captured_queries)

    for office in (world.office_a, world.office_b):
        for _ in range(3):
            staff_helpers.person(office)
    few = count()
    for _ in range(250):
        staff_helpers.person(world.office_a)
        staff_helpers.person(world.office_b)
    assert count() == few


def test_county_page_links_its_export_with_its_filters(world):
    client = factories.client_for(world.county_a)
    html = client.get(
        reverse("offices:county_detail", args=["330402"]), {"q": "解放", "year": 2011}
    ).content.decode()
    export = reverse("offices:county_export", args=["330402", "xlsx"])
    assert f'href="{export}?q=%E8%A7%A3%E6%94%BE&amp;year=2011"' in html
    assert 'value="解放"' in html  # the search box keeps its own text
    assert reverse("offices:county_staff_import", args=["330402"]) in html
    city = (
        factories.client_for(world.city)
        .get(reverse("offices:county_detail", args=["330402"]))
        .content.decode()
    )
    assert reverse("offices:county_staff_import", args=["330402"]) not in city
