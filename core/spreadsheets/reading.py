"""An uploaded file → rows of cell texts, or a SpreadsheetError saying in Chinese what is wrong.

The content decides the format, never the file name: a zip holding a workbook is read as XLSX, text
as CSV (UTF-8 with or without BOM, GBK/GB18030 as Chinese Excel and WPS save it, or UTF-16 "Unicode
text"). Everything else (an old .xls, a photo renamed .xlsx, random bytes) is refused.

A hostile file costs little: the upload size is bounded; an XLSX's zip members are checked before
anything is decompressed (their declared sizes, the compression ratio, their number); XML with a
DOCTYPE or entity declaration is refused (and openpyxl parses through defusedxml, which refuses
them too); openpyxl reads in read-only mode, so a sheet is streamed, not loaded; reading stops at a
row count and a wall-clock limit, whether the rows hold data or are empty but formatted."""

import codecs
import csv
import datetime as dt
import io
import re
import time
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.template.defaultfilters import filesizeformat
from openpyxl.utils import get_column_letter

from core.spreadsheets.limits import Limits
from core.spreadsheets.limits import limits as default_limits

XML_HEAD_BYTES = 64 * 1024  # a DOCTYPE can only come before the root element
RATIO_CHECK_FROM = 1024 * 1024  # small members may compress oddly well; only large ones are bombs
_ROW_TAG = re.compile(rb"<(?:[A-Za-z]\w{0,9}:)?row[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z]\w{0,9}:)?c[\s>/]")
_TAG_TAIL = 16  # longer than a row or cell tag's start, namespace prefix included
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG 图片",
    b"\xff\xd8\xff": "JPG 图片",
    b"GIF8": "GIF 图片",
    b"%PDF-": "PDF 文件",
    b"Rar!": "RAR 压缩包",
    b"7z\xbc\xaf\x27\x1c": "7z 压缩包",
    b"\x1f\x8b": "gzip 压缩包",
    b"{\\rtf": "RTF 文档",
}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENTITIES = "文件中含有 Excel 不会生成的 XML 实体声明(可能是恶意文件),已拒绝导入。"
NOT_A_SPREADSHEET = "只能导入 Excel 工作簿(.xlsx)或 CSV 文件(按文件内容识别,改扩展名无效)。"


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The rows of the first worksheet (or the CSV file) that hold anything, with the row numbers
    the user sees in Excel or WPS."""

    filename: str
    format: str  # "xlsx" or "csv"
    encoding: str = ""  # of a CSV file, as the preview names it
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def format_label(self) -> str:
        if self.format == "xlsx":
            return "Excel 工作簿"
        return f"CSV 文件({self.encoding})"


def column_letter(index: int) -> str:
    """0 → A, 26 → AA: the column as the spreadsheet shows it."""
    return get_column_letter(index + 1)


def read_spreadsheet(
    upload: BinaryIO, *, filename: str = "", size: int | None = None, limits: Limits | None = None
) -> Sheet:
    """Read an uploaded XLSX or CSV file into a Sheet, within the limits (see limits.py)."""
    limits = limits or default_limits()
    filename = filename or getattr(upload, "name", "") or ""
    if size is None:
        size = getattr(upload, "size", None)
    if size is not None and size > limits.max_bytes:
        raise SpreadsheetError(
            f"文件过大({filesizeformat(size)}),导入文件不能超过 {filesizeformat(limits.max_bytes)}。"
            "请删除多余的工作表、图片或分成几个文件导入。"
        )
    upload.seek(0)
    data = upload.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(f"文件过大,导入文件不能超过 {filesizeformat(limits.max_bytes)}。")
    if not data.strip():
        raise SpreadsheetError("文件是空的。")
    reader = _RowReader(limits)
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, filename, limits, reader)
    if data.startswith(OLE):
        raise SpreadsheetError(
            "这是旧版 Excel(.xls)或 WPS 表格(.et)格式,或设置了打开密码的文件。"
            "请在 Excel 或 WPS 中“另存为”Excel 工作簿(.xlsx)或 CSV 后再导入。"
        )
    for signature, label in SIGNATURES.items():
        if data.startswith(signature):
            raise SpreadsheetError(f"这是{label},不是表格文件。{NOT_A_SPREADSHEET}")
    return _read_csv(data, filename, limits, reader)


class _RowReader:
    """Collects non-empty rows, enforcing the row, column and time limits as it goes."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.started = time.monotonic()
        self.rows: list[tuple[int, list[str]]] = []

    def add(self, number: int, cells: list[str]) -> None:
        limits = self.limits
        if number > limits.max_scanned_rows:
            raise SpreadsheetError(
                f"表格超过 {limits.max_scanned_rows:,} 行(含空行和设置了格式的空白行),已停止读取。"
                f"一次最多导入 {limits.max_data_rows:,} 行数据;如表格末尾有大量空白行,请删除后重新保存。"
            )
        if number % 500 == 0 and time.monotonic() - self.started > limits.max_seconds:
            raise SpreadsheetError("读取文件超时,文件可能过大或已损坏。请删除多余内容后重新保存再导入。")
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            return
        if len(cells) > limits.max_columns:
            raise SpreadsheetError(
                f"第 {number} 行超过 {limits.max_columns} 列"
                f"({column_letter(limits.max_columns)} 列之后仍有内容),请删除多余的列后再导入。"
            )
        self.rows.append((number, cells))
        if len(self.rows) > limits.max_data_rows + limits.header_scan_rows:
            raise SpreadsheetError(f"数据超过 {limits.max_data_rows:,} 行,请分成几个文件导入。")


