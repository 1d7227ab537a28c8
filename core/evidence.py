"""Evidence files: photos (JPEG, PNG) and documents (PDF), recognised by their content, not their
name, and bounded in size. Anything else is refused with a message in Chinese.

The name a file was uploaded under is only a label: what it is named on disk (core.storage) and in a
download (`download_name`) ends in the extension of the type sniffed from its content."""

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from PIL import Image

# A photo of a wall or a room needs nothing near this; a "decompression bomb" does.
MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True)
class EvidenceKind:
    content_type: str
    extension: str
    label: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


JPEG = EvidenceKind("image/jpeg", ".jpg", "JPG 图片")
PNG = EvidenceKind("image/png", ".png", "PNG 图片")
PDF = EvidenceKind("application/pdf", ".pdf", "PDF 文件")
PHOTOS = (JPEG, PNG)
PHOTOS_AND_PDF = (JPEG, PNG, PDF)

# The extensions each kind is also typed with, so that "照片.jpeg" is not offered as "照片.jpeg.jpg".
EXTENSIONS = {JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"), PNG: (".png",), PDF: (".pdf",)}
# What a file whose content is none of the kinds above is offered as: never a name the system would run.
UNKNOWN_EXTENSION = ".bin"


def sniff(head: bytes) -> EvidenceKind | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
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
    upload: UploadedFile, allowed: tuple[EvidenceKind, ...] = PHOTOS_AND_PDF
) -> EvidenceKind:
    """The kind of an uploaded file, or a ValidationError saying in Chinese why it is refused."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            f"文件过大({filesizeformat(upload.size)}),单个文件不能超过 {filesizeformat(limit)}。"
        )
    if upload.size == 0:
        raise forms.ValidationError("文件是空的。")
    upload.seek(0)
    kind = sniff(upload.read(16))
    upload.seek(0)
    names = "、".join(k.label for k in allowed)
    if kind is None or kind not in allowed:
        raise forms.ValidationError(f"文件类型不符:只能上传{names}(按文件内容识别,改扩展名无效)。")
    if kind.is_image:
        _check_image(upload)
    else:
        _check_pdf(upload)
    return kind


def allowed_help(allowed: tuple[EvidenceKind, ...]) -> str:
    kinds = "、".join(k.label for k in allowed)
    return f"支持{kinds},单个文件不超过 {filesizeformat(settings.EVIDENCE_MAX_BYTES)}。"


class EvidenceInput(forms.ClearableFileInput):
    """Shows the current file through the portal's permission-checked preview and download URLs
    (evidence has no public URL), with a box to remove it."""

    template_name = "widgets/evidence_input.html"
    preview_url = ""
    download_url = ""

    def is_initial(self, value) -> bool:
        # Django's version asks the file for its URL, which evidence storage refuses to give.
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["preview_url"] = self.preview_url
        context["widget"]["download_url"] = self.download_url
        return context


class EvidenceField(forms.FileField):
    """A file field that accepts only real photos (and PDFs where allowed), and renames the upload
    to the extension of what it really is."""

    widget = EvidenceInput

    def __init__(self, *args, allowed: tuple[EvidenceKind, ...] = PHOTOS_AND_PDF, **kwargs):
        self.allowed = allowed
        # Lazy, so the form always states the limit in force (it is read from settings).
        kwargs.setdefault("help_text", lazy(allowed_help, str)(allowed))
        super().__init__(*args, **kwargs)
        accept = ",".join(k.content_type for k in allowed)
        self.widget.attrs.setdefault("accept", accept)

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
