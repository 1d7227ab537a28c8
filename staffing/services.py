"""Every write on staff, probation, training events and attendance. Each is atomic, validated and
names the acting user in the audit history (through core.records), so the history of a
roster or an event always says who changed it, also when a delete takes dependent rows with it."""

import copy
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from core import locks
from core.records import record_delete, record_save
from offices.models import County, Office
from portal.models import User
from portal.permissions import Action, may_record_for, offices_recorded_for, require

from .choices import TrainingLevel
from .models import DirectorProbation, StaffMember, TrainingAttendance, TrainingEvent
from .selectors import attendance_candidates


def _delete_rows(*, actor: User | None, rows: Iterable) -> int:
    """Delete rows one by one, so each history row names the actor (a queryset delete would not)."""
    count = 0
    for row in rows:
        row._history_user = actor
        row.delete()
        count += 1
    return count


def staff_member_save(*, actor: User, staff: StaffMember, expected_version: int | None = None) -> StaffMember:
    """Create a staff member of an office (no version) or save an edit made from `expected_version`;
    a stale edit raises StaleEdit and writes nothing."""
    require(actor, Action.FILE, staff)
    return record_save(actor=actor, instance=staff, expected_version=expected_version)


@transaction.atomic
def staff_member_delete(*, actor: User, staff: StaffMember) -> None:
    """Delete a staff member with their attendance and probation records, the history of each
    naming the actor. Someone who merely left is given an end date instead: deleting is for
    mistaken entries."""
    require(actor, Action.FILE, staff)
    _delete_rows(actor=actor, rows=staff.attendances.all())
    _delete_rows(actor=actor, rows=staff.probations.all())
    record_delete(actor=actor, instance=staff)


def probation_save(
    *, actor: User, probation: DirectorProbation, expected_version: int | None = None
) -> DirectorProbation:
    """Create or edit a director's pre-appointment probation (任前见习) record."""
    require(actor, Action.FILE, probation)
    return record_save(actor=actor, instance=probation, expected_version=expected_version)


def training_event_create(*, actor: User, event: TrainingEvent, county: County | None) -> TrainingEvent:
    """Create a training event: a county's yearly training when `county` is given, else a city
    training. The caller derives `county` from the actor (an inspector's own county), never from a
    form; the actor's right to record for it is checked again here."""
    event.level = TrainingLevel.COUNTY if county is not None else TrainingLevel.CITY
    event.county = county
    if not may_record_for(actor, county):
        raise PermissionDenied
    return record_save(actor=actor, instance=event)


def training_event_update(
    *, actor: User, event: TrainingEvent, expected_version: int | None
) -> TrainingEvent:
    """Save an edit of an event made from `expected_version` (StaleEdit if someone saved since). The
    level and county of an event never change: they decide who may record it."""
    if not may_record_for(actor, event.county):
        raise PermissionDenied
    _check_moved_attendance(event)
    return record_save(actor=actor, instance=event, expected_version=expected_version)


def _check_moved_attendance(event: TrainingEvent) -> None:
    """An event moved to another year moves its attendance with it: refused when that changes a
    locked year of an attendee's office (core/locks.py), as an attendance change itself would be."""
    before = TrainingEvent.objects.filter(pk=event.pk).values_list("starts_on", flat=True).first()
    if before is None or before.year == event.starts_on.year:
        return
    pairs = []
    for attendance in TrainingAttendance.objects.filter(event=event).select_related("staff"):
        old = copy.copy(attendance)
        old.event = TrainingEvent(pk=event.pk, starts_on=before)
        attendance.event = event
        pairs.append((old, attendance))
    reason = next((r for r in locks.problems(pairs) if r), None)
    if reason:
        raise locks.RecordLocked(
            f"培训日期改到另一年度会改变参训人员所在镇(街道)已锁定年度的培训情况:{reason}"
        )


@transaction.atomic
def training_event_delete(*, actor: User, event: TrainingEvent) -> None:
    """Delete an event and its attendance, the history of each row naming the actor."""
    if not may_record_for(actor, event.county):
        raise PermissionDenied
    _delete_rows(actor=actor, rows=event.attendances.all())
    record_delete(actor=actor, instance=event)


@dataclass(frozen=True)
class AttendanceChange:
    added: int
    removed: int


@transaction.atomic
def training_attendance_set(
    *, actor: User, event: TrainingEvent, offices: QuerySet[Office], staff_ids: Iterable[int]
) -> AttendanceChange:
    """Make the attendance of `event` among the staff of `offices` exactly `staff_ids`; attendance
    of other offices is left alone. `offices` are those the actor may record for (see
    permissions.offices_recorded_for). All or nothing: if any id is not a person who can be marked
    for this event in those offices, ValidationError is raised and nothing is written."""
    offices = offices.filter(pk__in=offices_recorded_for(actor, event.county))
    wanted = set(staff_ids)
    candidates = set(attendance_candidates(event=event, offices=offices).values_list("pk", flat=True))
    if not wanted <= candidates:
        raise ValidationError("所选人员中有不属于本次可登记范围的人员,未保存任何修改。请刷新页面后重新勾选。")
    existing = {
        row.staff_id: row
        for row in TrainingAttendance.objects.select_for_update().filter(event=event, staff_id__in=candidates)
    }
    removed = _delete_rows(
        actor=actor, rows=[row for staff_id, row in existing.items() if staff_id not in wanted]
    )
    added = 0
    for staff_id in sorted(wanted - existing.keys()):
        row = TrainingAttendance(event=event, staff_id=staff_id)
        row._history_user = actor
        row.save()
        added += 1
    return AttendanceChange(added=added, removed=removed)
