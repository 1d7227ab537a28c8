"""The PDF renditions of Office evidence (core/renditions.py, core/libreoffice.py), with the real
LibreOffice: asked for as the file is stored, made by the background task, read back with pdftotext;
a document LibreOffice cannot open is marked 转换失败 and its original still downloads; a conversion
past its time limit is killed with its whole process group."""

import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from core import libreoffice, renditions
from core.models import Rendition, RenditionState
from core.storage import evidence_storage
from tests import evidence_samples as samples
from tests import factories
from tests.assessment.reports import helpers as reports_helpers
from tests.duties import helpers

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LABEL = "duties.dutyrecordattachment"


def pdf_text(name: str) -> str:
    return reports_helpers.text(Path(evidence_storage.path(name)), raw=True)


def upload(world, record, name: str, data: bytes):
    url = reverse("duties:attachment_create", args=[world.office_a.town.code, record.pk])
    files = {"files": [SimpleUploadedFile(name, data, content_type="application/octet-stream")]}
    return factories.client_for(world.town_a).post(url, files)


@override_settings(TASKS=IMMEDIATE)
def test_an_uploaded_word_document_is_converted_by_the_task_and_shown_as_pdf(
    world, django_capture_on_commit_callbacks
):
    record = helpers.record(world.office_a)
    document = samples.docx_bytes("城乡低保动态管理专题会议")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(world, record, "民政工作会议纪要.docx", document)
    assert response.status_code == 302
    attachment = record.attachments.get()
    assert attachment.content_type == samples_docx_type()
    rendition = Rendition.objects.get(source=attachment.file.name)
    assert rendition.state == RenditionState.DONE and rendition.error == ""
    assert rendition.pdf.name.startswith("rendition/dutyrecordattachment/") and 0 < rendition.seconds < 60
    assert "城乡低保动态管理专题会议" in pdf_text(rendition.pdf.name)
    # The original is kept as uploaded, and is what the download hands out.
    with attachment.file.open("rb") as handle:
        assert handle.read() == document
    # A second run of the task (a retry) keeps what was made.
    assert renditions.convert(attachment.file.name).pdf.name == rendition.pdf.name


def samples_docx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_document_libreoffice_cannot_open_is_marked_failed_and_still_downloads(world):
    # Its package looks right (the upload takes it), its text part is not XML.
    broken = samples._rezip(samples.docx_bytes(), replace={"word/document.xml": b"\x00\x01 not xml"})
    record = helpers.record(world.office_a)
    assert upload(world, record, "坏文件.docx", broken).status_code == 302
    attachment = record.attachments.get()
    assert Rendition.objects.get(source=attachment.file.name).state == RenditionState.PENDING
    page_url = reverse("evidence_view", args=[LABEL, attachment.pk, "file"])
    client = factories.client_for(world.county_a)
    assert "正在转换" in client.get(page_url).content.decode()

    rendition = renditions.convert(attachment.file.name)  # what the worker runs

    assert rendition.state == RenditionState.FAILED and "无法打开" in rendition.error
    page = client.get(page_url).content.decode()
    assert "转换失败,可下载原文件查看" in page and "<iframe" not in page
    download = client.get(reverse("evidence_download", args=[LABEL, attachment.pk, "file"]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == broken
    assert client.get(reverse("evidence_rendition", args=[LABEL, attachment.pk, "file"])).status_code == 404


def test_a_conversion_past_its_time_limit_is_killed_with_its_process_group(world, monkeypatch):
    monkeypatch.setattr(libreoffice, "TIMEOUT", 0.2)
    name = evidence_storage.save("plan/1/slow.docx", ContentFile(samples.docx_bytes()))
    rendition = renditions.convert(name)
    assert rendition.state == RenditionState.FAILED and "转换超时" in rendition.error
    # Nothing of that run lives on (its profile folder named the run: jiaxing-convert-*).
    time.sleep(0.5)
    pgrep = ["pgrep", "-f", "jiaxing-convert-"]
    left = subprocess.run(pgrep, capture_output=True, text=True, check=False)  # noqa: S603
    assert left.stdout == ""


def test_a_file_that_is_not_an_office_document_is_not_converted(world):
    name = evidence_storage.save("plan/1/fake.docx", ContentFile(samples.exe_bytes()))
    assert Rendition.objects.get(source=name).state == RenditionState.PENDING
    rendition = renditions.convert(name)
    assert rendition.state == RenditionState.FAILED and "不是可转换" in rendition.error


def test_libreoffice_runs_without_network_and_with_macros_off():
    # As root (CI, this machine) a network namespace of its own; elsewhere, with a user namespace.
    assert libreoffice.no_network_prefix()[1:2] == ("--net",)
    settings = libreoffice.profile_settings()
    assert '"MacroSecurityLevel" oor:op="fuse"><value>3<' in settings
    assert '"DisableMacrosExecution" oor:op="fuse"><value>true<' in settings


def test_only_office_documents_ask_for_a_rendition(world):
    evidence_storage.save("plan/1/scan.pdf", ContentFile(samples.pdf_bytes()))
    evidence_storage.save("plan/1/photo.jpg", ContentFile(samples.jpeg_bytes()))
    assert not Rendition.objects.exists()
    evidence_storage.save("plan/1/ledger.et", ContentFile(samples.xlsx_bytes()))
    assert Rendition.objects.get().state == RenditionState.PENDING
