"""Evidence files: photos (JPEG, PNG), documents (PDF) and Office documents (Word, Excel and WPS's
.doc .docx .wps .xls .xlsx .et), recognised by their content, not their name, and bounded in size.
Anything else is refused with a message in Chinese.

The name a file was uploaded under is only a label: what it is named on disk (core.storage) and in a
download (`download_name`) ends in the extension of the type sniffed from its content. Only among the
binary Office kinds, whose content says "Word" or "Excel" but not which program wrote it, does the
typed extension choose: a Word binary named .wps is a WPS 文字 document, otherwise a .doc.

Office documents are kept as uploaded and shown through a PDF made by LibreOffice in the background
(core.renditions); a macro-enabled or password-protected one is refused here, before it is stored."""

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import olefile
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import resolve, reverse
from django.utils.functional import lazy
from PIL import Image

# A photo of a wall or a room needs nothing near this; a "decompression bomb" does.
MAX_IMAGE_PIXELS = 40_000_000
# A real report or ledger of 10 MB unpacks to well under this; a "zip bomb" does not.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class EvidenceKind:
    content_type: str
    extension: str
    label: str
    # An Office document: kept as uploaded, read in the browser through its PDF rendition.
    office: bool = False

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


JPEG = EvidenceKind("image/jpeg", ".jpg", "JPG 图片")
PNG = EvidenceKind("image/png", ".png", "PNG 图片")
PDF = EvidenceKind("application/pdf", ".pdf", "PDF 文件")
DOC = EvidenceKind("application/msword", ".doc", "Word 文档", office=True)
DOCX = EvidenceKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word 文档", True
)
# WPS Office's own extensions: its 文字 and 表格 files are the Word 97 and Excel 97 binary formats.
WPS = EvidenceKind("application/wps-office.wps", ".wps", "WPS 文字文档", office=True)
XLS = EvidenceKind("application/vnd.ms-excel", ".xls", "Excel 表格", office=True)
XLSX = EvidenceKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel 表格", True
)
ET = EvidenceKind("application/wps-office.et", ".et", "WPS 表格", office=True)
OFFICE = (DOC, DOCX, WPS, XLS, XLSX, ET)
PHOTOS = (JPEG, PNG)
PHOTOS_AND_PDF = (JPEG, PNG, PDF)
# Wherever a PDF is evidence, a Word or Excel file is too (docs/decisions.md, "Office documents as
# evidence"): a scan is a PDF, the same minutes typed up are a .docx.
PHOTOS_AND_DOCUMENTS = (*PHOTOS_AND_PDF, *OFFICE)

# The extensions each kind is also typed with, so that "照片.jpeg" is not offered as "照片.jpeg.jpg".
EXTENSIONS = {
    JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    PNG: (".png",),
    PDF: (".pdf",),
    **{kind: (kind.extension,) for kind in OFFICE},
}
# What a file whose content is none of the kinds above is offered as: never a name the system would run.
UNKNOWN_EXTENSION = ".bin"


def stored_kind(name: str) -> EvidenceKind | None:
    """The kind of a stored evidence file by its name, without reading it: the portal stores each
    file under the extension of the kind its content showed (core.storage.evidence_upload_to)."""
    suffix = PurePosixPath(name).suffix.lower()
    return next((kind for kind, extensions in EXTENSIONS.items() if suffix in extensions), None)


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"


class Refused(Exception):
    """A file of a kind the portal knows, which it still will not keep; the message says why."""


def sniff(head: bytes) -> EvidenceKind | None:
    """The kind the first bytes show, for the kinds that a few bytes tell (photos and PDFs)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def identify(file: IO[bytes], name: str = "") -> EvidenceKind | None:
    """The kind of a whole file by its content (None: none the portal keeps). `name`, the name it was
    typed or stored with, only chooses between .doc and .wps, .xls and .et. Raises Refused for an
    Office document with macros or a password. Leaves the file at its start."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    try:
        if head.startswith(OLE_SIGNATURE):
            return _ole_kind(file, PurePosixPath(name).suffix.lower())
        if head.startswith(ZIP_SIGNATURE):
            return _ooxml_kind(file)
        return sniff(head)
    finally:
        file.seek(0)


