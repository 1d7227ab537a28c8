"""Builders for the duties tests: sheet entries, records, real evidence files and attachments."""

import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from duties import services
from duties.models import Duty, DutyRecord, DutyRecordAttachment, DutySheetEntry
from offices.models import Office
from portal.models import User
from tests import factories


def jpeg_bytes(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def jpeg(name: str = "照片.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def png(name: str = "图.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf(name: str = "会议记录.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def fake_jpeg(name: str = "假照片.jpg") -> SimpleUploadedFile:
    """Text with a photo's name and type: must be refused by its content."""
    return SimpleUploadedFile(name, b"this is only text, not a photo", content_type="image/jpeg")


def duty(number: int) -> Duty:
    return Duty.objects.get(number=number)


def sheet_entry(office: Office, number: int, **overrides) -> DutySheetEntry:
    values = {"office": office, "duty": duty(number), "standard": "有标准", "requirements": "有要求"}
    values.update(overrides)
    return DutySheetEntry.objects.create(**values)


def record(office: Office, **overrides) -> DutyRecord:
    return factories.duty_record(office, **overrides)


def records(office: Office, count: int, *, year: int = 2010) -> list[DutyRecord]:
    """Many records at once, spread over the duties, each with one attachment row (numbered on from
    the office's records: a record is filed once per duty, date and title)."""
    first = DutyRecord.objects.filter(office=office).count()
    rows = DutyRecord.objects.bulk_create(
        DutyRecord(
            office=office,
            duty_id=duty(1 + i % 14).pk,
            date=dt.date(year, 1 + i % 12, 1 + i % 28),
            title=f"台账{i:04d}",
            content="批量",
        )
        for i in range(first, first + count)
    )
    DutyRecordAttachment.objects.bulk_create(
        DutyRecordAttachment(record=r, file="x.jpg", original_name="x.jpg", content_type="image/jpeg", size=1)
        for r in rows
    )
    return rows


def attachment(rec: DutyRecord, actor: User | None = None, upload=None) -> DutyRecordAttachment:
    return services.attachment_upload(actor=actor, record=rec, files=[upload or jpeg()])[0]


def field_errors(response, name: str) -> list[str]:
    """The error messages rendered in the form group of field `name`, i.e. next to the field."""
    html = response.content.decode()
    for block in html.split('<div class="mb-3">')[1:]:
        if f'name="{name}"' in block:
            return re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block)
    raise AssertionError(f"field {name} is not on the page")


def history_users(model, pk: int) -> list[tuple[str, str | None]]:
    """(type, username) of every history row of one object, oldest first."""
    rows = model.history.filter(id=pk).select_related("history_user").order_by("history_date", "history_id")
    return [(r.history_type, r.history_user.username if r.history_user else None) for r in rows]
