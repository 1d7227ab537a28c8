"""Writes on an office's duty sheet, its duty records and their evidence files.

Each goes through core.records, so it is atomic, validated, names the acting user in the
audit history and refuses an edit made from an outdated form. `actor=None` means a trusted
command-line caller; any other actor must be allowed to file the office's records."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.evidence import PHOTOS_AND_DOCUMENTS, validate_evidence
from core.records import record_delete, record_save
from core.storage import evidence_storage
from portal.models import User
from portal.permissions import Action, require

from .models import DutyRecord, DutyRecordAttachment, DutySheetEntry


def sheet_entry_save(
    *, actor: User | None, entry: DutySheetEntry, expected_version: int | None = None
) -> DutySheetEntry:
    """Create or update an office's standards for one duty, or mark the duty not applicable.

    A duty that applies keeps no reason for not applying; `expected_version` is the version the
    user's form showed (None for a new entry)."""
    require(actor, Action.FILE, entry)
    if not entry.not_applicable:
        entry.not_applicable_reason = ""
    return record_save(actor=actor, instance=entry, expected_version=expected_version)


def duty_record_create(*, actor: User | None, record: DutyRecord) -> DutyRecord:
    """File a new piece of work under a duty; the actor is kept as the one who filed it."""
    require(actor, Action.FILE, record)
    if record.pk is not None:
        raise ValueError("duty_record_create takes a new record")
    record.created_by = actor
    return record_save(actor=actor, instance=record)


def duty_record_update(*, actor: User | None, record: DutyRecord, expected_version: int) -> DutyRecord:
    """Save changes to a duty record, unless somebody else saved it since the form was shown."""
    require(actor, Action.FILE, record)
    return record_save(actor=actor, instance=record, expected_version=expected_version)


@transaction.atomic
def duty_record_delete(*, actor: User | None, record: DutyRecord) -> None:
    """Delete a duty record and its attachments; the history of each names the actor."""
    require(actor, Action.FILE, record)
    # One by one rather than by cascade, so every attachment's history row names who deleted it.
    for attachment in record.attachments.all():
        record_delete(actor=actor, instance=attachment)
    record_delete(actor=actor, instance=record)


def attachment_upload(
    *, actor: User | None, record: DutyRecord, files: Sequence[UploadedFile]
) -> list[DutyRecordAttachment]:
    """Attach evidence files (photos, PDFs, Word and Excel documents) to a duty record: all of them,
    or none.

    Every file is checked by its content first; if one is refused, a ValidationError names it and
    nothing is stored. The stored type is the one recognised from the content, never the one the
    browser sent."""
    require(actor, Action.FILE, record)
    if not files:
        raise ValidationError("请选择要上传的文件。")
    checked = []
    errors = []
    for upload in files:
        name = getattr(upload, "original_name", None) or upload.name
        try:
            kind = validate_evidence(upload, PHOTOS_AND_DOCUMENTS)
        except ValidationError as error:
            errors.extend(f"{name}:{message}" for message in error.messages)
            continue
        checked.append((upload, name, kind))
    if errors:
        raise ValidationError(errors)

    stored: list[str] = []
    try:
        with transaction.atomic():
            created = []
            for upload, name, kind in checked:
                attachment = DutyRecordAttachment(
                    record=record,
                    original_name=name[:255],
                    content_type=kind.content_type,
                    size=upload.size,
                    uploaded_by=actor,
                )
                upload.seek(0)
                attachment.file.save(f"evidence{kind.extension}", upload, save=False)
                stored.append(attachment.file.name)
                created.append(record_save(actor=actor, instance=attachment))
    except BaseException:
        # The rows are rolled back; remove the files written so far, so nothing is half kept.
        for path in stored:
            evidence_storage.delete(path)
        raise
    return created


def attachment_delete(*, actor: User | None, attachment: DutyRecordAttachment) -> None:
    """Remove an evidence file from its record. The stored file is kept, so the history entry
    (which names the actor) still points at what was removed."""
    require(actor, Action.FILE, attachment)
    record_delete(actor=actor, instance=attachment)
