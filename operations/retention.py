"""How long the audit trail is kept: every record's history (simple-history) and the security log.

The policy keeps both at least AUDIT_MIN_RETENTION_DAYS (180); the bureau chooses how long beyond
that with AUDIT_RETENTION_DAYS. Rows older than the cut-off are deleted by `manage.py prune_history`,
and with everything else that expires by `manage.py housekeeping` (weekly from
deploy/systemd/jiaxing-minzheng-housekeeping.timer; see `housekeeping()` below). The records
themselves are never touched: only the trail of how they came to be.
"""

import datetime as dt
import time
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from assessment.choices import ExportState
from assessment.models import ExportJob
from core.spreadsheets.limits import pending_root
from core.spreadsheets.pending import pending_purge
from portal.models import SecurityEvent


class RetentionError(ValueError):
    pass


@dataclass(frozen=True)
class PruneResult:
    cutoff: dt.datetime
    deleted: dict[str, int]  # verbose name of the table -> rows deleted (or that would be)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def history_models() -> list[type[models.Model]]:
    """The audit tables: every historical model simple-history made for a tracked record."""
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "instance_type") and any(f.name == "history_date" for f in model._meta.fields)
    ]


def cutoff_for(days: int, now: dt.datetime | None = None) -> dt.datetime:
    minimum = settings.AUDIT_MIN_RETENTION_DAYS
    if days < minimum:
        raise RetentionError(f"审计记录至少保留 {minimum} 天,不能只保留 {days} 天。")
    return (now or timezone.now()) - dt.timedelta(days=days)


def prune_audit_trail(days: int, *, dry_run: bool = False, now: dt.datetime | None = None) -> PruneResult:
    """Delete history and security-log rows older than `days` days (at least the legal minimum), all
    in one transaction. With dry_run, count them and delete nothing."""
    cutoff = cutoff_for(days, now)
    tables: list[tuple[str, models.QuerySet]] = [
        (str(model._meta.verbose_name), model._default_manager.filter(history_date__lt=cutoff))
        for model in history_models()
    ]
    tables.append((str(SecurityEvent._meta.verbose_name), SecurityEvent.objects.filter(at__lt=cutoff)))
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for name, old_rows in tables:
            count = old_rows.count() if dry_run else old_rows.delete()[0]
            if count:
                deleted[name] = count
    return PruneResult(cutoff=cutoff, deleted=deleted)


# Housekeeping: everything that expires, in one weekly pass (`manage.py housekeeping`).
#
# - expired sessions (they no longer sign anyone in);
# - the login logs of django-axes (successful logins, failure counters, failure log) older than the
#   audit retention, like the security log and the history (prune_audit_trail): nothing younger than
#   AUDIT_RETENTION_DAYS is deleted, and that is never less than 180 days;
# - finished report-zip jobs (done or failed) older than HOUSEKEEPING_EXPORT_JOB_DAYS, with their
#   files, except the newest finished zip of each year, which is handed out again while its data is
#   unchanged;
# - uploads never confirmed, older than HOUSEKEEPING_PENDING_IMPORT_HOURS (each upload also deletes
#   those past the one-hour confirmation time; this catches what was left when nobody uploaded).
#
# Each kind deletes only what is past its own limit, so a second run deletes nothing.

# The kinds, in the order of the summary line, with the unit each is counted in.
SESSIONS, LOGIN_LOGS, SECURITY_LOG, HISTORY, EXPORT_JOBS, PENDING_IMPORTS = (
    "过期会话",
    "登录记录",
    "安全日志",
    "修改历史",
    "报表批量生成任务",
    "未确认的导入文件",
)
UNITS = {
    SESSIONS: "个",
    LOGIN_LOGS: "条",
    SECURITY_LOG: "条",
    HISTORY: "条",
    EXPORT_JOBS: "个",
    PENDING_IMPORTS: "个",
}


@dataclass
class HousekeepingResult:
    audit_cutoff: dt.datetime
    audit_days: int
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)  # kind -> rows or files deleted (or that would be)
    details: dict[str, int] = field(default_factory=dict)  # table -> rows, for --verbosity 2

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """One line in Chinese, for the journal: what went, kind by kind."""
        parts = ",".join(f"{kind} {self.counts.get(kind, 0)} {UNITS[kind]}" for kind in UNITS)
        cutoff = self.audit_cutoff.astimezone().strftime("%Y-%m-%d")
        head = "定期清理(试运行,未删除)" if self.dry_run else "定期清理完成"
        verb = "将删除" if self.dry_run else "已删除"
        return f"{head}:{verb}{parts}(审计记录保留 {self.audit_days} 天,只删除 {cutoff} 之前的)。"


