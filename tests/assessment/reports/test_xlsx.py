"""The Excel reports read back with openpyxl: title, Chinese headers, money as #,##0.00, dates as
dates, the totals row, and text that looks like a formula kept as text."""

import datetime as dt
import io

import openpyxl
import pytest

from assessment.models import Payment
from assessment.reports import award, sheet, summary, xlsx
from assessment.subsidies import services as subsidies
from offices.models import Town
from tests import factories

from .conftest import JIANSHE, D

pytestmark = pytest.mark.django_db


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _find_row(ws, first: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == first:
            return row
    raise AssertionError(f"no row starting with {first!r}")


def test_award_xlsx(programme, world):
    payment = Payment.objects.get(office__town__code=JIANSHE)
    subsidies.payments_mark_paid(
        actor=world.city, payments=[payment], paid_on=dt.date(2011, 3, 15), document_no="嘉民〔2011〕18号"
    )
    ws = _sheet(xlsx.award_xlsx(award.award_report(factories.county("330402"), 2010)))
    assert ws["A1"].value == "南湖区2010年度镇(街道)民政工作规范化建设以奖代补资金汇总表"
    assert "制表单位:嘉兴市民政局" in ws["A2"].value
    header = _find_row(ws, "序号")
    assert [c.value for c in ws[header]] == [c.title for c in xlsx.AWARD_COLUMNS]
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.print_title_rows == f"${header}:${header}"  # repeated on every printed page
    first = header + 1
    assert ws.cell(first, 2).value == "建设街道" and ws.cell(first, 3).value == JIANSHE
    assert ws.cell(first, 7).value == 60000 and ws.cell(first, 7).number_format == "#,##0.00"
    assert ws.cell(first, 9).value == 90000
    assert ws.cell(first, 10).value == "已拨付"  # the city's award
    assert ws.cell(first, 11).value.date() == dt.date(2011, 3, 15)  # a date, not text
    assert ws.cell(first, 11).is_date
    assert ws.cell(first, 12).value == "嘉民〔2011〕18号"
    assert ws.cell(first, 13).value == "未拨付" and ws.cell(first, 14).value is None  # the county's part
    total = _find_row(ws, "合计")
    assert total == first + 13
    assert (
        ws.cell(total, 7).value == 60000
        and ws.cell(total, 8).value == 30000
        and ws.cell(total, 9).value == 90000
    )
    assert ws.cell(total, 7).number_format == "#,##0.00" and ws.cell(total, 7).font.b
    assert ws.cell(total, 10).value == "已拨付 1" and ws.cell(total, 13).value == "已拨付 0"


def test_award_xlsx_county_paid(programme, world):
    payment = Payment.objects.get(office__town__code=JIANSHE)
    subsidies.payments_mark_county_paid(
        actor=world.county_a, payments=[payment], paid_on=dt.date(2011, 4, 1), document_no="南民〔2011〕6号"
    )
    ws = _sheet(xlsx.award_xlsx(award.award_report(factories.county("330402"), 2010)))
    first = _find_row(ws, "序号") + 1
    assert ws.cell(first, 10).value == "未拨付" and ws.cell(first, 11).value is None
    assert ws.cell(first, 13).value == "已拨付" and ws.cell(first, 14).value.date() == dt.date(2011, 4, 1)
    assert ws.cell(first, 14).is_date and ws.cell(first, 15).value == "南民〔2011〕6号"
    assert ws.cell(first + 1, 13).value in ("", None)  # nothing due: no state


def test_city_summary_xlsx(programme):
    ws = _sheet(xlsx.city_summary_xlsx(summary.city_summary(2010)))
    header = _find_row(ws, "县(市、区)")
    assert [c.value for c in ws[header]] == [c.title for c in xlsx.SUMMARY_COLUMNS]
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1)}
    assert len(rows) == 8  # 7 counties and the totals
    nanhu, xiuzhou, total = rows["南湖区"], rows["秀洲区"], rows["全市合计"]
    assert ws.cell(xiuzhou, 10).value == 16650 and ws.cell(xiuzhou, 11).value == 66650
    assert (
        ws.cell(total, 9).value == 110000
        and ws.cell(total, 10).value == 46650
        and ws.cell(total, 11).value == 156650
    )
    assert ws.cell(nanhu, 8).value == float(D("7.7")) and ws.cell(nanhu, 8).number_format == '0.0"%"'
    assert ws.cell(header, 12).value == "市级已拨付(元)" and ws.cell(header, 13).value == "县级已拨付(元)"


def test_city_summary_xlsx_paid_per_part(programme, world):
    subsidies.payments_mark_paid(
        actor=world.city,
        payments=[Payment.objects.get(office__town__code=JIANSHE)],
        paid_on=dt.date(2011, 3, 15),
        document_no="嘉民〔2011〕18号",
    )
    ws = _sheet(xlsx.city_summary_xlsx(summary.city_summary(2010)))
    nanhu = _find_row(ws, "南湖区")
    assert (ws.cell(nanhu, 12).value, ws.cell(nanhu, 13).value) == (60000, 0)


def test_scoring_sheet_xlsx(world):
    from tests.assessment.workflow import city_helpers

    year = city_helpers.open_year(world, 2010)
    city_helpers.approve_all(year, "330402")
    ws = _sheet(xlsx.scoring_sheet_xlsx(sheet.scoring_sheet(factories.office(JIANSHE), 2010)))
    header = _find_row(ws, "类别")
    codes = [ws.cell(r, 2).value for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 2).value]
    assert codes == list(year.catalog.items.order_by("order", "code").values_list("code", flat=True))
    total = _find_row(ws, "合计")
    assert ws.cell(total, 4).value == 100


def test_text_that_looks_like_a_formula_stays_text(programme):
    Town.objects.filter(code=JIANSHE).update(name='=HYPERLINK("http://x","点我")')
    Town.objects.filter(code="330402008").update(name="+1+2")
    ws = _sheet(xlsx.award_xlsx(award.award_report(factories.county("330402"), 2010)))
    first = _find_row(ws, "序号") + 1
    cell = ws.cell(first, 2)
    assert cell.value == '=HYPERLINK("http://x","点我")' and cell.data_type == "s"
    assert ws.cell(first + 1, 2).value == "+1+2" and ws.cell(first + 1, 2).data_type == "s"