MACROS_REFUSED = (
    "文件含有宏(VBA 代码),为安全起见不予接收;"
    "请在 Word、Excel 或 WPS 中另存为不含宏的 .docx 或 .xlsx 后再上传。"
)
LOCKED_REFUSED = "文件设有打开密码,无法查看;请取消密码后再上传。"
BROKEN_OFFICE = "文件已损坏或不完整,无法打开。"


def _ole_kind(file: IO[bytes], suffix: str) -> EvidenceKind | None:
    # An OLE2 compound file is a small file system: its streams' names tell Word from Excel (and
    # from PowerPoint, Outlook messages or Windows installers, which share the container).
    try:
        with olefile.OleFileIO(file) as ole:
            entries = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=True)}
            if "encryptedpackage" in entries:
                raise Refused(LOCKED_REFUSED)  # a password-protected .docx or .xlsx
            if any(part in {"macros", "_vba_project_cur", "vba"} for e in entries for part in e.split("/")):
                raise Refused(MACROS_REFUSED)
            if "worddocument" in entries:
                if _word_is_encrypted(ole.openstream("WordDocument").read(12)):
                    raise Refused(LOCKED_REFUSED)
                return WPS if suffix == ".wps" else DOC
            book = "workbook" if "workbook" in entries else "book" if "book" in entries else None
            if book:
                if _excel_is_encrypted(ole.openstream(book).read(64 * 1024)):
                    raise Refused(LOCKED_REFUSED)
                return ET if suffix == ".et" else XLS
            return None
    except Refused:
        raise
    except Exception as error:  # olefile raises many kinds for a damaged container
        raise Refused(BROKEN_OFFICE) from error


def _word_is_encrypted(fib: bytes) -> bool:
    # The File Information Block's flags (offset 10): bit 8 is fEncrypted ([MS-DOC] 2.5.2).
    return len(fib) >= 12 and bool(int.from_bytes(fib[10:12], "little") & 0x0100)


def _excel_is_encrypted(stream: bytes) -> bool:
    # A FILEPASS record (0x002F) among the workbook's first records ([MS-XLS] 2.4.117), before the
    # globals end (EOF, 0x000A).
    offset = 0
    while offset + 4 <= len(stream):
        record = int.from_bytes(stream[offset : offset + 2], "little")
        size = int.from_bytes(stream[offset + 2 : offset + 4], "little")
        if record == 0x002F:
            return True
        if record == 0x000A:
            return False
        offset += 4 + size
    return False


# The main part's content type ([Content_Types].xml) of each kind the portal keeps; a template
# (.dotx), a presentation or a macro-enabled document (.docm, .xlsm) has another.
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (DOCX, "word/"),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (XLSX, "xl/"),
}


def _ooxml_kind(file: IO[bytes]) -> EvidenceKind | None:
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            names = {entry.filename.lower(): entry for entry in entries}
            if "[content_types].xml" not in names:
                return None  # a ZIP, an OpenDocument file or a program's archive, not Office's
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                raise Refused(BROKEN_OFFICE)
            if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
                raise Refused(MACROS_REFUSED)
            types_entry = names["[content_types].xml"]
            if types_entry.file_size > 1024 * 1024:
                raise Refused(BROKEN_OFFICE)
            content_types = archive.read(types_entry)
    except Refused:
        raise
    except Exception as error:  # zipfile raises many kinds for a damaged archive
        raise Refused(BROKEN_OFFICE) from error
    if b"macroenabled" in content_types.lower():
        raise Refused(MACROS_REFUSED)
    for main, (kind, folder) in _OOXML_MAIN.items():
        if main in content_types and any(name.startswith(folder) for name in names):
            return kind
    return None


