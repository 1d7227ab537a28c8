"""One cell's text → a value, the way people type it in Chinese Excel and WPS: full-width digits and
spaces, trailing spaces, dates as ``2010年3月5日``, ``2010-3-5``, ``2010/3/5``, ``2010.3.5``,
``20100305`` or an Excel serial number. A value that cannot be read raises CellError with the reason
in Chinese, which the import shows next to the row and column.

Codes, numbers, dates and choices are compared after NFKC (full-width → half-width); free text
(titles, content) keeps the user's own punctuation, so a Chinese comma stays a Chinese comma."""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

# Characters with which a spreadsheet starts a formula (or, for tab and CR, hides one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel counts days from 1899-12-30 (the 1900 leap-year bug included). Only five-digit serials are
# read as dates (1927-05-18 to 2099-12-31): a four-digit number in a date column is a year.
EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_SERIAL, MAX_SERIAL = 10000, 73050

_WHITESPACE = re.compile(r"\s+")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_DATE = re.compile(r"^(19|20)(\d{2})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_YEAR_ONLY = re.compile(r"^(19|20)\d{2}年?$")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in Chinese."""


def nfkc(text: str) -> str:
    """Full-width letters, digits, spaces and brackets → their ordinary forms."""
    return unicodedata.normalize("NFKC", text)


def unguard(text: str) -> str:
    """Undo the apostrophe our CSV export puts before text that looks like a formula."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def clean_free_text(text: str, *, single_line: bool = True) -> str:
    """Free text as the user wrote it, trimmed; a title keeps to one line with single spaces."""
    text = unguard(text.strip())
    if single_line:
        return _WHITESPACE.sub(" ", text).strip()
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def clean_code(text: str) -> str:
    """A code, a number or a choice: half-width, without spaces anywhere."""
    return _WHITESPACE.sub("", nfkc(unguard(text.strip())))


def clean_name(text: str) -> str:
    """A person's name: without the spaces some rosters put between two characters (张　伟)."""
    return _WHITESPACE.sub("", unguard(text.strip()))


def _date(year: int, month: int, day: int, raw: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"“{raw}”不是有效的日期(没有这一天)。") from None


def parse_date(text: str) -> dt.date | None:
    """A date from the ways Chinese spreadsheets write one; None for an empty cell."""
    raw = text.strip()
    value = clean_code(raw).replace("号", "日")
    if not value:
        return None
    if match := _DATE.match(value):
        return _date(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _COMPACT_DATE.match(value):
        return _date(int(match[1] + match[2]), int(match[3]), int(match[4]), raw)
    if _SERIAL.match(value):
        serial = int(float(value))
        if MIN_SERIAL <= serial <= MAX_SERIAL:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    if _YEAR_MONTH.match(value) or _YEAR_ONLY.match(value):
        raise CellError(f"日期“{raw}”不完整,缺少日,请写成如 2010-03-05 或 2010年3月5日。")
    raise CellError(f"无法识别的日期“{raw}”,请写成如 2010-03-05 或 2010年3月5日。")


def parse_int(text: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number (full-width digits and thousands separators allowed); None when empty."""
    value = clean_code(text).replace(",", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(f"“{text.strip()}”不是数字。") from None
    if number != number.to_integral_value():
        raise CellError(f"“{text.strip()}”须为整数。")
    result = int(number)
    if minimum is not None and result < minimum:
        raise CellError(f"不能小于 {minimum}。")
    if maximum is not None and result > maximum:
        raise CellError(f"不能大于 {maximum}。")
    return result


def choice_key(text: str) -> str:
    """How a choice is compared: half-width, lower case, without spaces and list punctuation, so
    高中、中专 and 高中/中专 are one answer."""
    return re.sub(r"[\s、/,;|·]", "", nfkc(text)).lower()


class Choices:
    """The accepted answers of a choice column: each label, and the other ways people write it."""

    def __init__(self, options: Iterable[tuple[object, str, Iterable[str]]]) -> None:
        self.labels: list[str] = []
        self.lookup: dict[str, object] = {}
        for value, label, aliases in options:
            self.labels.append(label)
            for spelling in (label, *aliases):
                self.lookup[choice_key(spelling)] = value

    @classmethod
    def from_text_choices(cls, choices, aliases: Mapping[str, Iterable[str]] | None = None) -> "Choices":
        aliases = aliases or {}
        return cls((value, label, aliases.get(value, ())) for value, label in choices.choices)

    def parse(self, text: str):
        """The value for a cell, None when the cell is empty; CellError lists what is accepted."""
        value = unguard(text.strip())
        if not value:
            return None
        found = self.lookup.get(choice_key(value), self)
        if found is self:
            raise CellError(f"“{value}”不是可选的值,请填写:{'、'.join(self.labels)}。")
        return found


YES_NO = Choices(
    [
        (True, "是", ("有", "持有", "y", "yes", "true", "1", "√", "✓", "✔")),
        (False, "否", ("无", "没有", "n", "no", "false", "0", "×", "✗", "x")),
    ]
)
