"""The security log: one row and one log line per login, failure, lockout, logout or denied access."""

import logging

from django.http import HttpRequest

from .choices import SecurityEventKind
from .models import SecurityEvent, User

logger = logging.getLogger("portal.security")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the app server sees it (behind nginx, set REMOTE_ADDR via the proxy)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_security_event(
    kind: SecurityEventKind,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None and not username:
        username = user.get_username()
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username,
        ip_address=client_ip(request),
        path=(request.get_full_path()[:500] if request is not None else ""),
        detail=detail[:500],
    )
    logger.info(
        "security %s user=%s ip=%s path=%s %s",
        kind.value,
        username or "-",
        event.ip_address or "-",
        event.path,
        detail,
    )
    return event
