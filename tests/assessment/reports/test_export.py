"""The zip of every county's report, made in the background: the task run synchronously here (the
worker is `manage.py db_worker`), the progress the page polls, the file handed out again while the
data is unchanged and rebuilt when it changed."""

import io
import zipfile

import pytest
from django.test import override_settings
from django.urls import reverse

from assessment.choices import ExportState
from assessment.models import ExportJob, Payment
from assessment.reports import jobs, pdf
from assessment.subsidies import services as subsidies
from offices.models import County
from tests import factories

from . import helpers as h
from .conftest import JIANSHE

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return factories.client_for(world.city)


def test_the_task_builds_the_zip(programme, world):
    job, reused = jobs.export_start(actor=world.city, year=2010)
    assert not reused and job.state == ExportState.QUEUED and job.total == 8
    name = jobs.run_export(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.progress == 100 and job.file == name
    with zipfile.ZipFile(jobs.export_root() / name) as bundle:
        names = bundle.namelist()
        assert len(names) == 2 * County.objects.count() + 2
        assert "330402_南湖区/以奖代补资金汇总表_330402_2010.pdf" in names
        assert "330411_秀洲区/以奖代补资金汇总表_330411_2010.xlsx" in names
        assert "以奖代补汇总表_全市_2010.pdf" in names
        assert bundle.read("330402_南湖区/以奖代补资金汇总表_330402_2010.pdf").startswith(b"%PDF")
    assert jobs.export_root().is_relative_to(jobs.export_root().parent)
    assert "static" not in jobs.export_root().parts


def test_the_file_is_reused_until_the_data_changes(programme, world):
    first, _ = jobs.export_start(actor=world.city, year=2010)
    jobs.run_export(first.pk)
    again, reused = jobs.export_start(actor=world.city, year=2010)
    assert reused and again.pk == first.pk
    payment = Payment.objects.get(office__town__code=JIANSHE)
    subsidies.payments_mark_paid(
        actor=world.city, payments=[payment], paid_on=h.day(2011, 3, 15), document_no="嘉民〔2011〕18号"
    )
    rebuilt, reused = jobs.export_start(actor=world.city, year=2010)
    assert not reused and rebuilt.pk != first.pk
    jobs.run_export(rebuilt.pk)
    first.refresh_from_db()
    assert first.file == "" and not list(jobs.export_root().glob(f"*_{first.pk}.zip"))  # superseded, removed


def test_a_change_written_in_bulk_moves_the_fingerprint(programme):
    before = jobs.data_fingerprint(2010)
    year = programme.assessment_years.get(year=2010)
    year.assessments.filter(office__town__code="330402008").update(total="84.50")  # no history row
    assert jobs.data_fingerprint(2010) != before


def test_a_job_in_progress_is_handed_back(programme, world):
    job, _ = jobs.export_start(actor=world.city, year=2010)
    again, reused = jobs.export_start(actor=world.city, year=2010)
    assert reused and again.pk == job.pk


def test_a_missing_file_is_rebuilt(programme, world):
    job, _ = jobs.export_start(actor=world.city, year=2010)
    jobs.run_export(job.pk)
    (jobs.export_root() / ExportJob.objects.get(pk=job.pk).file).unlink()
    again, reused = jobs.export_start(actor=world.city, year=2010)
    assert not reused and again.pk != job.pk


def test_the_page_the_status_and_the_download(programme, city, django_capture_on_commit_callbacks):
    url = reverse("reports:export_page", args=[2010])
    assert "开始生成" in city.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert city.post(url).status_code == 302
    assert len(callbacks) == 1  # the task is queued once the job is committed
    job = ExportJob.objects.get()
    page = city.get(url).content.decode()
    assert f'data-export-status="{reverse("reports:export_status", args=[job.pk])}"' in page
    assert "js/report-export.js" in page and "<script>" not in page
    status = city.get(reverse("reports:export_status", args=[job.pk])).json()
    assert status["state"] == "queued" and status["download"] is None and status["total"] == 8
    assert city.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    jobs.run_export(job.pk)
    status = city.get(reverse("reports:export_status", args=[job.pk])).json()
    assert status["state"] == "done" and status["progress"] == 100
    response = city.get(status["download"])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    content = b"".join(response.streaming_content)
    assert len(zipfile.ZipFile(io.BytesIO(content)).namelist()) == 16
    with django_capture_on_commit_callbacks(execute=True):
        city.post(url)
    assert ExportJob.objects.count() == 1  # unchanged data: the same file


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_enqueued_with_the_immediate_backend(programme, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = jobs.export_start(actor=world.city, year=2010)
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.queue_id
    assert (jobs.export_root() / job.file).is_file()


def test_a_failure_is_recorded(programme, world, monkeypatch):
    job, _ = jobs.export_start(actor=world.city, year=2010)

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(pdf, "award_pdf", broken)
    with pytest.raises(RuntimeError):
        jobs.run_export(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "磁盘已满" in job.error
    assert not list(jobs.export_root().glob("*.part"))
