"""How long the audit trail is kept: every record's history (simple-history) and the security log.

The policy keeps both at least AUDIT_MIN_RETENTION_DAYS (180); the bureau chooses how long beyond
that with AUDIT_RETENTION_DAYS. Rows older than the cut-off are deleted by `manage.py prune_history`
(weekly from deploy/systemd/jiaxing-minzheng-prune.timer). The records themselves are never touched:
only the trail of how they came to be.
"""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

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
