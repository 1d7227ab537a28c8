"""Exports and templates: Chinese headers, readable widths, real date cells, and text that no
spreadsheet runs as a formula."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.spreadsheets.cells import clean_free_text
from core.spreadsheets.columns import find_layout
from core.spreadsheets.reading import read_spreadsheet
from core.spreadsheets.writing import Table, csv_bytes, display_width, template_bytes, xlsx_bytes
from staffing.resources import StaffImport

DANGEROUS = ["=1+1", '=HYPERLINK("http://x","点我")', "+86 573", "-5", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def table() -> Table:
    rows = [[f"{text}", dt.date(2010, 3, 5), Decimal("80.50"), 3] for text in DANGEROUS]
    rows.append(["走访低保对象,核查家庭收入和财产状况", None, None, None])
    return Table(title="工作台账", headers=["标题", "日期", "面积(平方米)", "数量"], rows=rows)


def test_xlsx_headers_dates_numbers_and_widths():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(table()))).active
    assert sheet.title == "工作台账"
    assert [c.value for c in sheet[1]] == ["标题", "日期", "面积(平方米)", "数量"]
    assert all(c.font.b for c in sheet[1])
    date_cell = sheet["B2"]
    assert date_cell.is_date and date_cell.value.date() == dt.date(2010, 3, 5)
    assert date_cell.number_format == "yyyy-mm-dd"
    assert sheet["C2"].value == 80.5 and sheet["C2"].data_type == "n"
    assert sheet["C2"].number_format == "#,##0.00"
    # Widths fit the longest text, a Chinese character counting two, plus a margin.
    assert sheet.column_dimensions["A"].width == display_width(table().rows[-1][0]) + 2 == 37
    assert sheet.column_dimensions["B"].width == 12
    assert sheet.freeze_panes == "A2"


def test_xlsx_never_writes_a_formula():
    content = xlsx_bytes(table())
    sheet = load_workbook(io.BytesIO(content)).active
    for row, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s", text
        # The user's text, unchanged (XML reads a carriage return back as a line feed).
        assert cell.value == text.replace("\r", "\n")
        assert cell.quotePrefix, text  # Excel keeps it text even when the cell is edited
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml


def test_csv_is_utf8_with_bom_and_escapes_formulas():
    content = csv_bytes(table())
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["标题", "日期", "面积(平方米)", "数量"]
    for row, text in zip(rows[1:], DANGEROUS, strict=False):
        assert row[0] == "'" + text
        assert row[1:] == ["2010-03-05", "80.50", "3"]
    assert rows[-1][0] == "走访低保对象,核查家庭收入和财产状况"


def test_csv_export_reads_back_as_the_original_text():
    content = csv_bytes(table())
    sheet = read_spreadsheet(io.BytesIO(content), filename="x.csv", size=len(content))
    assert [clean_free_text(cells[0]) for _, cells in sheet.rows[1:8]] == [t.strip() for t in DANGEROUS]


def test_display_width_counts_chinese_double():
    assert display_width("民政") == 4
    assert display_width("ab") == 2
    assert display_width("第一行\n较长的第二行") == 12


@pytest.mark.django_db
def test_template_has_headers_lists_formats_and_notes():
    from offices.models import Office

    office = Office.objects.select_related("town").get(town__code="330402007")
    spec = StaffImport(
        offices=Office.objects.filter(pk=office.pk), fixed_office=office, scope_label="本镇(街道)"
    )
    content = template_bytes(spec.columns(), title="工作人员名册导入模板", notes=["一条说明"])
    workbook = load_workbook(io.BytesIO(content))
    data, notes = workbook.worksheets
    headers = [c.value for c in data[1]]
    assert headers[:4] == ["镇(街道)", "姓名", "性别", "出生日期"]
    assert data["B1"].font.color.rgb.endswith("C00000")  # required: red
    assert data["A1"].font.color is None or not str(data["A1"].font.color.rgb).endswith("C00000")
    assert data.column_dimensions["D"].number_format == "yyyy-mm-dd"
    assert data.column_dimensions["L"].number_format == "@"  # phone numbers keep their leading zero
    lists = {str(rule.sqref)[0]: rule.formula1 for rule in data.data_validations.dataValidation}
    assert lists["C"] == '"男,女"'
    assert "大学本科" in lists["E"]
    assert notes.title == "填写说明" and notes["A1"].value == "工作人员名册导入模板"
    assert any(row[0] == "一条说明" for row in notes.iter_rows(values_only=True))
    # The template itself is read back by the import (its header is found, it has no data rows yet).
    sheet = read_spreadsheet(io.BytesIO(content), filename="t.xlsx", size=len(content))
    with pytest.raises(Exception, match="表头下面没有数据"):
        find_layout(sheet, spec.columns())
