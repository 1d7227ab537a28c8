"""Builders for spreadsheet tests: XLSX and CSV files as people make them (title rows, full-width
digits, GBK), the hostile ones (built here, small on disk), and the upload → preview → confirm steps."""

import io
import re
import zipfile
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

STAFF_HEADER = ["姓名", "性别", "出生日期", "学历", "人员性质", "专兼职", "职务", "到岗日期", "联系电话"]


def staff_row(name: str = "王芳", **overrides) -> list:
    values = {
        "姓名": name,
        "性别": "女",
        "出生日期": "1985-06-01",
        "学历": "大学本科",
        "人员性质": "事业编制",
        "专兼职": "专职",
        "职务": "工作人员",
        "到岗日期": "2009-03-01",
        "联系电话": "0573-82000000",
    }
    values.update(overrides)
    return [values[h] for h in STAFF_HEADER]


def xlsx_bytes(rows: Sequence[Sequence], *, title: str | None = None, merge_title: bool = True) -> bytes:
    """A workbook whose first sheet holds `rows` (the first being the header), optionally under a
    merged title row, as people make rosters."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    if title:
        sheet.append([title])
        if merge_title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(rows[0]), 2))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join(",".join(str(v) for v in row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return ("\ufeff".encode() + data) if bom else data


def upload(content: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def token_of(response) -> str:
    """The pending upload's token from the redirect to the preview."""
    assert response.status_code == 302, response.status_code
    match = re.search(r"token=([A-Za-z0-9_-]+)", response["Location"])
    assert match, response["Location"]
    return match[1]


def submit(client, url: str, content: bytes, name: str = "名册.xlsx"):
    """Upload a file and open its preview: (token, preview response)."""
    response = client.post(url, {"action": "upload", "file": upload(content, name)})
    token = token_of(response)
    return token, client.get(url, {"token": token})


def confirm(client, url: str, token: str):
    return client.post(url, {"action": "confirm", "token": token})


def upload_error(response) -> str:
    """The message shown next to the upload field when a file is refused outright."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    found = re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', html, re.S)
    assert found, "no error next to the upload field"
    return " ".join(found)


def problems(response) -> list[tuple[str, str, str]]:
    """The (row, column, reason) rows of the preview's problem table."""
    html = response.content.decode()
    table = re.search(r'data-testid="import-problems">(.*?)</table>', html, re.S)
    if not table:
        return []
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td>(.*?)</td></tr>", table[1], re.S)
    return [tuple(cell.strip() for cell in row) for row in rows]


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def zip_with(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_OPEN = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_CLOSE = b"</sheetData></worksheet>"


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def raw_xlsx(sheet_xml: bytes, **extra: bytes) -> bytes:
    """A minimal workbook around a hand-written sheet (for files openpyxl would never write)."""
    types = CONTENT_TYPES
    if "xl/sharedStrings.xml" in extra:
        types = types.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
    return zip_with(
        {
            "[Content_Types].xml": types,
            "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": sheet_xml,
            **extra,
        }
    )


def inline_row(number: int, values: Sequence[str]) -> bytes:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()