def _cell_text(value) -> str:
    """A cell's value as text: dates as YYYY-MM-DD, whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value).strip()


# -- XLSX -----------------------------------------------------------------------------------------


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a zip that is not a workbook or would decompress to far more than a workbook does, before
    anything is decompressed (the sizes come from the zip's directory; Python's zipfile never returns
    more than the declared size of a member)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise SpreadsheetError("文件已损坏或不完整,无法作为 Excel 工作簿打开。") from error
    with archive:
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
            if "word/document.xml" in names:
                raise SpreadsheetError(f"这是 Word 文档,不是表格文件。{NOT_A_SPREADSHEET}")
            raise SpreadsheetError(f"这是一个压缩包,不是 Excel 工作簿。{NOT_A_SPREADSHEET}")
        bomb = SpreadsheetError(
            "文件解压后的内容异常庞大(疑似“压缩炸弹”),不像正常的表格文件,已拒绝导入。"
            "如确为正常表格,请删除多余的空行、格式和工作表后重新保存。"
        )
        if len(members) > limits.max_members:
            raise bomb
        if sum(m.file_size for m in members) > limits.max_uncompressed:
            raise bomb
        for member in members:
            if member.flag_bits & 0x1:
                raise SpreadsheetError("文件已加密,请取消密码后再导入。")
            if member.file_size > RATIO_CHECK_FROM and member.file_size > limits.max_member_ratio * max(
                member.compress_size, 1
            ):
                raise bomb
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                _count_rows_and_cells(archive, member, limits)
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(member) as stream:
                    head = stream.read(XML_HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
                raise SpreadsheetError("文件已损坏或不完整,无法作为 Excel 工作簿打开。") from error
            if b"<!doctype" in head.lower() or b"<!entity" in head.lower():
                raise SpreadsheetError(ENTITIES)


def _count_rows_and_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    """Count a worksheet's row and cell elements while decompressing it in chunks, before openpyxl
    parses it: a sheet of a million empty formatted rows is refused in a fraction of a second
    (openpyxl would parse all of it once just to find its size when the sheet does not declare it)."""
    rows = cells = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            # The end of the previous chunk is searched again so that a tag split between two chunks
            # is found; tags found wholly within it were counted already (tags never overlap).
            block = tail + chunk
            rows += len(_ROW_TAG.findall(block)) - len(_ROW_TAG.findall(tail))
            cells += len(_CELL_TAG.findall(block)) - len(_CELL_TAG.findall(tail))
            tail = block[-_TAG_TAIL:]
            if rows > limits.max_scanned_rows:
                raise SpreadsheetError(
                    f"表格超过 {limits.max_scanned_rows:,} 行(含空行和设置了格式的空白行),已拒绝导入。"
                    f"一次最多导入 {limits.max_data_rows:,} 行数据;如表格末尾有大量空白行,请删除后重新保存。"
                )
            if cells > limits.max_scanned_rows * limits.max_columns:
                raise SpreadsheetError(
                    "表格的单元格过多(含设置了格式的空白单元格),请删除多余的行和列后重新保存。"
                )


def _defused(error: BaseException) -> bool:
    """Whether defusedxml refused the XML (openpyxl wraps some errors in a ValueError)."""
    from defusedxml import DefusedXmlException

    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _read_xlsx(data: bytes, filename: str, limits: Limits, reader: _RowReader) -> Sheet:
    _check_zip(data, limits)
    # Imported here: openpyxl is only needed once a workbook has passed the checks above.
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, styles): harmless here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        if _defused(error):
            raise SpreadsheetError(ENTITIES) from error
        raise SpreadsheetError("文件已损坏或不是有效的 Excel 工作簿,无法打开。") from error
    try:
        sheets = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not sheets:
            raise SpreadsheetError("工作簿中没有可读取的工作表。")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = sheets[0].iter_rows(max_col=limits.max_columns + 1, values_only=True)
            for number, values in enumerate(rows, start=1):
                reader.add(number, [_cell_text(v) for v in values])
    except SpreadsheetError:
        raise
    except Exception as error:
        if _defused(error):
            raise SpreadsheetError(ENTITIES) from error
        raise SpreadsheetError("文件已损坏或不是有效的 Excel 工作簿,无法读取。") from error
    finally:
        workbook.close()
    return Sheet(filename=filename, format="xlsx", rows=reader.rows)


# -- CSV ------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(f"无法识别的文件内容,不是表格文件。{NOT_A_SPREADSHEET}")
    try:
        return data.decode("utf-8", errors="strict"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, which Chinese Excel and WPS use for CSV.
        return data.decode("gb18030", errors="strict"), "GBK"
    except UnicodeDecodeError:
        raise SpreadsheetError(
            f"无法识别文件的文字编码,不是表格文件。{NOT_A_SPREADSHEET}CSV 文件请保存为 UTF-8 或 GBK 编码。"
        ) from None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 200)


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(data: bytes, filename: str, limits: Limits, reader: _RowReader) -> Sheet:
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise SpreadsheetError(f"无法识别的文件内容,不是表格文件。{NOT_A_SPREADSHEET}")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    try:
        for number, values in enumerate(rows, start=1):
            reader.add(number, [v.strip() for v in values[: limits.max_columns + 1]])
    except csv.Error as error:
        raise SpreadsheetError(f"CSV 文件第 {number + 1} 行格式有误(引号不配对或单元格过长)。") from error
    return Sheet(filename=filename, format="csv", encoding=encoding, rows=reader.rows)
