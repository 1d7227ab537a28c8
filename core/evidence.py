"""Evidence files: photos (JPEG, PNG) and documents (PDF), recognised by their content, not their
name, and bounded in size. Anything else is refused with a message in Chinese."""

import io
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