def _session_model() -> type[models.Model] | None:
    """The sessions table, when sessions live in the database (the portal's default)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store.get_model_class() if hasattr(store, "get_model_class") else None


def prune_sessions(*, dry_run: bool = False, now: dt.datetime | None = None) -> int:
    model = _session_model()
    if model is None:
        if not dry_run:
            import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        return 0
    expired = model.objects.filter(expire_date__lt=now or timezone.now())
    return expired.count() if dry_run else expired.delete()[0]


def login_log_models() -> list[type[models.Model]]:
    """django-axes' tables: successful logins, failure counters (and their expiry), failure log."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [AccessLog, AccessAttempt, AccessFailureLog]


def prune_login_logs(cutoff: dt.datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Delete axes' rows whose last attempt is older than the audit cut-off."""
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for model in login_log_models():
            old_rows = model._default_manager.filter(attempt_time__lt=cutoff)
            count = old_rows.count() if dry_run else old_rows.delete()[1].get(model._meta.label, 0)
            if count:
                deleted[str(model._meta.verbose_name)] = count
    return deleted


def _export_root() -> Path:
    from assessment.reports.jobs import export_root

    return export_root()


def prune_export_jobs(days: int, *, dry_run: bool = False, now: dt.datetime | None = None) -> int:
    """Delete done and failed report-zip jobs finished more than `days` days ago, and their files;
    the newest done job of each year stays (its zip is handed out again while the data is unchanged).
    Queued and running jobs are never touched."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    newest = ExportJob.objects.filter(state=ExportState.DONE).values("year").annotate(newest=Max("pk"))
    old_jobs = (
        ExportJob.objects.filter(state__in=[ExportState.DONE, ExportState.FAILED])
        .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, requested_at__lt=cutoff))
        .exclude(pk__in=[row["newest"] for row in newest])
    )
    if dry_run:
        return old_jobs.count()
    with transaction.atomic():
        jobs = list(old_jobs.select_for_update().values_list("pk", "file"))
        ExportJob.objects.filter(pk__in=[pk for pk, _ in jobs]).delete()
    root = _export_root()
    for _, name in jobs:
        if name:
            (root / Path(name).name).unlink(missing_ok=True)
    return len(jobs)


def prune_pending_imports(hours: int, *, dry_run: bool = False) -> int:
    """Delete uploads never confirmed, older than `hours` hours (core/spreadsheets/pending.py)."""
    older_than = hours * 3600
    if not dry_run:
        return pending_purge(older_than=older_than)
    root = pending_root()
    if not root.is_dir():
        return 0
    limit = time.time() - older_than
    return sum(
        1
        for path in root.iterdir()
        if path.name.endswith((".json", ".tmp", ".claimed")) and path.stat().st_mtime < limit
    )


def housekeeping(*, dry_run: bool = False, now: dt.datetime | None = None) -> HousekeepingResult:
    """Everything that expires, each kind by its own limit (see above). Refuses (RetentionError)
    before deleting anything when AUDIT_RETENTION_DAYS is below the legal minimum."""
    now = now or timezone.now()
    audit = prune_audit_trail(settings.AUDIT_RETENTION_DAYS, dry_run=dry_run, now=now)
    result = HousekeepingResult(
        audit_cutoff=audit.cutoff, audit_days=settings.AUDIT_RETENTION_DAYS, dry_run=dry_run
    )
    result.counts[SESSIONS] = prune_sessions(dry_run=dry_run, now=now)
    login_logs = prune_login_logs(audit.cutoff, dry_run=dry_run)
    result.counts[LOGIN_LOGS] = sum(login_logs.values())
    security_name = str(SecurityEvent._meta.verbose_name)
    result.counts[SECURITY_LOG] = audit.deleted.get(security_name, 0)
    result.counts[HISTORY] = audit.total - result.counts[SECURITY_LOG]
    result.counts[EXPORT_JOBS] = prune_export_jobs(
        settings.HOUSEKEEPING_EXPORT_JOB_DAYS, dry_run=dry_run, now=now
    )
    result.counts[PENDING_IMPORTS] = prune_pending_imports(
        settings.HOUSEKEEPING_PENDING_IMPORT_HOURS, dry_run=dry_run
    )
    result.details = {**audit.deleted, **login_logs}
    return result
