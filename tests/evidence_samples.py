"""Small real files for upload tests: a JPEG, a PNG, a PDF, Word and Excel documents, and impostors."""

import functools
import io
import zipfile
from xml.sax.saxutils import escape

from PIL import Image


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (180, 30, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A minimal valid one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


TEXT_PRETENDING_TO_BE_JPEG = b"this is not a photo, only text with a .jpg name\n" * 4
HTML_PRETENDING_TO_BE_PNG = b"<html><script>alert(1)</script></html>"


# Office documents: real ones, made by the libraries the portal's users' programs agree with.


_DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    ),
}


def docx_bytes(text: str = "南湖区建设街道民政工作会议纪要") -> bytes:
    """A Word document with a heading and one paragraph: the parts Word itself needs at the least
    (python-docx would do the same, but brings lxml, which changes how openpyxl writes in the tests
    and not in production)."""
    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in ("会议纪要", text))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}<w:sectPr/></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _DOCX_PARTS.items():
            archive.writestr(name, content)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def xlsx_bytes(text: str = "社会救助对象台账") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([text])
    sheet.append(["姓名", "类别", "金额"])
    sheet.append(["张三", "低保", 850])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(
    data: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, (replace or {}).get(item.filename, source.read(item)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def docm_bytes() -> bytes:
    """A macro-enabled Word document (.docm): the main part's type says so and it holds a VBA project."""
    data = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    return _rezip(
        data,
        add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really VBA"},
        replace={"[Content_Types].xml": types},
    )


def docx_with_vba_project() -> bytes:
    """A .docx whose type claims no macros but which carries a VBA project all the same."""
    return _rezip(docx_bytes(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really VBA"})


def pptx_like_bytes() -> bytes:
    """An Office ZIP of a kind the portal does not keep (a presentation's parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/ppt/presentation.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
        )
        archive.writestr("ppt/presentation.xml", "<p/>")
    return out.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows program (an "MZ" header and the DOS stub's words)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"This program cannot be run in DOS mode.\r\n" * 8
    )


@functools.cache
def legacy_office_bytes(extension: str) -> bytes:
    """A real Word 97 (.doc) or Excel 97 (.xls) file, made by LibreOffice from a .docx or .xlsx, once
    per test run (a second or two each)."""
    from core import libreoffice

    if extension == ".doc":
        return libreoffice.convert(docx_bytes("旧版 Word 文档:低保复核记录"), ".docx", to="doc")
    return libreoffice.convert(xlsx_bytes("旧版 Excel 表格:临时救助台账"), ".xlsx", to="xls")


def mark_converted(source: str) -> None:
    """Mark the rendition of a stored document done with a small PDF, without running LibreOffice
    (for tests about pages and permissions, not about the conversion)."""
    from django.core.files.base import ContentFile

    from core.models import Rendition, RenditionState
    from core.storage import evidence_storage

    name = evidence_storage.save("rendition/test.pdf", ContentFile(pdf_bytes()))
    Rendition.objects.update_or_create(source=source, defaults={"state": RenditionState.DONE, "pdf": name})
