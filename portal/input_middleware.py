"""Hostile input stops at the door, and every refusal or failure answers in Chinese.

`HostileInputMiddleware` runs second (after the request log), before anything reads the request: no
NUL or other control character reaches a query, so PostgreSQL (which refuses NUL in text) and SQLite
answer alike. What it decides:

- **The path** (`/offices/%00/`): a control character (Unicode category Cc: U+0000–U+001F, U+007F,
  U+0080–U+009F) in the path answers **400**, the Chinese "请求无法处理" page. No page of the portal has
  such an address; the request reaches no view, no security log and no database.
- **Parameter names** (GET, POST and file fields): a control character answers **400** as well. A
  browser never sends one; it is a probe, and dropping or renaming the field would change the form.
- **Parameter values**: **stripped**, not refused. A search pasted with a stray control character
  finds what its visible text finds, and a long form is not lost for a character nobody can see.
  GET values lose every control character; POST values keep tab, CR and LF (text areas) and lose the
  rest. A write therefore stores the visible text only. The query string is rewritten to match, so a
  link or a redirect built from it carries no control character either.
- **Headers** (User-Agent, Cookie, Referer…, which the login lockout and the logs store): C0 controls
  and DEL are stripped (a header is Latin-1 text in WSGI, so U+0080–U+009F are bytes of UTF-8 there).
  A cookie whose name or value still holds a control character once parsed (a quoted value may spell
  one out) is dropped: a session key is the one the portal gave, or none.
  File names of uploads are already cleaned by Django's parser (non-printable characters removed).
- **The size of the body**: a body declared larger than `REQUEST_MAX_BYTES` (default 70 MB, what nginx
  lets through: several 10 MB evidence files at once, an import) is refused before it is read, with
  the Chinese 400 naming the limit. Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE for the fields of
  a form, DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES) answer the same page; a single
  evidence file over EVIDENCE_MAX_BYTES is refused by its form, with the field's message.

JSON or other raw bodies are not parsed here: the portal's pages post forms only.

The error pages live here too, because the middleware's refusals are what most of them show:
`bad_request` (handler400, with the reason for each refusal), `server_error` (handler500: a static
page that needs no context processor and no database) and `csrf_failure` (CSRF_FAILURE_VIEW, the 403
page with the reason). The 403 and 404 pages of the permission door stay in portal.views.
"""

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseForbidden,
    HttpResponseServerError,
    QueryDict,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict

from core.context_processors import PORTAL_NAME

logger = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_REQUEST_MAX_BYTES = 70 * MB

# Every control character (Unicode Cc).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In a POST value, a text area's tab and line breaks are text.
CONTROL_BUT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a header (Latin-1 in WSGI): C0 and DEL, keeping tab.
CONTROL_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class ControlCharacter(SuspiciousOperation):
    """A control character where none belongs: in the path or in the name of a parameter."""

    def __init__(self, where: str) -> None:
        super().__init__(f"Control character in the {where}")
        self.where = where


class RequestBodyTooBig(RequestDataTooBig):
    """A body declared larger than REQUEST_MAX_BYTES, refused before it is read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body exceeded REQUEST_MAX_BYTES ({limit} bytes).")
        self.limit = limit


def request_max_bytes() -> int:
    return getattr(settings, "REQUEST_MAX_BYTES", DEFAULT_REQUEST_MAX_BYTES)


def _escaped(text: str) -> str:
    """The text with its control characters written out (\\x00), fit for a log line."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _cleaned(params: QueryDict, pattern: re.Pattern, where: str) -> QueryDict | None:
    """A copy of params with the pattern removed from every value, or None if nothing matched. A
    control character in a name raises ControlCharacter."""
    dirty = False
    for key, values in params.lists():
        if CONTROL.search(key):
            raise ControlCharacter(where)
        dirty = dirty or any(pattern.search(value) for value in values if isinstance(value, str))
    if not dirty:
        return None
    cleaned = QueryDict(mutable=True, encoding=params.encoding)
    for key, values in params.lists():
        cleaned.setlist(key, [pattern.sub("", v) if isinstance(v, str) else v for v in values])
    cleaned._mutable = False
    return cleaned


