"""Spreadsheets out of the portal: exports (XLSX and CSV) and import templates.

Headers are Chinese; columns are wide enough to read (Chinese characters count double); dates are
real date cells shown as YYYY-MM-DD; codes and phone numbers are text, so no leading zero is lost.
Text that begins with =, +, -, @, a tab or a carriage return is never run as a formula: in XLSX it
is a string cell marked "quote prefix" (what Excel itself stores for '=...), so it stays text even
when edited; in CSV, which has no cell types, it gets a leading apostrophe (which our import removes
again). CSV is written in UTF-8 with a BOM, so Excel opens it in Chinese."""

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.spreadsheets.cells import FORMULA_STARTS
from core.spreadsheets.columns import Column

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
MIN_WIDTH, MAX_WIDTH = 6, 60
WIDTH_SAMPLE_ROWS = 2000  # column widths are measured on the first rows, whatever the length
TEMPLATE_ROWS = 5000  # rows of the template with drop-down lists
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Table:
    """An export: a sheet title, Chinese headers and rows of plain values (text, numbers, dates)."""

    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    text_headers: frozenset[str] = frozenset()  # columns of codes and phone numbers, kept as text


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_safe(text: str) -> str:
    """Text for a CSV cell that no spreadsheet will evaluate."""
    return "'" + text if looks_like_formula(text) else text


def display_width(value) -> int:
    """How wide a value shows in a spreadsheet, in characters (a Chinese character counts two)."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    text = value if isinstance(value, str) else str(value)
    longest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        longest = max(longest, width)
    return longest


def column_widths(table: Table) -> list[int]:
    widths = [display_width(h) for h in table.headers]
    for row in table.rows[:WIDTH_SAMPLE_ROWS]:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], display_width(value))
    return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]


def sheet_name(title: str) -> str:
    return _SHEET_NAME.sub("", title)[:31] or "Sheet1"


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def xlsx_bytes(table: Table) -> bytes:
    """The table as an XLSX workbook, streamed by openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(table.title))
    widths = column_widths(table)
    text_columns = {i for i, title in enumerate(table.headers) if title in table.text_headers}
    for i, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    sheet.freeze_panes = "A2"
    if table.headers:
        last = get_column_letter(len(table.headers))
        sheet.auto_filter.ref = f"A1:{last}{max(len(table.rows) + 1, 2)}"
    header = []
    for title in table.headers:
        cell = WriteOnlyCell(sheet, value=_text(title))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for i, value in enumerate(row):
            if isinstance(value, dt.datetime):
                value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT if not isinstance(value, dt.datetime) else "yyyy-mm-dd hh:mm"
                cells.append(cell)
            elif isinstance(value, str):
                value = _text(value)
                if looks_like_formula(value):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # a string, whatever it starts with
                    cell.quotePrefix = True
                    cells.append(cell)
                elif i in text_columns:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "@"
                    cells.append(cell)
                else:
                    cells.append(value)
            elif isinstance(value, bool):
                cells.append("是" if value else "否")
            elif isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = MONEY_FORMAT  # amounts and areas: two decimals, thousands
                cells.append(cell)
            elif isinstance(value, int | float) or value is None:
                cells.append(value)
            else:
                cells.append(_text(str(value)))
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return csv_safe(str(value))


def csv_bytes(table: Table) -> bytes:
    """The table as CSV in UTF-8 with a BOM (Excel then opens it in Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    # Rosters and records are personal and official data: no cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def export_response(table: Table, *, fmt: str, filename: str) -> HttpResponse:
    """The table as a download in `fmt` (xlsx or csv); `filename` without its extension."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        return download(csv_bytes(table), filename=f"{filename}_{stamp}.csv", content_type=CSV_TYPE)
    return download(xlsx_bytes(table), filename=f"{filename}_{stamp}.xlsx", content_type=XLSX_TYPE)


def rows_from_dataset(dataset) -> list[list]:
    """The rows of a tablib Dataset (what a django-import-export Resource exports) as lists."""
    return [list(row) for row in dataset]


# -- import templates -----------------------------------------------------------------------------


def template_bytes(columns: Sequence[Column], *, title: str, notes: Iterable[str] = ()) -> bytes:
    """An empty import template: the Chinese headers (required ones in red), the columns formatted as
    dates or text, drop-down lists for choices, and a second sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入数据"
    sheet.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        if column.help:
            cell.comment = Comment(("必填。" if column.required else "选填。") + column.help, "民政平台")
        sheet.column_dimensions[letter].width = max(column.width, display_width(column.header) + 4)
        number_format = {"date": DATE_FORMAT, "text": "@"}.get(column.kind)
        if number_format:
            # A column style: Excel and WPS give it to every cell typed into the column.
            sheet.column_dimensions[letter].number_format = number_format
        if column.choices:
            choices = ",".join(column.choices)
            if len(choices) <= 250:  # Excel's limit for a list written in the rule itself
                rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
                rule.error = f"请从下拉列表中选择:{'、'.join(column.choices)}"
                rule.errorTitle = column.header
                rule.showErrorMessage = True
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")

    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.append([title])
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.append([])
    help_sheet.append(["列名", "是否必填", "填写说明", "示例"])
    for cell in help_sheet[3]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in columns:
        allowed = f"可选:{'、'.join(column.choices)}。" if column.choices else ""
        help_sheet.append(
            [column.header, "必填" if column.required else "选填", allowed + column.help, column.example]
        )
    help_sheet.append([])
    for note in notes:
        help_sheet.append([note])
    for letter, width in zip("ABCD", (16, 10, 70, 24), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=4, max_row=3 + len(columns)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
