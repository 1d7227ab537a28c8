"""XLSX formatters (openpyxl): a title row, the issuing unit and date, Chinese headers, column widths,
money as #,##0.00 and dates as dates, a row of totals, printed on A4 with the header row repeated.

Every text a user typed goes in as text: a town name or note that starts with "=" stays a string and
is never stored as a formula, so opening the workbook cannot run anything."""

import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .award import AwardReport
from .common import ISSUER, cn_date
from .sheet import ScoringSheet
from .summary import CitySummary

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
SCORE = "0.00"
POINTS = "0.##"
PERCENT = '0.0"%"'
DATE = 'yyyy"年"m"月"d"日"'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

THIN = Side(style="thin", color="333333")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="ECEEF2")
TOTAL_FILL = PatternFill("solid", fgColor="F6F6F6")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Column:
    title: str
    width: float | None = None  # in characters; None: fitted to the content
    format: str | None = None  # a number format for numbers and dates
    center: bool = False


def _width(value) -> int:
    """How wide a value shows, in characters (a Chinese character counts two)."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 12
    text = (
        value if isinstance(value, str) else f"{value:,}" if isinstance(value, int | Decimal) else str(value)
    )
    return max(
        (sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in text.split("\n")),
        default=0,
    )


class SheetWriter:
    """Builds one worksheet of a report: title block, header, rows, totals."""

    def __init__(self, sheet: Worksheet, columns: list[Column]) -> None:
        self.sheet = sheet
        self.columns = columns
        self.row = 1
        self.widths = [max(_width(c.title) // 2 + 2, 6) for c in columns]
        self.header_row = 0

    def put(self, row: int, column: int, value, *, fmt: str | None = None):
        """Write one cell; text is always text (never a formula), numbers and dates keep their type."""
        cell = self.sheet.cell(row=row, column=column)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.value = value
            if value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # a string, whatever it starts with
                cell.quotePrefix = True
        else:
            cell.value = value
            if fmt and value is not None:
                cell.number_format = fmt
        return cell

    def title(self, text: str, *lines: str) -> None:
        last = get_column_letter(len(self.columns))
        cell = self.put(self.row, 1, text)
        cell.font = Font(size=16, bold=True)
        cell.alignment = CENTER
        self.sheet.merge_cells(f"A{self.row}:{last}{self.row}")
        self.sheet.row_dimensions[self.row].height = 30
        self.row += 1
        for line in lines:
            cell = self.put(self.row, 1, line)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            self.sheet.merge_cells(f"A{self.row}:{last}{self.row}")
            self.sheet.row_dimensions[self.row].height = 18 * max(1, _width(line) // 150 + 1)
            self.row += 1

    def header(self) -> None:
        for i, column in enumerate(self.columns, start=1):
            cell = self.put(self.row, i, column.title)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = CENTER
            cell.border = BORDER
        self.sheet.row_dimensions[self.row].height = 32
        self.header_row = self.row
        self.row += 1

    def append(self, values: Iterable, *, total: bool = False) -> None:
        for i, (column, value) in enumerate(zip(self.columns, values, strict=True), start=1):
            cell = self.put(self.row, i, value, fmt=column.format)
            cell.border = BORDER
            cell.alignment = CENTER if column.center else WRAP
            if total:
                cell.font = Font(bold=True)
                cell.fill = TOTAL_FILL
            self.widths[i - 1] = max(self.widths[i - 1], min(_width(value) + 2, 60))
        self.row += 1

    def note(self, text: str) -> None:
        self.row += 1
        last = get_column_letter(len(self.columns))
        cell = self.put(self.row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.sheet.merge_cells(f"A{self.row}:{last}{self.row}")
        self.sheet.row_dimensions[self.row].height = 36
        self.row += 1

    def finish(self, *, landscape: bool = True) -> None:
        for i, column in enumerate(self.columns, start=1):
            width = column.width if column.width is not None else self.widths[i - 1]
            self.sheet.column_dimensions[get_column_letter(i)].width = width
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
        self.sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        setup = self.sheet.page_setup
        setup.paperSize = self.sheet.PAPERSIZE_A4
        setup.orientation = "landscape" if landscape else "portrait"
        setup.fitToWidth, setup.fitToHeight = 1, 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.oddFooter.center.text = "第 &P 页 共 &N 页"


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _meta(generated: date) -> str:
    return f"制表单位:{ISSUER}    制表日期:{cn_date(generated)}    金额单位:元"


AWARD_COLUMNS = [
    Column("序号", 6, center=True),
    Column("镇(街道)", 14),
    Column("行政区划代码", 13, center=True),
    Column("考核得分", 10, SCORE),
    Column("考核结果", 9, center=True),
    Column("达标情况", 16, center=True),
    Column("市级奖补(元)", 14, MONEY),
    Column("县级配套(元)", 14, MONEY),
    Column("小计(元)", 14, MONEY),
    Column("市级奖补拨付", 10, center=True),
    Column("市级拨付日期", 15, DATE),
    Column("市级拨付文号", 20),
    Column("县级配套拨付", 10, center=True),
    Column("县级拨付日期", 15, DATE),
    Column("县级拨付文号", 20),
]


def _paid_state(paid: bool, amount) -> str:
    """已拨付 / 未拨付, or nothing when there is nothing to pay."""
    if paid:
        return "已拨付"
    return "未拨付" if amount else ""


def award_xlsx(report: AwardReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{report.county.name}{report.year}"[:31]
    writer = SheetWriter(sheet, AWARD_COLUMNS)
    notes = [
        _meta(report.generated_on),
        f"所属行动:{report.programme.name}。奖补标准:{report.standard_text};{report.matching_text}。",
        f"进度:{report.progress.text}",
    ]
    if not report.confirmed:
        notes.append(
            f"{report.year}年度考核结果尚未经市民政局确认,表中得分和结果仅供参考,奖补资金在结果确认后核定。"
        )
    writer.title(report.heading, *notes)
    writer.header()
    for row in report.rows:
        writer.append(
            [
                row.number,
                row.name,
                row.code,
                row.total,
                row.result_label,
                row.status,
                row.city_amount,
                row.county_amount,
                row.amount,
                _paid_state(row.paid, row.city_amount is not None),
                row.paid_on,
                row.document_no,
                _paid_state(row.county_paid, row.county_amount),
                row.county_paid_on,
                row.county_document_no,
            ]
        )
    t = report.totals
    writer.append(
        [
            "合计",
            f"{t.towns} 个镇(街道)",
            "",
            None,
            f"合格 {t.passed}",
            f"首次达标 {t.new}" if report.confirmed else "",
            t.city_amount,
            t.county_amount,
            t.amount,
            f"已拨付 {t.city_paid_count}",
            None,
            f"已拨付 {t.city_paid_amount:,.2f} 元",
            f"已拨付 {t.county_paid_count}",
            None,
            f"已拨付 {t.county_paid_amount:,.2f} 元",
        ],
        total=True,
    )
    writer.note(
        "说明:“××年已达标”的镇(街道)已在该年度获得奖补,本年度不再奖补;每个镇(街道)在三年行动中只奖补一次。"
    )
    writer.finish()
    return _save(workbook)


SUMMARY_COLUMNS = [
    Column("县(市、区)", 12),
    Column("行政区划代码", 13, center=True),
    Column("镇(街道)数", 10),
    Column("已审定", 9),
    Column("本年度合格", 11),
    Column("其中首次达标", 12),
    Column("累计达标", 10),
    Column("达标进度(%)", 12, PERCENT),
    Column("市级奖补(元)", 15, MONEY),
    Column("县级配套(元)", 15, MONEY),
    Column("合计(元)", 15, MONEY),
    Column("市级已拨付(元)", 15, MONEY),
    Column("县级已拨付(元)", 15, MONEY),
]


def city_summary_xlsx(summary: CitySummary) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"全市{summary.year}"
    writer = SheetWriter(sheet, SUMMARY_COLUMNS)
    notes = [
        _meta(summary.generated_on),
        f"所属行动:{summary.programme.name}。全市进度:{summary.progress.text}",
    ]
    if not summary.confirmed:
        notes.append(f"{summary.year}年度考核结果尚未经市民政局确认,表中数据仅供参考。")
    writer.title(summary.heading, *notes)
    writer.header()
    for line in [*summary.rows, summary.totals]:
        total = line.county is None
        writer.append(
            [
                "全市合计" if total else line.name,
                line.code,
                line.towns,
                line.assessed,
                line.passed,
                line.new if summary.confirmed else None,
                line.cumulative,
                summary.progress.percent if total else line.percent,
                line.city_amount,
                line.county_amount,
                line.amount,
                line.city_paid_amount,
                line.county_paid_amount,
            ],
            total=total,
        )
    writer.finish()
    return _save(workbook)


SHEET_COLUMNS = [
    Column("类别", 16),
    Column("编号", 6, center=True),
    Column("考核内容", 34),
    Column("分值", 7, POINTS),
    Column("计分方式", 10, center=True),
    Column("计分依据(台账数据)", 40),
    Column("自动计分", 9, POINTS),
    Column("考核人员评分", 11, POINTS),
    Column("调整理由", 20),
    Column("得分", 8, POINTS),
    Column("不适用理由", 16),
    Column("市级督查评分", 11, POINTS),
    Column("自评说明", 30),
    Column("佐证材料", 20),
]


def scoring_sheet_xlsx(report: ScoringSheet) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{report.office.town.name}{report.year}"[:31]
    writer = SheetWriter(sheet, SHEET_COLUMNS)
    a = report.assessment
    total = report.total
    result = report.result_label if report.decided else a.get_state_display()
    writer.title(
        report.heading,
        f"考核单位:{report.county_unit}    制表日期:{cn_date(report.generated_on)}",
        f"镇(街道):{report.office.town.name}({report.office.town.code})    实地考核日期:"
        f"{cn_date(a.visit_date) or '未填写'}    考核人员:{a.inspectors or '未填写'}",
        f"考核得分:{total.total:.2f} 分    考核结果:{result}    "
        f"合格分数线:{report.pass_mark.normalize():f} 分",
    )
    writer.header()
    for item in report.items:
        writer.append(
            [
                item.section_label,
                item.code,
                item.text + ("(一票否决)" if item.is_veto else ""),
                item.points,
                "台账计分" if item.by_records else "现场评分",
                item.figures,
                item.computed if item.by_records else None,
                item.inspector,
                item.override_reason,
                None if item.not_applicable else item.final,
                item.not_applicable_reason if item.not_applicable else "",
                item.city_points,
                item.town_note,
                item.evidence,
            ]
        )
    writer.append(
        [
            "合计",
            "",
            "",
            total.possible,
            "",
            "",
            None,
            None,
            "",
            total.total,
            "",
            a.city_total if a.sampled else None,
            "",
            "",
        ],
        total=True,
    )
    writer.note(
        "签字:镇(街道)民政办负责人______    考核人员______    " + f"{report.county_unit}(盖章)    年  月  日"
    )
    writer.finish()
    return _save(workbook)