class HostileInputMiddleware:
    """Refuses control characters in the path and in parameter names (400), strips them from values
    and headers, and refuses a body over REQUEST_MAX_BYTES (400). See the module's docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if CONTROL.search(request.path_info) or CONTROL.search(request.path):
            # The request log (outside this middleware) writes the path: never a raw line break.
            request.path = _escaped(request.path)
            request.path_info = _escaped(request.path_info)
            raise ControlCharacter("path")
        self._clean_headers(request)
        self._clean_cookies(request)
        self._check_size(request)
        self._clean_get(request)
        if request.method == "POST":
            self._clean_post(request)
        return self.get_response(request)

    @staticmethod
    def _clean_headers(request: HttpRequest) -> None:
        for key, value in list(request.META.items()):
            if key.startswith("HTTP_") and isinstance(value, str) and CONTROL_IN_HEADER.search(value):
                request.META[key] = CONTROL_IN_HEADER.sub("", value)

    @staticmethod
    def _clean_cookies(request: HttpRequest) -> None:
        # A quoted cookie value may spell a control character out ("\\000"): dropped, not stripped, so
        # a session key is either the one the portal gave or none.
        cookies = request.COOKIES
        if any(CONTROL.search(key) or CONTROL.search(value) for key, value in cookies.items()):
            request.COOKIES = {
                key: value
                for key, value in cookies.items()
                if not (CONTROL.search(key) or CONTROL.search(value))
            }

    @staticmethod
    def _check_size(request: HttpRequest) -> None:
        limit = request_max_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if limit is not None and length > limit:
            raise RequestBodyTooBig(limit)

    @staticmethod
    def _clean_get(request: HttpRequest) -> None:
        cleaned = _cleaned(request.GET, CONTROL, "query string")
        if cleaned is not None:
            request.GET = cleaned
            request.META["QUERY_STRING"] = cleaned.urlencode()

    @staticmethod
    def _clean_post(request: HttpRequest) -> None:
        # The CSRF check reads request.POST for every POST anyway; reading it here first changes
        # nothing for the views, which never read the raw body.
        try:
            post, files = request.POST, request.FILES
        except UnreadablePostError:
            # The client went away mid-upload: nobody reads the answer, but it is not a server error.
            raise BadRequest("The request body could not be read") from None
        cleaned = _cleaned(post, CONTROL_BUT_TEXT, "form")
        if cleaned is not None:
            request.POST = cleaned
        if isinstance(files, MultiValueDict) and any(CONTROL.search(key) for key in files):
            raise ControlCharacter("form")


# --- The error pages -------------------------------------------------------------------------------

_PAGE_CONTEXT = {"PORTAL_NAME": PORTAL_NAME, "PORTAL_SHORT_NAME": "民政规范化建设平台"}

FALLBACK = (
    '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body><h1>{title}</h1><p>{text}</p><p><a href="/">返回首页</a></p></body></html>'
)


def bad_request_reason(exception: BaseException | None) -> str:
    """What the 400 page tells the user, in Chinese, for each refusal."""
    if isinstance(exception, RequestDataTooBig):
        limit = getattr(exception, "limit", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit:
            return f"提交的内容过大(超过 {filesizeformat(limit)}),请压缩或拆分后重试。"
        return "提交的内容过大,请压缩或拆分后重试。"
    if isinstance(exception, TooManyFieldsSent):
        return f"提交的字段过多(超过 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个),请分批提交。"
    if isinstance(exception, TooManyFilesSent):
        return f"一次上传的文件过多(超过 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个),请分批上传。"
    if isinstance(exception, ControlCharacter):
        if exception.where == "path":
            return "网址中含有不允许的控制字符,请检查链接是否完整、正确。"
        return "提交的字段名中含有不允许的控制字符,请返回页面重新填写后提交。"
    if isinstance(exception, MultiPartParserError):
        return "上传的内容格式有误或不完整,请刷新页面后重新上传。"
    return "请求的格式有误,请返回上一页重试。"


def _page(template: str, context: dict, status: int, fallback: type[HttpResponse]) -> HttpResponse:
    """The template rendered without the request: no context processor, no session, no database, so
    the page renders even for a request that stopped before the session and the user were read."""
    try:
        body = loader.render_to_string(template, {**_PAGE_CONTEXT, **context})
    except Exception:  # the error page itself must not fail
        logger.exception("error page %s could not be rendered", template)
        title = context.get("title", "")
        return fallback(FALLBACK.format(title=title, text=context.get("reason", title)))
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """handler400: 请求无法处理, with the reason."""
    return _page(
        "400.html",
        {"title": "请求无法处理", "reason": bad_request_reason(exception)},
        400,
        HttpResponseBadRequest,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a static page. The error itself is in the log (django.request)."""
    return _page(
        "500.html",
        {"title": "系统出错", "reason": "系统出错,请稍后重试,问题已记录。"},
        500,
        HttpResponseServerError,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the 403 page, saying what to do in Chinese (the reason in English is logged
    by Django's CSRF middleware)."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    if reason == REASON_NO_CSRF_COOKIE:
        text = "浏览器没有保存本站的 Cookie,无法验证提交来源。请允许本站使用 Cookie 后刷新页面重试。"
    else:
        text = "页面已过期或提交来源无法验证,请刷新页面后重新提交。"
    return _page("403.html", {"title": "无权访问", "reason": text}, 403, HttpResponseForbidden)
