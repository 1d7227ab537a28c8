"""Where evidence files live: a private folder that no static or media URL reaches."""

import os
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class EvidenceStorage(FileSystemStorage):
    """File storage under settings.EVIDENCE_ROOT, read at every use so tests can point it elsewhere.

    It has no URL on purpose: files are only handed out by the download view, after a permission check.
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.EVIDENCE_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("证据文件不提供直接链接,请通过下载页面获取。")

    def _save(self, name: str, content) -> str:
        name = super()._save(name, content)
        if PurePosixPath(name).suffix.lower() in OFFICE_SUFFIXES:
            # Whichever form, service or import stored it, an Office document is read in the browser
            # through a PDF: ask for it here, the one place every stored file passes.
            from core.renditions import rendition_request

            rendition_request(source=name)
        return name


evidence_storage = EvidenceStorage()


# The only extensions a stored evidence file may have: those of the kinds core.evidence recognises by
# content (its EvidenceField and the duty attachments rename an upload to "evidence<ext of the kind>").
OFFICE_SUFFIXES = frozenset({".doc", ".docx", ".wps", ".xls", ".xlsx", ".et"})
STORED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".pdf"}) | OFFICE_SUFFIXES


def evidence_upload_to(instance, filename: str) -> str:
    """A path that reveals nothing of the original name and never collides: <model>/<office>/<uuid>.<ext>.

    <ext> is one of STORED_SUFFIXES or nothing: a name that reached here untreated ("x.pdf.html",
    "run.bat") does not put a page or a program in the evidence folder, which nginx may serve."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in STORED_SUFFIXES:
        suffix = ""
    # An office's own photos go in its folder, like the records it files.
    office_id = instance.pk if instance._meta.model_name == "office" else getattr(instance, "office_id", None)
    office_id = office_id or "common"
    return f"{instance._meta.model_name}/{office_id}/{uuid.uuid4().hex}{suffix}"
