"""Background work (django-tasks, database backend; `manage.py db_worker` runs it): the zip of every
county's award report, as PDF and XLSX, with the city summary, for one year.

A finished zip is kept in a private folder next to the evidence files and handed out again as long
as the data it was made from is unchanged (reports/fingerprint.py), so any change, even one written in
bulk without an audit row, makes the next request build a new file. Its PDFs come through the kept
copies of reports/cache.py: a county's report downloaded since the last change is not rendered again."""

import logging
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from assessment.choices import ExportState
from assessment.models import ExportJob
from assessment.reports import award, cache, summary, xlsx
from assessment.reports.fingerprint import data_fingerprint
from core.text import NOTE, clip
from offices.models import County
from portal.models import User

logger = logging.getLogger(__name__)


def export_root() -> Path:
    """The private folder of finished zips: beside the evidence folder, never served as static."""
    return Path(settings.EVIDENCE_ROOT).resolve().parent / "exports"


def _file_ok(job: ExportJob) -> bool:
    return bool(job.file) and (export_root() / job.file).is_file()


def export_start(*, actor: User, year: int) -> tuple[ExportJob, bool]:
    """Start the zip of a year's reports, or hand back the one made (or being made) from the same
    data. Returns (job, reused). The job is queued once the transaction commits."""
    fingerprint = data_fingerprint(year)
    with transaction.atomic():
        same = (
            ExportJob.objects.select_for_update()
            .filter(
                year=year,
                fingerprint=fingerprint,
                state__in=[ExportState.QUEUED, ExportState.RUNNING, ExportState.DONE],
            )
            .first()
        )
        if same is not None and (same.state != ExportState.DONE or _file_ok(same)):
            return same, True
        job = ExportJob.objects.create(
            year=year, requested_by=actor, fingerprint=fingerprint, total=County.objects.count() + 1
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job, False


def _enqueue(job_id: int) -> None:
    result = build_export.enqueue(job_id)
    ExportJob.objects.filter(pk=job_id, queue_id="").update(queue_id=str(result.id)[:64])


@task()
def build_export(job_id: int) -> str:
    """The background job: build the zip of job `job_id`; returns the file's name."""
    return run_export(job_id)


def run_export(job_id: int) -> str:
    """Build the zip: one folder per county with its award report as PDF and XLSX, and the city
    summary; progress is saved after each county for the page's progress bar."""
    job = ExportJob.objects.get(pk=job_id)
    if job.state == ExportState.DONE and _file_ok(job):
        return job.file
    counties = list(County.objects.order_by("code"))
    fingerprint = data_fingerprint(job.year)  # of the data as read from here on
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.RUNNING, done=0, total=len(counties) + 1, fingerprint=fingerprint, error=""
    )
    root = export_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"以奖代补报表_{job.year}_{job.pk}.zip"
    partial = root / f".{name}.part"
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for done, county in enumerate(counties, start=1):
                report = award.award_report(county, job.year)
                folder = f"{county.code}_{county.name}"
                rendered = cache.award_pdf(report, fingerprint=fingerprint)
                bundle.writestr(f"{folder}/{report.filename}.pdf", rendered)
                bundle.writestr(f"{folder}/{report.filename}.xlsx", xlsx.award_xlsx(report))
                ExportJob.objects.filter(pk=job.pk).update(done=done)
            city = summary.city_summary(job.year)
            bundle.writestr(f"{city.filename}.pdf", cache.city_summary_pdf(city, fingerprint=fingerprint))
            bundle.writestr(f"{city.filename}.xlsx", xlsx.city_summary_xlsx(city))
        partial.replace(root / name)
    except Exception as error:
        partial.unlink(missing_ok=True)
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, error=clip(f"生成失败:{error}", NOTE), finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.DONE, done=len(counties) + 1, file=name, finished_at=timezone.now()
    )
    _drop_superseded(job.year, keep=job.pk)
    return name


def _drop_superseded(year: int, *, keep: int) -> None:
    """Older zips of the year are out of date once a newer one is done: their files go."""
    for old in ExportJob.objects.filter(year=year, state=ExportState.DONE).exclude(pk=keep).exclude(file=""):
        (export_root() / old.file).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=old.pk).update(file="")