def _check_image(upload: UploadedFile) -> None:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise forms.ValidationError("图片尺寸过大,请压缩后再上传。")
                image.verify()
    except forms.ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise forms.ValidationError("图片尺寸过大,请压缩后再上传。") from error
    except Exception as error:  # Pillow raises many kinds for a broken file
        raise forms.ValidationError("图片文件已损坏或不完整,无法打开。") from error
    finally:
        upload.seek(0)


def _check_pdf(upload: UploadedFile) -> None:
    upload.seek(max(0, upload.size - 2048))
    tail = upload.read()
    upload.seek(0)
    if b"%%EOF" not in tail:
        raise forms.ValidationError("PDF 文件不完整或已损坏。")


def validate_evidence(
    upload: UploadedFile, allowed: tuple[EvidenceKind, ...] = PHOTOS_AND_DOCUMENTS
) -> EvidenceKind:
    """The kind of an uploaded file, or a ValidationError saying in Chinese why it is refused."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            f"文件过大({filesizeformat(upload.size)}),单个文件不能超过 {filesizeformat(limit)}。"
        )
    if upload.size == 0:
        raise forms.ValidationError("文件是空的。")
    try:
        kind = identify(upload, getattr(upload, "name", "") or "")
    except Refused as refused:
        raise forms.ValidationError(str(refused)) from refused
    if kind is None or kind not in allowed:
        raise forms.ValidationError(
            f"文件类型不符:只能上传{describe(allowed)}(按文件内容识别,改扩展名无效)。"
        )
    if kind.is_image:
        _check_image(upload)
    elif kind == PDF:
        _check_pdf(upload)
    return kind


def describe(allowed: tuple[EvidenceKind, ...]) -> str:
    """The kinds in words: "JPG 图片、PNG 图片、PDF 文件、Word/Excel/WPS 文档(.doc .docx …)"."""
    words = [k.label for k in allowed if not k.office]
    office = [k.extension for k in allowed if k.office]
    if office:
        words.append(f"Word/Excel/WPS 文档({' '.join(office)})")
    return "、".join(words)


def allowed_help(allowed: tuple[EvidenceKind, ...]) -> str:
    return f"支持{describe(allowed)},单个文件不超过 {filesizeformat(settings.EVIDENCE_MAX_BYTES)}。"


def accept_attribute(allowed: tuple[EvidenceKind, ...]) -> str:
    """The file picker's filter: the extensions (Windows knows .wps and .et only where WPS is
    installed, so a content type alone would hide them) and the content types."""
    extensions = [ext for kind in allowed for ext in EXTENSIONS.get(kind, (kind.extension,))]
    types = dict.fromkeys(kind.content_type for kind in allowed)
    return ",".join([*extensions, *types])


def _upload_context(context: dict, allowed: tuple[EvidenceKind, ...]) -> dict:
    # What static/js/upload.js checks before a file is sent (the server checks again): the size
    # limit in force and the extensions allowed.
    attrs = context["widget"]["attrs"]
    attrs["data-evidence-upload"] = ""
    attrs["data-max-bytes"] = str(settings.EVIDENCE_MAX_BYTES)
    attrs["data-accept"] = " ".join(
        ext for kind in allowed for ext in EXTENSIONS.get(kind, (kind.extension,))
    )
    return context


class EvidenceInput(forms.ClearableFileInput):
    """Shows the current file through the portal's permission-checked preview and download URLs
    (evidence has no public URL), with a box to remove it; the browser checks a new file's size and
    type before sending it, and shows the upload's progress (static/js/upload.js)."""

    template_name = "widgets/evidence_input.html"
    preview_url = ""
    download_url = ""
    view_url = ""
    allowed: tuple[EvidenceKind, ...] = PHOTOS_AND_DOCUMENTS

    def is_initial(self, value) -> bool:
        # Django's version asks the file for its URL, which evidence storage refuses to give.
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        preview_url, view_url = self.preview_url, self.view_url
        kind = stored_kind(getattr(value, "name", "") or "")
        if kind is not None and not kind.is_image:
            preview_url = ""  # only a photo has a thumbnail
        if kind is not None and kind.office and self.download_url and not view_url:
            # The page that shows the document's PDF rendition, beside its download.
            view_url = reverse("evidence_view", kwargs=resolve(self.download_url).kwargs)
        context["widget"].update(
            preview_url=preview_url, download_url=self.download_url, view_url=view_url, kind=kind
        )
        return _upload_context(context, self.allowed)


