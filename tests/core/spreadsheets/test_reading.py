"""Files as offices save them: XLSX from Excel and WPS, CSV in UTF-8 (with or without BOM), GBK or
UTF-16, title rows above the header, columns in any order, empty rows at the end."""

import datetime as dt
import io

import pytest

from core.spreadsheets.columns import Column, find_layout
from core.spreadsheets.reading import SpreadsheetError, read_spreadsheet

from . import helpers as h

COLUMNS = [
    Column("town", "镇(街道)", ("镇街道",)),
    Column("name", "姓名", required=True),
    Column("birth_date", "出生日期", required=True),
]


def read(content: bytes, name: str = "x.xlsx", **kwargs):
    return read_spreadsheet(io.BytesIO(content), filename=name, size=len(content), **kwargs)


def layout_of(content: bytes, name: str = "x.xlsx"):
    return find_layout(read(content, name), COLUMNS)


def test_xlsx_under_a_merged_title_row():
    content = h.xlsx_bytes(
        [["姓名", "出生日期"], ["张伟", dt.date(1980, 5, 1)], ["李娜", 29221]],
        title="嘉兴市南湖区建设街道民政办工作人员名册",
    )
    layout, rows = layout_of(content)
    assert layout.header_row == 2
    assert layout.letters == {"name": "A", "birth_date": "B"}
    assert [(r.number, r.cells) for r in rows] == [
        (3, {"name": "张伟", "birth_date": "1980-05-01"}),  # a date cell
        (4, {"name": "李娜", "birth_date": "29221"}),  # a number: read as a serial by the date parser
    ]


def test_columns_in_any_order_with_aliases_hints_and_required_marks():
    content = h.xlsx_bytes(
        [["备注", "*出生日期(年月日)", "镇街道", " 姓 名 "], ["", "1980-5-1", "建设街道", "张伟"]]
    )
    layout, rows = layout_of(content)
    assert layout.letters == {"birth_date": "B", "town": "C", "name": "D"}
    assert layout.ignored == ["备注(A 列)"]
    assert rows[0].cells == {"birth_date": "1980-5-1", "town": "建设街道", "name": "张伟"}


def test_empty_rows_at_the_end_and_in_between_are_skipped():
    content = h.xlsx_bytes(
        [["姓名", "出生日期"], ["张伟", "1980-5-1"], ["", ""], ["李娜", "1981-5-1"], *[[None, None]] * 50]
    )
    _, rows = layout_of(content)
    assert [r.number for r in rows] == [2, 4]


def test_trailing_empty_formatted_rows_of_a_real_workbook():
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "出生日期"])
    sheet.append(["张伟", "1980-5-1"])
    for row in range(3, 503):  # formatted but empty, as when a whole block was coloured
        sheet.cell(row=row, column=1).fill = PatternFill("solid", fgColor="FFFF00")
    out = io.BytesIO()
    workbook.save(out)
    _, rows = layout_of(out.getvalue())
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [("utf-8", False, "UTF-8"), ("utf-8", True, "UTF-8"), ("gbk", False, "GBK"), ("gb18030", False, "GBK")],
)
def test_csv_encodings(encoding, bom, label):
    content = h.csv_bytes(
        [["姓名", "出生日期"], ["张伟", "1980年5月1日"], ["欧阳娜娜", "1981/5/1"]], encoding=encoding, bom=bom
    )
    sheet = read(content, "名册.csv")
    assert sheet.format == "csv" and sheet.encoding == label
    _, rows = find_layout(sheet, COLUMNS)
    assert [r.cells["name"] for r in rows] == ["张伟", "欧阳娜娜"]


def test_csv_unicode_text_from_excel_is_utf16_with_tabs():
    content = "\ufeff姓名\t出生日期\r\n张伟\t1980-5-1\r\n".encode("utf-16-le")
    sheet = read(content, "名册.txt")
    _, rows = find_layout(sheet, COLUMNS)
    assert rows[0].cells == {"name": "张伟", "birth_date": "1980-5-1"}


def test_csv_title_row_and_quoted_cells():
    text = '南湖区名册,,\r\n姓名,出生日期,备注\r\n张伟,1980-5-1,"一行\r\n两行,有逗号"\r\n,,\r\n'
    _, rows = layout_of(text.encode("utf-8"), "x.csv")
    assert [r.number for r in rows] == [3]


def test_the_name_of_the_file_does_not_decide_its_format():
    content = h.csv_bytes([["姓名", "出生日期"], ["张伟", "1980-5-1"]])
    assert read(content, "看起来是.xlsx").format == "csv"
    assert read(h.xlsx_bytes([["姓名"]]), "看起来是.csv").format == "xlsx"


def test_missing_required_columns_are_named():
    content = h.xlsx_bytes([["姓名", "性别"], ["张伟", "男"]], title="名册")
    with pytest.raises(SpreadsheetError) as error:
        find_layout(read(content), [*COLUMNS, Column("sex", "性别")])
    assert "第 2 行是表头,但缺少必填的列:出生日期" in error.value.message


def test_no_header_at_all():
    content = h.xlsx_bytes([["甲", "乙"], ["1", "2"]])
    with pytest.raises(SpreadsheetError) as error:
        layout_of(content)
    assert "找不到表头" in error.value.message and "姓名、出生日期" in error.value.message


def test_a_column_twice():
    content = h.xlsx_bytes([["姓名", "出生日期", "姓名"], ["张伟", "1980-5-1", "张伟"]])
    with pytest.raises(SpreadsheetError) as error:
        layout_of(content)
    assert "“姓名”列出现了两次(A 列和 C 列)" in error.value.message


def test_header_without_data():
    with pytest.raises(SpreadsheetError, match="表头下面没有数据"):
        layout_of(h.xlsx_bytes([["姓名", "出生日期"]], title="名册"))


def test_empty_file():
    with pytest.raises(SpreadsheetError, match="文件是空的"):
        read(b"")


def test_size_limit(settings):
    settings.SPREADSHEET_MAX_BYTES = 1000
    content = h.csv_bytes([["姓名", "出生日期"]] + [["张伟", "1980-5-1"]] * 100)
    with pytest.raises(SpreadsheetError, match="文件过大"):
        read(content, "x.csv")


def test_row_limit(settings):
    settings.SPREADSHEET_MAX_ROWS = 50
    content = h.csv_bytes([["姓名", "出生日期"]] + [["张伟", "1980-5-1"]] * 100)
    with pytest.raises(SpreadsheetError, match="数据超过 50 行"):
        read(content, "x.csv")


def test_column_limit(settings):
    settings.SPREADSHEET_MAX_COLUMNS = 5
    content = h.xlsx_bytes(
        [["姓名", "出生日期", "a", "b", "c", "d", "e"], ["张伟", "1980-5-1", 1, 2, 3, 4, 5]]
    )
    with pytest.raises(SpreadsheetError, match="超过 5 列"):
        read(content)


def test_numbers_and_booleans_in_cells():
    content = h.xlsx_bytes([["姓名", "出生日期", "电话"], ["张伟", 29342, 13800138000], [True, 1.5, None]])
    sheet = read(content)
    assert sheet.rows[1][1] == ["张伟", "29342", "13800138000"]
    assert sheet.rows[2][1] == ["是", "1.5"]
