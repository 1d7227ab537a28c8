"""The columns an import understands, and where they are in a file: the header row is found among
the first rows, under any merged title rows (嘉兴市××镇民政办工作人员名册), by its Chinese names or
the other names people give those columns; the order of the columns does not matter."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.spreadsheets.cells import nfkc
from core.spreadsheets.reading import Sheet, SpreadsheetError, column_letter

_HINT = re.compile(r"\([^()]*\)$")


@dataclass(frozen=True)
class Column:
    """One column of an import: its header in the template, the other headers accepted for it, and
    what the template and the upload page say about it."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    example: str = ""
    kind: str = "text"  # text, date, int or choice: the template formats the column accordingly
    choices: tuple[str, ...] = ()  # a drop-down list in the template
    width: int = 14


def header_key(text: str) -> str:
    """A header as compared: half-width, no spaces, no required-marks (*), lower case."""
    return re.sub(r"[\s*※:]", "", nfkc(text)).lower()


@dataclass
class DataRow:
    """One data row: its number in the spreadsheet and the text of each known column."""

    number: int
    cells: dict[str, str]


@dataclass
class Layout:
    """Where the header is, which column holds what, and the headers that were not understood."""

    header_row: int
    letters: dict[str, str]  # column key → letter
    ignored: list[str] = field(default_factory=list)

    def where(self, key: str, columns: dict[str, Column]) -> str:
        column = columns.get(key)
        if column is None:
            return ""
        letter = self.letters.get(key)
        return f"{column.header}({letter} 列)" if letter else column.header


def _lookup(columns: Sequence[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup[header_key(name)] = column.key
    return lookup


def _match(text: str, lookup: dict[str, str]) -> str | None:
    key = header_key(text)
    if key in lookup:
        return lookup[key]
    # 出生日期(年月日), 日期(必填): a hint in brackets after the name.
    stripped = _HINT.sub("", key)
    return lookup.get(stripped) if stripped != key else None


def find_layout(
    sheet: Sheet, columns: Sequence[Column], *, scan: int = 20, known: Iterable[str] = ()
) -> tuple[Layout, list[DataRow]]:
    """The header row and the data rows under it, or SpreadsheetError naming what is missing.

    `known` are headers the portal's own exports add (年龄, 附件数): ignored without a warning."""
    lookup = _lookup(columns)
    known_keys = {header_key(k) for k in known}
    by_key = {c.key: c for c in columns}
    required = [c.key for c in columns if c.required]
    best: tuple[int, int, dict[str, int]] | None = None  # (matches, index in rows, positions)
    for index, (_number, cells) in enumerate(sheet.rows[:scan]):
        positions: dict[str, int] = {}
        for position, text in enumerate(cells):
            key = _match(text, lookup) if text else None
            if key is None:
                continue
            if key in positions:
                raise SpreadsheetError(
                    f"第 {_number} 行的表头中“{by_key[key].header}”列出现了两次"
                    f"({column_letter(positions[key])} 列和 {column_letter(position)} 列),请删除其中一列。"
                )
            positions[key] = position
        if all(k in positions for k in required) and positions:
            best = (len(positions), index, positions)
            break
        if positions and (best is None or len(positions) > best[0]):
            best = (len(positions), index, positions)
    names = "、".join(c.header for c in columns if c.required)
    if best is None or best[0] < min(2, len(required) or 1):
        raise SpreadsheetError(
            f"在文件前 {scan} 行中找不到表头。请使用导入模板,表头须包含:{names}。"
            + ("" if sheet.rows else "文件中没有任何内容。")
        )
    _, index, positions = best
    header_number, header_cells = sheet.rows[index]
    missing = [by_key[k].header for k in required if k not in positions]
    if missing:
        raise SpreadsheetError(
            f"第 {header_number} 行是表头,但缺少必填的列:{'、'.join(missing)}。"
            f"请使用导入模板,表头须包含:{names}。"
        )
    taken = set(positions.values())
    ignored = [
        f"{text}({column_letter(i)} 列)"
        for i, text in enumerate(header_cells)
        if text and i not in taken and header_key(text) not in known_keys
    ]
    layout = Layout(
        header_row=header_number,
        letters={key: column_letter(position) for key, position in positions.items()},
        ignored=ignored,
    )
    rows = []
    for number, cells in sheet.rows[index + 1 :]:
        values = {key: (cells[p] if p < len(cells) else "") for key, p in positions.items()}
        if any(values.values()):
            rows.append(DataRow(number=number, cells=values))
    if not rows:
        raise SpreadsheetError(f"第 {header_number} 行是表头,但表头下面没有数据。")
    return layout, rows
