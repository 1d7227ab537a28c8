"""The security log: one row and one log line per login, failure, lockout, logout or denied access."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

from portal.choices import SecurityEventKind
from portal.models import SecurityEvent, User

logger = logging.getLogger("portal.security")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the logs and the login lockout.

    Behind nginx every request comes from 127.0.0.1; with BEHIND_PROXY on, the address nginx puts in
    X-Real-IP is used instead (nginx overwrites that header, so a client cannot choose its address).
    Without a proxy the header is ignored for the same reason.
    """
    if request is None:
        return None
    if not settings.BEHIND_PROXY:
        _warn_if_proxied(request)
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no header or not an address: a misconfigured proxy, fall back to the socket's peer
    return request.META.get("REMOTE_ADDR") or None


_proxy_warned = False


def _warn_if_proxied(request: HttpRequest) -> None:
    """Once per process: a request from the loopback address carrying X-Real-IP came through a proxy
    the settings do not trust (DJANGO_BEHIND_PROXY is off), so every client looks like the proxy and
    the per-address login lock catches everyone at once. The system check portal.W001 says the same
    at start-up when the settings show a proxy; this catches the deployments they do not show."""
    global _proxy_warned
    if _proxy_warned or "HTTP_X_REAL_IP" not in request.META:
        return
    peer = request.META.get("REMOTE_ADDR") or ""
    try:
        loopback = ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return
    if loopback:
        _proxy_warned = True
        logger.warning(
            "security proxy_untrusted: requests arrive from %s with X-Real-IP, but DJANGO_BEHIND_PROXY is "
            "off; every client has the proxy's address in the logs and the login lockout",
            peer,
        )


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
    # Every text is cut to its column, plainly (no "…"): the username is whatever a login form or
    # axes was given, and the throttle looks it up cut the same way (portal/throttle.py).
    username = username[:150]
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
