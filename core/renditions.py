"""Office documents among the evidence are read in the browser through a PDF (a rendition) that
LibreOffice makes in the background worker (django-tasks; `manage.py db_worker` runs it).

Every stored Office document asks for its rendition as it is stored (core.storage), whichever page,
service or import stored it: a row 待转换 at once, the conversion once the transaction that stored the
file commits. The original is never changed and stays what a download hands out; a document that
cannot be converted is marked 转换失败 and can still be downloaded."""

import logging
import time
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core import libreoffice
from core.evidence import Refused, identify
from core.models import Rendition, RenditionState
from core.storage import evidence_storage
from core.text import NOTE, clip

logger = logging.getLogger(__name__)

RENDITION_FOLDER = "rendition"


def rendition_request(*, source: str) -> Rendition:
    """Ask for the PDF of the stored Office document `source` (its stored name): 待转换 now, converted
    by the worker once the current transaction commits (nothing is queued if it rolls back)."""
    rendition, created = Rendition.objects.get_or_create(source=source)
    if not created and rendition.state != RenditionState.PENDING:
        Rendition.objects.filter(pk=rendition.pk).update(state=RenditionState.PENDING, error="", pdf="")
        rendition.refresh_from_db()
    transaction.on_commit(lambda: convert_document.enqueue(source))
    return rendition


def rendition_of(name: str) -> Rendition | None:
    """The rendition of a stored file, by its stored name (None: none was asked for)."""
    return Rendition.objects.filter(source=name).first()


@task()
def convert_document(source: str) -> str:
    """The background job: the PDF of one stored Office document; returns the state reached."""
    return convert(source).state


def convert(source: str) -> Rendition:
    """Make the PDF of `source` and record the outcome: 已转换 with the PDF's stored name, or 转换失败
    with the reason in Chinese. Done once: a rendition already made is left as it is."""
    rendition = Rendition.objects.filter(source=source).first() or Rendition.objects.create(source=source)
    if (
        rendition.state == RenditionState.DONE
        and rendition.pdf
        and evidence_storage.exists(rendition.pdf.name)
    ):
        return rendition
    started = time.monotonic()
    try:
        with evidence_storage.open(source, "rb") as handle:
            kind = identify(handle, source)
            if kind is None or not kind.office:
                raise libreoffice.ConversionFailed("文件内容不是可转换的 Word、Excel 或 WPS 文档。")
            data = handle.read()
        pdf = libreoffice.to_pdf(data, kind.extension)
    except (libreoffice.ConversionFailed, Refused) as error:
        return _failed(rendition, str(error))
    except FileNotFoundError:
        return _failed(rendition, "原文件已不存在。")
    except Exception:
        logger.exception("converting %s failed", source)
        return _failed(rendition, "转换时出错。")
    name = evidence_storage.save(rendition_name(source), ContentFile(pdf))
    seconds = round(time.monotonic() - started, 2)
    Rendition.objects.filter(pk=rendition.pk).update(
        state=RenditionState.DONE, pdf=name, error="", converted_at=timezone.now(), seconds=seconds
    )
    logger.info("converted %s to PDF in %.1f s", source, seconds)
    rendition.refresh_from_db()
    return rendition


def rendition_name(source: str) -> str:
    """Where the PDF of `source` is stored: beside nothing a browser or nginx could reach, under the
    evidence folder, named after its original ("rendition/dutyrecordattachment/3/<uuid>.pdf")."""
    return str(PurePosixPath(RENDITION_FOLDER) / PurePosixPath(source).with_suffix(".pdf"))


def _failed(rendition: Rendition, reason: str) -> Rendition:
    logger.warning("no PDF for %s: %s", rendition.source, reason)
    Rendition.objects.filter(pk=rendition.pk).update(
        state=RenditionState.FAILED, error=clip(reason, NOTE), converted_at=timezone.now()
    )
    rendition.refresh_from_db()
    return rendition
