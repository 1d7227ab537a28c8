"""Evidence files leave the portal only here: after the permission check of their office, as a
download with headers that stop a browser from running or sniffing them.

The name a download carries is never the uploader's as typed: it is that name cleaned (no folders,
controls or characters a desktop refuses), without its typed extension, plus the extension of the type
sniffed from the content (core.evidence.download_name). "整改报告.pdf.html" holding a PDF lands on the
inspector's disk as "整改报告.pdf", never as a page a browser would open. The typed name stays a label
(the attachment lists show it).

An Office document is also read in the browser: a page shows its PDF rendition (core.renditions) in a
frame, or says that it is being converted or could not be; the original is downloaded as any file.
Both pass the same check as the download (`_evidence`): whoever may read the original may read its
PDF, nobody else."""

from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from core.evidence import PDF, EvidenceKind, Refused, download_name, identify, sniff, stored_kind, thumbnail
from core.models import RenditionState
from core.registry import office_record
from core.renditions import rendition_of
from portal.permissions import Action, get_record_or_deny

SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=0, must-revalidate",
    "Referrer-Policy": "no-referrer",
}


def _evidence(request: HttpRequest, label: str, pk: int, field: str):
    # Which fields of which records hold evidence, and how each reaches its office: the apps'
    # registrations (core.registry), the same the history pages and the permission door read.
    entry = office_record(label)
    if entry is None or field not in entry.evidence:
        raise Http404
    model = apps.get_model(label)
    obj = get_record_or_deny(request.user, Action.VIEW, model._default_manager.all(), pk=pk, request=request)
    file = getattr(obj, field)
    if not file or not file.storage.exists(file.name):
        raise Http404
    return obj, file


def _download_name(obj, field: str, kind: EvidenceKind | None) -> str:
    verbose = str(obj._meta.get_field(field).verbose_name)
    original = getattr(obj, "original_name", "")
    if original:
        return download_name(original, kind, fallback=verbose)
    return download_name(f"{obj}-{verbose}", kind, fallback=verbose, typed=False)


def content_disposition(name: str) -> str:
    """`attachment` with the name in RFC 5987 form, which every browser the portal supports reads."""
    return f"attachment; filename*=UTF-8''{quote(name, safe='')}"


@require_safe
@login_required
def evidence_download(request: HttpRequest, label: str, pk: int, field: str) -> HttpResponse:
    obj, file = _evidence(request, label, pk, field)
    handle = file.open("rb")
    # The stored name only tells a .wps from a .doc; the content decides everything else.
    try:
        kind = identify(handle, file.name)
    except Refused:  # a file stored before the rule it breaks: offered as of no known kind
        kind = None
    content_type = kind.content_type if kind else "application/octet-stream"
    name = _download_name(obj, field, kind)
    if settings.EVIDENCE_X_ACCEL_PREFIX:
        # Permission checked: nginx sends the bytes from its internal location, so a large scan does
        # not hold an app server thread for the length of a slow download.
        handle.close()
        response: HttpResponse = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.EVIDENCE_X_ACCEL_PREFIX.rstrip("/") + "/" + quote(file.name)
    else:
        handle.seek(0)
        response = FileResponse(handle, content_type=content_type, as_attachment=True)
    response["Content-Disposition"] = content_disposition(name)
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    return response


@require_safe
@login_required
def evidence_preview(request: HttpRequest, label: str, pk: int, field: str) -> HttpResponse:
    """A small JPEG of a photo, drawn anew by the portal, so it can be shown inline on pages."""
    _obj, file = _evidence(request, label, pk, field)
    with file.open("rb") as handle:
        data = handle.read()
    kind = sniff(data[:16])
    if kind is None or not kind.is_image:
        raise Http404
    response = HttpResponse(thumbnail(data), content_type="image/jpeg")
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    return response


def content_disposition_inline(name: str) -> str:
    return f"inline; filename*=UTF-8''{quote(name, safe='')}"


def _back_url(request: HttpRequest, obj) -> str:
    # Back to the page the user came from (the record's page, the list), if it was the portal's.
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    return reverse("home")


@require_safe
@login_required
def evidence_view(request: HttpRequest, label: str, pk: int, field: str) -> HttpResponse:
    """The page of an Office document: its PDF in a frame, or 正在转换 / 转换失败, and the original's
    download."""
    obj, file = _evidence(request, label, pk, field)
    kind = stored_kind(file.name)
    if kind is None or not kind.office:
        raise Http404
    rendition = rendition_of(file.name)
    args = [label, pk, field]
    return render(
        request,
        "evidence/view.html",
        {
            "name": _download_name(obj, field, kind),
            "kind": kind,
            "size": file.size,
            "rendition": rendition,
            "states": RenditionState,
            "download_url": reverse("evidence_download", args=args),
            "pdf_url": reverse("evidence_rendition", args=args),
            "back_url": _back_url(request, obj),
        },
    )


@require_safe
@login_required
@xframe_options_sameorigin
def evidence_rendition(request: HttpRequest, label: str, pk: int, field: str) -> HttpResponse:
    """The PDF made from an Office document, shown inline: in the frame of `evidence_view` (this
    answer alone may be framed, and only by the portal's own pages) or in a tab of its own."""
    obj, file = _evidence(request, label, pk, field)
    rendition = rendition_of(file.name)
    if (
        rendition is None
        or rendition.state != RenditionState.DONE
        or not rendition.pdf
        or not rendition.pdf.storage.exists(rendition.pdf.name)
    ):
        raise Http404
    # Sent by the portal even behind nginx: nginx's internal evidence location forbids every frame.
    response = FileResponse(rendition.pdf.open("rb"), content_type=PDF.content_type)
    kind = stored_kind(file.name)
    response["Content-Disposition"] = content_disposition_inline(
        _download_name(obj, field, kind) + PDF.extension
    )
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    # No `sandbox` here: browsers' PDF viewers refuse to open a sandboxed document. The PDF is
    # LibreOffice's, made with macros off, not the uploader's bytes.
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response
