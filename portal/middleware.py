"""The request log: one line per request, with who asked, what, the answer and how long it took."""

import logging
import re
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


class WriteRefusalMiddleware:
    """A write the database or a lock refused, which no page caught, answers in Chinese with what
    happened, never a server error; nothing was written (the service's transaction rolled back):

    - a record of a locked year (core/locks.py): 409, with the reason;
    - text longer than its field allows (a `_len` check constraint of core/text.py, or
      PostgreSQL's "value too long" for a varchar): 400, "内容过长,没有保存", as no retry helps;
    - a row another user saved at the same moment (a unique constraint): 409, "刷新后查看";
    - a database too busy to take the write in time (SQLite's lock timeout, PostgreSQL's
      serialization failure or deadlock): 503 with Retry-After, "请稍后重试"."""

    BUSY_CODES = ("40001", "40P01", "55P03")  # serialization failure, deadlock, lock not available
    TOO_LONG_CODE = "22001"  # string data right truncation: PostgreSQL's "value too long"
    # SQLite names the failed check in its message: "CHECK constraint failed: duties_dutyrecord_content_len".
    LENGTH_CHECK = re.compile(r"\b\w+_len\b")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        from django.db import DataError, IntegrityError, OperationalError
        from django.shortcuts import render

        from core.locks import RecordLocked

        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        if isinstance(exception, RecordLocked):
            return render(request, "locked.html", {"reasons": exception.messages, "back": back}, status=409)
        if isinstance(exception, DataError | IntegrityError) and self._too_long(exception):
            logger.warning("write refused as too long: %s %s: %s", request.method, request.path, exception)
            return render(request, "write_too_long.html", {"back": back}, status=400)
        if isinstance(exception, IntegrityError):
            logger.warning(
                "write refused by a constraint: %s %s: %s", request.method, request.path, exception
            )
            context = {"title": "资料已由他人同时保存", "back": back, "busy": False}
            return render(request, "write_conflict.html", context, status=409)
        if isinstance(exception, OperationalError) and self._busy(exception):
            logger.warning("database busy: %s %s: %s", request.method, request.path, exception)
            context = {"title": "系统繁忙,请稍后重试", "back": back, "busy": True}
            response = render(request, "write_conflict.html", context, status=503)
            response["Retry-After"] = "5"
            return response
        return None

    def _too_long(self, exception: Exception) -> bool:
        """A write refused for the length of its text, on either database."""
        cause = getattr(exception, "__cause__", None)
        code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if code == self.TOO_LONG_CODE or "value too long" in str(exception):
            return True
        # PostgreSQL names the constraint in the diagnostics, SQLite in the message.
        constraint = getattr(getattr(cause, "diag", None), "constraint_name", None)
        if constraint:
            return constraint.endswith("_len")
        message = str(exception)
        return "CHECK constraint failed" in message and bool(self.LENGTH_CHECK.search(message))

    def _busy(self, exception: Exception) -> bool:
        code = getattr(getattr(exception, "__cause__", None), "pgcode", None) or getattr(
            exception, "pgcode", None
        )
        return code in self.BUSY_CODES or "database is locked" in str(exception)


class UploadRedirectMiddleware:
    """A form with files is sent by static/js/upload.js (to show progress), which marks its request.
    A browser's script cannot see a redirect without following it, and following it would read the
    next page's one-time message (已保存……) before the user sees it: so a redirect answering such a
    request becomes an empty 204 naming where to go, and the script navigates there itself, as a
    normal submit would have."""

    HEADER = "X-Portal-Upload"
    LOCATION = "X-Portal-Location"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.headers.get(self.HEADER) == "1" and response.status_code in (301, 302, 303, 307, 308):
            from django.http import HttpResponse

            answer = HttpResponse(status=204)
            answer[self.LOCATION] = response["Location"]
            for cookie in response.cookies.values():  # a session or CSRF cookie set on the way
                answer.cookies[cookie.key] = cookie
            return answer
        return response
