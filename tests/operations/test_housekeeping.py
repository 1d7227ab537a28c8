"""`manage.py housekeeping` prunes exactly what has expired, each kind by its own limit, within the
audit retention, and a second run finds nothing more."""

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessment.choices import ExportState
from assessment.models import ExportJob
from assessment.reports.jobs import export_root
from core.spreadsheets.limits import pending_root
from operations.retention import housekeeping
from portal.choices import SecurityEventKind
from portal.models import SecurityEvent
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    settings.HOUSEKEEPING_EXPORT_JOB_DAYS = 30
    settings.HOUSEKEEPING_PENDING_IMPORT_HOURS = 24


def _ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def _session(key: str, expires: dt.datetime) -> Session:
    return Session.objects.create(session_key=key, session_data="x", expire_date=expires)


def _axes_rows(days: int) -> None:
    common = {
        "user_agent": f"ua-{days}",
        "ip_address": "10.1.1.1",
        "username": "town_a",
        "http_accept": "*/*",
    }
    rows = [
        AccessLog.objects.create(path_info="/accounts/login/", **common),
        AccessAttempt.objects.create(
            path_info="/accounts/login/", get_data="", post_data="", failures_since_start=1, **common
        ),
        AccessFailureLog.objects.create(path_info="/accounts/login/", **common),
    ]
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(attempt_time=_ago(days=days))


def _event(days: int) -> SecurityEvent:
    event = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username="town_a")
    SecurityEvent.objects.filter(pk=event.pk).update(at=_ago(days=days))
    return event


def _job(year: int, state: str, *, days: int, file: str = "") -> ExportJob:
    job = ExportJob.objects.create(year=year, state=state, fingerprint="f" * 64, file=file)
    finished = _ago(days=days) if state in (ExportState.DONE, ExportState.FAILED) else None
    ExportJob.objects.filter(pk=job.pk).update(requested_at=_ago(days=days), finished_at=finished)
    return job


def _export_file(name: str) -> Path:
    root = export_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(b"zip")
    return path


def _upload(name: str, hours: float) -> Path:
    root = pending_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text("{}")
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_expired_sessions_go_and_live_ones_stay():
    _session("expired1", _ago(seconds=1))
    _session("expired2", _ago(days=3))
    _session("alive", _ago(minutes=-29))
    assert housekeeping().counts["过期会话"] == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == ["alive"]


def test_login_logs_and_the_security_log_go_after_the_audit_retention():
    _axes_rows(days=366)
    _axes_rows(days=364)
    old, kept = _event(366), _event(364)
    result = housekeeping()
    assert result.counts["登录记录"] == 3 and result.counts["安全日志"] == 1
    for model in (AccessLog, AccessAttempt, AccessFailureLog):
        assert model.objects.count() == 1
        assert model.objects.get().attempt_time > _ago(days=365)
    assert list(SecurityEvent.objects.filter(pk__in=[old.pk, kept.pk])) == [kept]


def test_history_goes_after_the_audit_retention(world):
    old = factories.budget(world.office_a, 2010)
    recent = factories.budget(world.office_b, 2010)
    old.history.update(history_date=_ago(days=400))
    recent.history.update(history_date=_ago(days=300))
    assert housekeeping().counts["修改历史"] == 1
    assert not old.history.exists() and recent.history.count() == 1


def test_finished_export_jobs_go_after_their_days_with_their_files():
    old_done_file = _export_file("old.zip")
    newest_file = _export_file("newest.zip")
    old_done = _job(2010, ExportState.DONE, days=40, file="old.zip")
    old_failed = _job(2010, ExportState.FAILED, days=31)
    recent_failed = _job(2010, ExportState.FAILED, days=29)
    # The newest finished zip of a year is still handed out, however old.
    newest = _job(2010, ExportState.DONE, days=35, file="newest.zip")
    # Jobs not finished are never touched.
    queued = _job(2010, ExportState.QUEUED, days=90)
    running = _job(2011, ExportState.RUNNING, days=90)

    assert housekeeping().counts["报表批量生成任务"] == 2

    remaining = set(ExportJob.objects.values_list("pk", flat=True))
    assert remaining == {recent_failed.pk, newest.pk, queued.pk, running.pk}
    assert not ExportJob.objects.filter(pk__in=[old_done.pk, old_failed.pk]).exists()
    assert not old_done_file.exists() and newest_file.exists()


def test_uploads_never_confirmed_go_after_a_day():
    stale = [_upload("a" * 32 + ".json", 25), _upload("b" * 32 + ".claimed", 48), _upload(".c.tmp", 30)]
    fresh = _upload("d" * 32 + ".json", 23)
    other = _upload("README.txt", 100)  # not an upload: left alone
    assert housekeeping().counts["未确认的导入文件"] == 3
    assert not any(path.exists() for path in stale)
    assert fresh.exists() and other.exists()


def test_a_second_run_finds_nothing_and_the_summary_is_one_chinese_line(world, capsys):
    _session("expired", _ago(days=1))
    _axes_rows(days=400)
    _event(400)
    _job(2010, ExportState.FAILED, days=60)
    _upload("e" * 32 + ".json", 30)

    call_command("housekeeping")
    first = capsys.readouterr().out.strip()
    assert first.startswith("定期清理完成:已删除过期会话 1 个,登录记录 3 条,安全日志 1 条,修改历史 0 条,")
    assert "报表批量生成任务 1 个,未确认的导入文件 1 个(审计记录保留 365 天,只删除 " in first
    assert "\n" not in first

    call_command("housekeeping")
    second = capsys.readouterr().out.strip()
    assert (
        "过期会话 0 个,登录记录 0 条,安全日志 0 条,修改历史 0 条,报表批量生成任务 0 个,未确认的导入文件 0 个"
        in second
    )


def test_dry_run_counts_and_deletes_nothing(capsys):
    _session("expired", _ago(days=1))
    _axes_rows(days=400)
    _job(2010, ExportState.FAILED, days=60)
    upload = _upload("f" * 32 + ".json", 30)
    call_command("housekeeping", "--dry-run")
    out = capsys.readouterr().out
    assert out.startswith("定期清理(试运行,未删除):将删除过期会话 1 个,登录记录 3 条,")
    assert "报表批量生成任务 1 个,未确认的导入文件 1 个" in out
    assert Session.objects.count() == 1 and AccessLog.objects.count() == 1
    assert ExportJob.objects.count() == 1 and upload.exists()


def test_a_retention_below_the_minimum_is_refused_before_anything_goes(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    _session("expired", _ago(days=1))
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("housekeeping")
    assert Session.objects.count() == 1


def test_the_weekly_timer_runs_housekeeping():
    service = (ROOT / "deploy/systemd/jiaxing-minzheng-housekeeping.service").read_text()
    assert "manage.py housekeeping" in service
