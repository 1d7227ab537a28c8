"""The report commands write the file asked for, and refuse an unknown county, town or year in
Chinese."""

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests.assessment.workflow import city_helpers

from . import helpers as h

pytestmark = pytest.mark.django_db


def test_award_report_command(programme, tmp_path):
    out = tmp_path / "out.pdf"
    call_command("award_report", "--county", "330402", "--year", "2010", "--format", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert "以奖代补资金汇总表" in h.flat(h.text(out))


def test_city_summary_command(programme, tmp_path):
    out = tmp_path / "out.xlsx"
    call_command("city_summary", "--year", "2010", "--format", "xlsx", "-o", str(out))
    assert "以奖代补" in openpyxl.load_workbook(out).active["A1"].value


def test_scoring_sheet_command(world, tmp_path):
    city_helpers.open_year(world, 2010)
    out = tmp_path / "out.pdf"
    call_command("scoring_sheet", "--town", "330402007", "--year", "2010", "--format", "pdf", "-o", str(out))
    assert "考核评分表" in h.flat(h.text(out))


def test_default_file_name(programme, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("award_report", "--county", "330402", "--year", "2010", "--format", "xlsx")
    assert (tmp_path / "以奖代补资金汇总表_330402_2010.xlsx").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["award_report", "--county", "330499", "--year", "2010"],
            "未找到行政区划代码为 330499 的县",
        ),
        (["award_report", "--county", "330402", "--year", "2031"], "2031年度考核尚未开启"),
        (["scoring_sheet", "--town", "330402999", "--year", "2010"], "未找到民政部行政区划代码为 330402999"),
        (["scoring_sheet", "--town", "330402007", "--year", "2031"], "没有2031年度的考核"),
        (["city_summary", "--year", "2031"], "2031年度考核尚未开启"),
    ],
)
def test_clear_errors(programme, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*args, "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
