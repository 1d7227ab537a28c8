"""The duties pages in the permission matrix (see tests/matrix.py). Rows whose POST changes or deletes
their target make a fresh one in `url`, since every role runs against the same world."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duties.models import DutySheetEntry
from tests.duties import helpers
from tests.matrix import SAFE_ONLY, Row, always, office, office_file, office_file_writes, office_scope


def setup(world) -> None:
    world.duty_records = {"a": helpers.record(world.office_a), "c": helpers.record(world.office_c)}


def _code(world, side: str) -> str:
    return office(world, side).town.code


def _record_url(name: str):
    return lambda w, s: reverse(name, args=[_code(w, s), w.duty_records[s].pk])


def _fresh_record_url(name: str):
    def url(world, side: str) -> str:
        # A fresh record per role and method: titles numbered, as a record is filed once per title.
        world.matrix_records = getattr(world, "matrix_records", 0) + 1
        world.last_record = helpers.record(office(world, side), title=f"矩阵测试台账{world.matrix_records}")
        return reverse(name, args=[_code(world, side), world.last_record.pk])

    return url


def _unfilled_sheet_url(world, side: str) -> str:
    # A duty the office has no entry for yet, so a valid POST creates one (and needs no version).
    filled = set(
        DutySheetEntry.objects.filter(office=office(world, side)).values_list("duty__number", flat=True)
    )
    number = min(set(range(1, 15)) - filled)
    return reverse("duties:sheet_edit", args=[_code(world, side), number])


def _fresh_attachment_url(world, side: str) -> str:
    attachment = helpers.attachment(helpers.record(office(world, side)))
    return reverse("duties:attachment_delete", args=[_code(world, side), attachment.pk])


def _record_payload(world, side: str) -> dict:
    return {"duty": helpers.duty(3).pk, "date": "2010-06-01", "title": "矩阵测试", "content": "走访慰问"}


def _edit_payload(world, side: str) -> dict:
    return {**_record_payload(world, side), "version": world.last_record.version}


def _records_file(world, side: str) -> dict:
    """A small CSV upload: read and kept for the preview, never written before confirmation."""
    text = "\ufeff日期,职责,标题,工作内容\n2010-06-01,3,走访慰问,走访优抚对象\n"
    return {"action": "upload", "file": SimpleUploadedFile("台账.csv", text.encode())}


def _read(url) -> Row:
    return Row(url, get=office_scope, post=always(SAFE_ONLY))


def _file(url, payload=lambda w, s: {}) -> Row:
    return Row(url, get=office_file(200), post=office_file(302), payload=payload, writes=office_file_writes)


ROWS: dict[str, Row] = {
    "duties:sheet": _read(lambda w, s: reverse("duties:sheet", args=[_code(w, s)])),
    "duties:sheet_edit": _file(
        _unfilled_sheet_url,
        lambda w, s: {"responsibilities": "职责", "standard": "标准", "requirements": "要求", "version": ""},
    ),
    "duties:record_list": _read(lambda w, s: reverse("duties:record_list", args=[_code(w, s)])),
    "duties:record_detail": _read(_record_url("duties:record_detail")),
    "duties:record_create": _file(
        lambda w, s: reverse("duties:record_create", args=[_code(w, s)]), _record_payload
    ),
    "duties:record_edit": _file(_fresh_record_url("duties:record_edit"), _edit_payload),
    "duties:record_delete": _file(_fresh_record_url("duties:record_delete")),
    "duties:attachment_create": _file(
        _record_url("duties:attachment_create"), lambda w, s: {"files": [helpers.jpeg(), helpers.pdf()]}
    ),
    "duties:attachment_delete": _file(_fresh_attachment_url),
    "duties:record_export": _read(lambda w, s: reverse("duties:record_export", args=[_code(w, s), "xlsx"])),
    "duties:record_import": Row(
        lambda w, s: reverse("duties:record_import", args=[_code(w, s)]),
        get=office_file(200),
        post=office_file(302),
        payload=_records_file,
    ),
    "duties:record_import_template": Row(
        lambda w, s: reverse("duties:record_import_template", args=[_code(w, s)]),
        get=office_file(200),
        post=always(SAFE_ONLY),
    ),
}
