"""Hostile files: each is refused with a clear message in Chinese, in well under a second or two,
within bounded memory, and nothing is written or kept. The files are built here and are small on
disk (a few KB to 2.5 MB), whatever they claim to hold."""

import io
import os
import time
import tracemalloc
import zipfile

import openpyxl.xml
import pytest
from django.urls import reverse

from core.spreadsheets import reading
from core.spreadsheets.limits import pending_root
from core.spreadsheets.reading import SpreadsheetError, read_spreadsheet
from staffing.models import StaffMember
from tests import factories

from . import helpers as h

SECONDS = 3.0  # generous for a loaded CI machine; each takes a fraction of it
MEGABYTES = 64


def zip_streamed(sheet_chunks, *, level: int = 6, **extra: bytes) -> bytes:
    """A workbook whose sheet XML is written chunk by chunk (never whole in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in {
            "[Content_Types].xml": h.CONTENT_TYPES,
            "_rels/.rels": h.ROOT_RELS,
            "xl/workbook.xml": h.WORKBOOK,
            "xl/_rels/workbook.xml.rels": h.WORKBOOK_RELS,
            **extra,
        }.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk)
    return out.getvalue()


def zip_bomb() -> bytes:
    """80 MB of blanks inside the sheet: about 80 KB on disk."""
    blank = b" " * (1 << 20)
    return zip_streamed([h.SHEET_OPEN, *([blank] * 80), h.SHEET_CLOSE], level=9)


def billion_laughs(part: str = "sheet") -> bytes:
    """The classic entity expansion (10⁹ "lol"s from 1 KB) in a worksheet or in sharedStrings.xml."""
    entities = [b'<!ENTITY lol "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    ]
    dtd = b'<?xml version="1.0"?><!DOCTYPE lolz [' + b"".join(entities) + b"]>"
    if part == "sheet":
        return h.raw_xlsx(
            dtd
            + h.SHEET_OPEN[h.SHEET_OPEN.index(b"<worksheet") :]
            + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
            + h.SHEET_CLOSE
        )
    strings = (
        dtd
        + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    return h.raw_xlsx(
        h.SHEET_OPEN + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + h.SHEET_CLOSE,
        **{"xl/sharedStrings.xml": strings},
    )


def million_styled_rows(numbered: bool = True) -> bytes:
    """A header and then 1,000,000 empty rows that carry a style, as when formatting was dragged to
    the bottom of the sheet: 2.4 MB on disk, 40 MB of XML."""

    def chunks():
        yield h.SHEET_OPEN + h.inline_row(1, h.STAFF_HEADER)
        for start in range(2, 1_000_002, 50_000):
            if numbered:
                yield b"".join(
                    b'<row r="%d" s="1" customFormat="1"/>' % i for i in range(start, start + 50_000)
                )
            else:
                yield b'<row s="1" customFormat="1"/>' * 50_000
        yield h.SHEET_CLOSE

    return zip_streamed(chunks(), level=9)


def png_renamed() -> bytes:
    from tests.duties.helpers import png_bytes

    return png_bytes()


HOSTILE = {
    "zip bomb": (zip_bomb, "压缩炸弹"),
    "billion laughs in a worksheet": (billion_laughs, "XML 实体声明"),
    "billion laughs in the shared strings": (lambda: billion_laughs("strings"), "XML 实体声明"),
    "a million empty styled rows": (million_styled_rows, "表格超过 25,000 行"),
    "a million styled rows without numbers": (lambda: million_styled_rows(numbered=False), "压缩炸弹"),
    "a PNG renamed .xlsx": (png_renamed, "这是PNG 图片,不是表格文件"),
    "random bytes": (lambda: os.urandom(64 * 1024), "不是表格文件"),
    "an old .xls": (lambda: reading.OLE + os.urandom(4096), "旧版 Excel(.xls)"),
    "a Word document": (
        lambda: h.zip_with({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        "Word 文档",
    ),
    "a broken zip": (lambda: b"PK\x03\x04" + os.urandom(2000), "已损坏"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_file_is_refused_quickly_in_bounded_memory(kind):
    build, message = HOSTILE[kind]
    content = build()
    assert len(content) < 3 * 1024 * 1024, "the test file itself stays small"
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(SpreadsheetError) as error:
        read_spreadsheet(io.BytesIO(content), filename="名册.xlsx", size=len(content))
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert message in error.value.message
    assert elapsed < SECONDS, f"{kind}: {elapsed:.1f} s"
    assert peak < MEGABYTES * 1024 * 1024, f"{kind}: {peak / 1e6:.0f} MB"


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_entity_bomb_is_refused_by_defusedxml_too(monkeypatch):
    """Without the portal's own check for DOCTYPEs, openpyxl's defusedxml still refuses the file."""
    monkeypatch.setattr(reading, "XML_HEAD_BYTES", 0)
    for part in ("sheet", "strings"):
        content = billion_laughs(part)
        started = time.monotonic()
        with pytest.raises(SpreadsheetError) as error:
            read_spreadsheet(io.BytesIO(content), filename="x.xlsx", size=len(content))
        assert "XML 实体声明" in error.value.message
        assert time.monotonic() - started < SECONDS


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind", ["zip bomb", "billion laughs in a worksheet", "a PNG renamed .xlsx", "random bytes"]
)
def test_upload_page_refuses_and_keeps_nothing(world, kind):
    client = factories.client_for(world.town_a)
    url = reverse("staffing:staff_import", args=[world.office_a.town.code])
    before = StaffMember.objects.count()
    response = client.post(url, {"action": "upload", "file": h.upload(HOSTILE[kind][0]())})
    assert HOSTILE[kind][1] in h.upload_error(response)
    assert StaffMember.objects.count() == before
    assert not pending_root().exists() or not any(pending_root().iterdir())
