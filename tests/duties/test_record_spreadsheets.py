"""Duty records in and out of Excel: the export of the filtered list, the import into the own
office by duty number or name, identical records skipped."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import WORK
from duties.models import DutyRecord
from tests import factories
from tests.core.spreadsheets import helpers as h

from . import helpers

pytestmark = pytest.mark.django_db
HEADER = ["日期", "职责", "标题", "工作内容"]


def _url(office) -> str:
    return reverse("duties:record_import", args=[office.town.code])


def _export(client, office, fmt="xlsx", **params):
    return client.get(reverse("duties:record_export", args=[office.town.code, fmt]), params)


def test_import_by_duty_number_or_name(world):
    helpers.record(
        world.office_a,
        duty=helpers.duty(2),
        date=dt.date(2010, 5, 10),
        title="低保对象动态管理",
        content="入户核查。",
    )
    helpers.record(
        world.office_a, duty=helpers.duty(3), date=dt.date(2010, 6, 1), title="走访慰问", content="旧内容"
    )
    client = factories.client_for(world.town_a)
    content = h.xlsx_bytes(
        [
            HEADER,
            ["2010-05-10", "2", "低保对象动态管理", "入户核查。"],  # identical: skipped
            ["2010年6月1日", "优抚双拥", "走访慰问", "走访优抚对象 12 户。"],  # same record, new content
            [dt.date(2011, 3, 5), "7.殡葬管理", "清明节文明祭扫宣传", "发放倡议书,\n设咨询点。"],
            ["40242", "１１", "重阳节慰问", ""],  # an Excel serial and a full-width duty number
        ],
        title="建设街道民政办工作台账",
    )
    token, preview = h.submit(client, _url(world.office_a), content)
    assert h.problems(preview) == []
    assert "新增 2 条、修改 1 条</strong>,跳过 1 条" in preview.content.decode()
    h.confirm(client, _url(world.office_a), token)
    records = {r.title: r for r in DutyRecord.objects.filter(office=world.office_a)}
    assert records["走访慰问"].content == "走访优抚对象 12 户。" and records["走访慰问"].version == 2
    assert records["清明节文明祭扫宣传"].duty.number == 7
    assert records["清明节文明祭扫宣传"].content == "发放倡议书,\n设咨询点。"
    assert records["重阳节慰问"].date == dt.date(2010, 3, 5) and records["重阳节慰问"].duty.number == 11
    assert records["重阳节慰问"].created_by == world.town_a
    history = DutyRecord.history.filter(history_user=world.town_a).values_list("title", "history_type")
    assert sorted(history) == [("清明节文明祭扫宣传", "+"), ("走访慰问", "~"), ("重阳节慰问", "+")]


def test_record_problems_write_nothing(world):
    client = factories.client_for(world.town_a)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    content = h.csv_bytes(
        [
            HEADER,
            ["2010-05-10", "2", "好的一行", ""],
            ["2010-05-10", "15", "职责序号不对", ""],
            ["2010-05-10", "2.优抚双拥", "序号与名称不一致", ""],
            ["2010-05-10", "扶贫", "不认识的职责", ""],
            [future, "2", "未来的台账", ""],
            ["2001-05-10", "2", "太早的台账", ""],
            ["2010-05-10", "2", "", ""],
            ["2010-05-10", "2", "好的一行", "另一条"],
            ["2010-05-10", "2", "长" * 201, ""],
            ["2010-05-10", "2.救灾救济", "序号与名称的一部分", ""],
        ],
        encoding="gbk",
    )
    token, preview = h.submit(client, _url(world.office_a), content, "台账.csv")
    found = h.problems(preview)
    assert ("第 3 行", "职责(B 列)", "职责序号须为 1 至 14,“15”不是。") in found
    assert ("第 4 行", "职责(B 列)", "职责序号 2 是“救灾救济与低保”,与“优抚双拥”不一致。") in found
    assert any(r == "第 5 行" and "不认识的职责“扶贫”" in m for r, _, m in found)
    assert ("第 6 行", "日期(A 列)", WORK.problem(dt.date.fromisoformat(str(future)))) in found
    assert ("第 7 行", "日期(A 列)", WORK.problem(dt.date(2001, 5, 10))) in found
    assert ("第 8 行", "标题(C 列)", "必填,不能为空。") in found
    assert ("第 9 行", "标题(C 列)", "与第 2 行重复(同一镇(街道)、职责、日期和标题)。") in found
    assert ("第 10 行", "标题(C 列)", "不能超过 200 个字(现有 201 个)。") in found
    assert not any(r == "第 11 行" for r, _, _ in found)
    h.confirm(client, _url(world.office_a), token)
    assert not DutyRecord.objects.filter(office=world.office_a).exists()


def test_export_follows_the_filters_and_escapes_formulas(world):
    helpers.record(
        world.office_a, duty=helpers.duty(2), date=dt.date(2010, 5, 10), title='=HYPERLINK("http://evil")'
    )
    helpers.record(
        world.office_a, duty=helpers.duty(3), date=dt.date(2011, 5, 10), title="走访慰问", content="@慰问"
    )
    helpers.record(world.office_a, duty=helpers.duty(2), date=dt.date(2011, 6, 10), title="低保复核")
    helpers.record(world.office_b, duty=helpers.duty(2), date=dt.date(2011, 6, 10), title="别的办")
    client = factories.client_for(world.town_a)

    def titles(**params) -> list[str]:
        rows = list(
            h.read_xlsx(_export(client, world.office_a, **params).content).iter_rows(values_only=True)
        )
        assert rows[0] == ("镇(街道)", "日期", "职责", "标题", "工作内容", "附件数")
        return [r[3] for r in rows[1:]]

    assert titles() == ["低保复核", "走访慰问", '=HYPERLINK("http://evil")']
    assert titles(year=2011) == ["低保复核", "走访慰问"]
    assert titles(duty=2, sort="date") == ['=HYPERLINK("http://evil")', "低保复核"]
    assert titles(q="走访") == ["走访慰问"]
    sheet = h.read_xlsx(_export(client, world.office_a, duty=2, sort="date").content)
    assert sheet["D2"].data_type == "s" and sheet["D2"].quotePrefix
    assert sheet["B2"].is_date and sheet["C2"].value == "2.救灾救济与低保"
    csv = _export(client, world.office_a, "csv", year=2011).content.decode("utf-8-sig").splitlines()
    assert csv[2] == "建设街道,2011-05-10,3.优抚双拥,走访慰问,'@慰问,0"


def test_an_exported_list_imports_back_unchanged(world):
    helpers.record(world.office_a, title="低保复核", content="第一行\n第二行")
    client = factories.client_for(world.town_a)
    for fmt, name in (("xlsx", "台账.xlsx"), ("csv", "台账.csv")):
        _, preview = h.submit(
            client, _url(world.office_a), _export(client, world.office_a, fmt).content, name
        )
        assert h.problems(preview) == []
        assert "表格中的内容与现有资料完全相同" in preview.content.decode()


def test_export_costs_the_same_queries_for_5_and_500_records(world):
    client = factories.client_for(world.town_a)

    def count() -> int:
        _export(client, world.office_a)
        with CaptureQueriesContext(connection) as captured:
            assert _export(client, world.office_a).status_code == 200
        return len(captured.captured_queries)

    helpers.records(world.office_a, 5)
    few = count()
    helpers.records(world.office_a, 495)
    assert count() == few


def test_county_users_read_but_do_not_import_into_a_town(world):
    client = factories.client_for(world.county_a)
    assert _export(client, world.office_a).status_code == 200
    assert client.get(_url(world.office_a)).status_code == 403
