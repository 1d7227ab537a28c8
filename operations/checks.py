"""System checks of the portal's own settings, run by `manage.py check` (and so before every deploy)."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security)
def audit_retention(app_configs, **kwargs) -> list[Error]:
    minimum, kept = settings.AUDIT_MIN_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS
    if kept < minimum:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS={kept} is below the {minimum} days the audit history must be kept.",
                hint=f"Set AUDIT_RETENTION_DAYS to {minimum} or more.",
                id="portal.E001",
            )
        ]
    return []


@register(Tags.security)
def backups_are_signed(app_configs, **kwargs) -> list[CheckMessage]:
    """Production without a signing key writes archives anyone with the files can alter (one row and
    its hash rewritten made a town user a superuser): warn. A key file that is configured but cannot
    be used would make every backup fail at night: an error, seen at deploy time instead."""
    from operations.backup.archive import BackupError
    from operations.backup.signing import SETTING, configured_keys

    try:
        keys = configured_keys()
    except BackupError as error:
        return [
            Error(
                f"{SETTING} cannot be used: {error}",
                hint="Fix the path, the file's permissions or its keys (docs/backup.md).",
                id="operations.E002",
            )
        ]
    if keys or settings.DEBUG:
        return []
    return [
        CheckWarning(
            f"{SETTING} is not set: backups are written unsigned, and `restore` of such an archive needs "
            "--allow-unsigned, so a tampered archive (a changed row with its changed hash) cannot be "
            "told from a true one.",
            hint=f"Create a key file readable only by the portal's user (docs/backup.md) and set {SETTING}.",
            id="operations.W001",
        )
    ]
