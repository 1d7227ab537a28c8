"""Reads of an office's duty sheet and duty records, each a fixed number of queries whatever the
number of rows. Every lookup is made within one office, so an id of another office finds nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from django.db.models import Count, Max, Q, QuerySet

from offices.models import Office

from .choices import SheetState
from .models import Duty, DutyRecord, DutyRecordAttachment, DutySheetEntry

# The orders a record list may be sorted in (the `sort` GET parameter), each with a tie-breaker so
# pages never overlap.
RECORD_SORTS: dict[str, tuple[str, ...]] = {
    "-date": ("-date", "-id"),
    "date": ("date", "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "duty": ("duty__number", "-date", "-id"),
    "-duty": ("-duty__number", "-date", "-id"),
    "attachments": ("attachment_count", "-date", "-id"),
    "-attachments": ("-attachment_count", "-date", "-id"),
}
DEFAULT_RECORD_SORT = "-date"

# The `evidence` filter: records with evidence files, or without any (what a county looks for first).
WITH_EVIDENCE = "with"
WITHOUT_EVIDENCE = "without"
EVIDENCE_CHOICES = [(WITH_EVIDENCE, "有附件"), (WITHOUT_EVIDENCE, "无附件")]

# The `state` filter: records of a year the assessment locked (submitted, approved or confirmed: read
# only, see core/locks.py), or of a year still open to changes.
LOCKED = "locked"
EDITABLE = "editable"
STATE_CHOICES = [(EDITABLE, "可修改"), (LOCKED, "已锁定(考核已提交或审定)")]


@dataclass
class SheetRow:
    """One duty on an office's sheet: its entry (None while not filled in) and its records of a year."""

    duty: Duty
    entry: DutySheetEntry | None
    record_count: int
    State: ClassVar = SheetState  # templates compare with the choices, never with spelled values

    @property
    def state(self) -> SheetState:
        if self.entry is None:
            return SheetState.MISSING
        return SheetState.NOT_APPLICABLE if self.entry.not_applicable else SheetState.FILLED


def duty_list() -> QuerySet[Duty]:
    """The 14 duties in the policy's order."""
    return Duty.objects.order_by("number")


def duty_sheet(*, office: Office, year: int) -> list[SheetRow]:
    """The 14 duties with the office's entry for each and its number of records in `year`: 3 queries."""
    entries = {e.duty_id: e for e in DutySheetEntry.objects.filter(office=office)}
    counts = dict(
        DutyRecord.objects.filter(office=office, date__year=year)
        .values("duty_id")
        .annotate(n=Count("id"))
        .values_list("duty_id", "n")
    )
    return [SheetRow(duty, entries.get(duty.pk), counts.get(duty.pk, 0)) for duty in duty_list()]


def sheet_entry_get(*, office: Office, number: int) -> DutySheetEntry | None:
    """The office's entry for duty `number`, a new unsaved one if it has none yet, or None when no
    duty has that number."""
    duty = Duty.objects.filter(number=number).first()
    if duty is None:
        return None
    entry = DutySheetEntry.objects.filter(office=office, duty=duty).select_related("duty").first()
    return entry or DutySheetEntry(office=office, duty=duty)


def latest_record_year(*, office: Office) -> int | None:
    """The newest year the office filed a duty record in, for the page to open on."""
    latest = DutyRecord.objects.filter(office=office).aggregate(latest=Max("date"))["latest"]
    return latest.year if latest else None


def duty_record_list(
    *,
    office: Office,
    duty_number: int | None = None,
    year: int | None = None,
    query: str = "",
    sort: str = DEFAULT_RECORD_SORT,
    evidence: str = "",
    state: str = "",
    locked_years: Iterable[int] = (),
) -> QuerySet[DutyRecord]:
    """An office's duty records, filtered and sorted, with each one's duty and number of attachments
    in the same query. `state` keeps the records of `locked_years` (LOCKED) or of the other years
    (EDITABLE); the caller asks core.locks which years those are."""
    records = DutyRecord.objects.filter(office=office)
    if duty_number is not None:
        records = records.filter(duty__number=duty_number)
    if year is not None:
        records = records.filter(date__year=year)
    if query:
        records = records.filter(Q(title__icontains=query) | Q(content__icontains=query))
    if state == LOCKED:
        records = records.filter(date__year__in=list(locked_years))
    elif state == EDITABLE:
        records = records.exclude(date__year__in=list(locked_years))
    records = records.select_related("duty").annotate(attachment_count=Count("attachments"))
    if evidence == WITH_EVIDENCE:
        records = records.filter(attachment_count__gt=0)
    elif evidence == WITHOUT_EVIDENCE:
        records = records.filter(attachment_count=0)
    return records.order_by(*RECORD_SORTS.get(sort, RECORD_SORTS[DEFAULT_RECORD_SORT]))


def duty_record_get(*, office: Office, pk: int) -> DutyRecord | None:
    """One of the office's records with its duty, filer and office (for its URL), or None."""
    return (
        DutyRecord.objects.filter(office=office, pk=pk)
        .select_related("duty", "created_by", "office__town")
        .annotate(attachment_count=Count("attachments"))
        .first()
    )


def record_attachments(*, record: DutyRecord) -> QuerySet[DutyRecordAttachment]:
    """A record's evidence files, oldest first, with who uploaded each."""
    return record.attachments.select_related("uploaded_by").order_by("id")


def attachment_get(*, office: Office, pk: int) -> DutyRecordAttachment | None:
    """One attachment of one of the office's records, with its record, or None."""
    return (
        DutyRecordAttachment.objects.filter(record__office=office, pk=pk)
        .select_related("record__office__town")
        .first()
    )
