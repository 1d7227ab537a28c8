"""The request log: one line per request, with who asked, what, the answer and how long it took."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme

from portal.security import client_ip

logger = logging.getLogger("portal.request")


class RequestLogMiddleware:
    """Logs `request METHOD PATH STATUS MSms user=NAME ip=ADDRESS` after every response.

    The query string is left out on purpose: searches carry people's names, and the log is read by
    more people than the records are. Health probes log at DEBUG, so a load balancer polling every
    few seconds does not bury the requests of people.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else "-"
        level = logging.DEBUG if request.path == "/healthz" else logging.INFO
        logger.log(
            level,
            "request %s %s %s %.0fms user=%s ip=%s",
            request.method,
            request.path,
            response.status_code,
            elapsed_ms,
            username,
            client_ip(request) or "-",
        )
        return response


class RecordLockedMiddleware:
    """A write refused by a lock (core/locks.py) that no form caught answers with the reason, in
    Chinese, instead of a server error; nothing was written (the request's transaction rolled back)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        from django.shortcuts import render

        from core.locks import RecordLocked

        if not isinstance(exception, RecordLocked):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        return render(request, "locked.html", {"reasons": exception.messages, "back": back}, status=409)