class EvidenceMultipleInput(forms.FileInput):
    """Several new evidence files at once (a duty record's attachments), checked in the browser like
    one (static/js/upload.js)."""

    template_name = "widgets/evidence_multiple_input.html"
    allow_multiple_selected = True
    allowed: tuple[EvidenceKind, ...] = PHOTOS_AND_DOCUMENTS

    def get_context(self, name, value, attrs):
        return _upload_context(super().get_context(name, value, attrs), self.allowed)


class EvidenceField(forms.FileField):
    """A file field that accepts only real photos (and PDF and Office documents where allowed), and
    renames the upload to the extension of what it really is."""

    widget = EvidenceInput

    def __init__(self, *args, allowed: tuple[EvidenceKind, ...] = PHOTOS_AND_DOCUMENTS, **kwargs):
        self.allowed = allowed
        # Lazy, so the form always states the limit in force (it is read from settings).
        kwargs.setdefault("help_text", lazy(allowed_help, str)(allowed))
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", accept_attribute(allowed))
        self.widget.allowed = allowed

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and isinstance(value, UploadedFile):
            kind = validate_evidence(value, self.allowed)
            value.evidence_kind = kind
            value.original_name = value.name
            value.name = f"evidence{kind.extension}"
        return value


def thumbnail(data: bytes, size: int = 360) -> bytes:
    """A JPEG preview of a photo, re-encoded by the portal so it is safe to show inline."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
    return out.getvalue()


# A typed extension: a dot, then up to 10 ASCII letters and digits with at least one letter (".2" in
# "第1.2版" is part of the name, ".html" in "整改报告.pdf.html" is not).
_TYPED_EXTENSION = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")
# Characters that Windows refuses in a file name, and the path separators.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
# Controls, invisible formatting (the right-to-left override that turns "gpj.exe" around), line and
# paragraph separators, surrogates, private use and unassigned code points.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{port}{i}" for port in ("COM", "LPT") for i in range(10)}
MAX_STEM_LENGTH = 80  # characters: 240 bytes of Chinese in UTF-8, within every file system's 255


def clean_file_stem(name: str, *, drop_extension: bool = False) -> str:
    """A name safe to save on any desktop: no folders, controls, invisible or forbidden characters,
    no leading or trailing dots and spaces, no Windows device name; `drop_extension`: without the
    extension it was typed with."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    name = " ".join(name.split())
    if drop_extension:
        name = _TYPED_EXTENSION.sub("", name.rstrip(" ."))
    name = _FORBIDDEN.sub("_", name).strip(" .")
    name = name[:MAX_STEM_LENGTH].rstrip(" .")
    if name.split(".")[0].strip().upper() in _WINDOWS_DEVICES:
        name = f"_{name}"
    return name


def download_name(
    label: str, kind: EvidenceKind | None, *, fallback: str = "证据材料", typed: bool = True
) -> str:
    """The name a download carries: the cleaned name the file was uploaded under (`typed`: its own
    extension is dropped, it is only a label) and the extension of the type its content shows.

    "整改报告.pdf.html" holding a PDF is offered as "整改报告.pdf", "run.bat" as "run.pdf", "photo.png.svg"
    holding a PNG as "photo.png"; a content of no known kind ends in ".bin"."""
    extension = kind.extension if kind else UNKNOWN_EXTENSION
    stem = clean_file_stem(label, drop_extension=typed)
    if typed and kind:
        # "整改报告.pdf" is left of "整改报告.pdf.html": drop its own extension too, if it names the kind.
        for suffix in EXTENSIONS.get(kind, ()):
            if stem.lower().endswith(suffix):
                stem = clean_file_stem(stem[: -len(suffix)])
                break
    return f"{stem or clean_file_stem(fallback) or 'file'}{extension}"
