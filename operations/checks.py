"""System checks of the portal's own settings, run by `manage.py check` (and so before every deploy)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


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
