"""更正: the one way to change a record of a year whose score the county approved or the city confirmed.

A town or its county files a request (what is wrong, the new values, a reason and evidence); the
county decides it while the year is open, the city once the year is confirmed. Approval writes the
record past the locks (core.locks.correcting), its history naming the correction, reads the score
again, keeps the total and result before and after, and logs the step. A payment already paid
(已拨付) never changes: a correction that turns its year's pass into a fail leaves a note for the city.

Each service checks the actor through the permission door and the state it starts from, and writes in
one transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from assessment.choices import (
    DECIDED_STATES,
    AssessmentState,
    CorrectionState,
    Level,
    Result,
    WorkflowStep,
    YearState,
)
from assessment.errors import WorkflowError, ensure
from assessment.models import Assessment, Correction, Payment, WorkflowEvent
from assessment.standard import scoring
from assessment.subsidies.services import payments_refresh
from core.locks import ALWAYS, changed_years, correcting
from core.records import record_save
from core.registry import office_id_of
from core.text import NOTE, clip
from offices.models import Office
from portal.choices import Role
from portal.models import User
from portal.permissions import Action, can, is_city, require_role

from .kinds import KINDS, RecordKind, apply, shown
from .selectors import decider_level

NOT_LOCKED = "该资料所属年度的考核尚未审定,资料未锁定:请直接修改,无需申请更正。"
SUBMITTED = "{year}年度自评已提交县级考核,尚未审定:如需修改,请联系县级退回后直接修改,无需申请更正。"
NO_EFFECT = "所作修改不影响任何年度的考核得分,请直接修改资料,无需申请更正。"


def change_reason(correction: Correction) -> str:
    """What the record's history says about a write made by an approved correction."""
    return f"更正申请#{correction.pk}"


# -- what a correction touches ----------------------------------------------------------------------


@dataclass
class Touched:
    """The office's assessments whose years a change moves: those the county approved or the city
    confirmed (the reason for a correction), and any merely submitted."""

    decided: list[Assessment]
    submitted: list[Assessment]

    @property
    def level(self) -> str:
        confirmed = any(a.assessment_year.state == YearState.CONFIRMED for a in self.decided)
        return Level.CITY if confirmed else Level.COUNTY

    @property
    def first(self) -> Assessment:
        return self.decided[0]


def touched_by(office_id: int, years: Iterable[int]) -> Touched:
    """The assessments of `office_id` in `years` (core.locks.ALWAYS: those of open years still under
    review, which read a record without a year): one query."""
    years = set(years)
    dated = {y for y in years if y != ALWAYS}
    wanted = Q(assessment_year__year__in=dated)
    if ALWAYS in years:
        wanted |= Q(
            assessment_year__state=YearState.OPEN,
            state__in=(AssessmentState.SUBMITTED, AssessmentState.APPROVED),
        )
    rows = list(
        Assessment.objects.filter(office_id=office_id)
        .filter(wanted)
        .select_related("assessment_year__catalog", "assessment_year__programme", "office__town")
        .order_by("assessment_year__year")
    )
    return Touched(
        decided=[a for a in rows if a.state in DECIDED_STATES],
        submitted=[a for a in rows if a.state == AssessmentState.SUBMITTED],
    )


def _kind(label: str) -> RecordKind:
    kind = KINDS.get(label)
    ensure(kind is not None, "此类资料不能通过更正申请修改。")
    return kind


def _current(kind: RecordKind, record_id: int, office_id: int, *, lock: bool = False) -> Model:
    rows = kind.model._default_manager.all()
    if lock:
        rows = rows.select_for_update()
    record = rows.filter(pk=record_id).first()
    ensure(record is not None and office_id_of(record) == office_id, "要更正的资料不存在或已被删除。")
    return record


def _planned(kind: RecordKind, office: Office, current: Model | None, changes: dict) -> Model:
    """The record as the correction would leave it (not saved)."""
    if current is None:
        return apply(kind.model(office=office), changes)
    return apply(kind.model._default_manager.get(pk=current.pk), changes)


def _log(assessment: Assessment, action: str, actor: User | None, comment: str) -> None:
    WorkflowEvent.log(assessment.assessment_year_id, action, actor, assessment=assessment, comment=comment)


def may_file(actor: User | None, office: Office) -> bool:
    """Who asks for a correction: the office's own staff and its county's inspectors."""
    return actor is None or can(actor, Action.FILE, office) or can(actor, Action.ASSESS, office)


# -- filing ---------------------------------------------------------------------------------------------


@transaction.atomic
def correction_file(
    *,
    actor: User | None,
    office: Office,
    record_label: str,
    record_id: int | None,
    changes: dict[str, dict[str, Any]],
    problem: str,
    reason: str,
    evidence: File | None = None,
) -> Correction:
    """File a correction of a record (`record_id` None: a record to add) of a year the county
    approved or the city confirmed. `changes` is {field: {"label", "before", "after", "value"}}, as
    the correction form builds it. Refused when the change moves no locked year: that is an edit."""
    if not may_file(actor, office):
        raise PermissionDenied("只有本镇(街道)民政办工作人员或本县(市、区)考核人员可以申请更正。")
    kind = _kind(record_label)
    ensure(bool(problem.strip()), "请说明存在的问题。")
    ensure(bool(reason.strip()), "请填写更正理由。")
    ensure(bool(changes), "没有修改任何内容。")
    adding = record_id is None
    ensure(not adding or kind.addable, f"不能通过更正申请新增{kind.name}。")
    unknown = set(changes) - kind.writable(adding=adding)
    ensure(not unknown, "更正内容包含不能修改的项目。")
    current = None if adding else _current(kind, record_id, office.pk)
    if current is not None:
        ensure(
            not Correction.objects.filter(
                record_label=record_label, record_id=record_id, state=CorrectionState.PENDING
            ).exists(),
            "该资料已有待审核的更正申请,请等待审核结果或撤回后再申请。",
        )
    planned = _planned(kind, office, current, changes)
    planned.full_clean()
    years = changed_years(current, planned)
    ensure(bool(years), NO_EFFECT)
    touched = touched_by(office.pk, years)
    if not touched.decided:
        if touched.submitted:
            raise WorkflowError(SUBMITTED.format(year=touched.submitted[0].assessment_year.year))
        raise WorkflowError(NOT_LOCKED)
    assessment = touched.first
    text = str(current) if current is not None else f"新增{kind.name}:{planned}"
    correction = Correction(
        office=office,
        year=assessment.assessment_year.year,
        assessment=assessment,
        record_label=record_label,
        record_id=record_id,
        record_text=text[:200],
        changes=changes,
        problem=problem.strip(),
        reason=reason.strip(),
        level=touched.level,
        filed_by=actor,
    )
    if evidence is not None:
        correction.evidence = evidence
    record_save(actor=actor, instance=correction)
    comment = f"更正申请#{correction.pk}:{correction.record_text}"
    _log(assessment, WorkflowStep.CORRECTION_FILED, actor, comment)
    return correction


# -- deciding -------------------------------------------------------------------------------------------


def may_decide(actor: User, correction: Correction) -> bool:
    """Whether `actor` decides this correction (the pages show the form; the service has the last word)."""
    if correction.state != CorrectionState.PENDING:
        return False
    if decider_level(correction) == Level.CITY:
        return is_city(actor)
    return can(actor, Action.ASSESS, correction.office)


def _require_decider(actor: User | None, correction: Correction, level: str) -> None:
    if level == Level.CITY:
        require_role(actor, Role.CITY)
    elif actor is not None and not can(actor, Action.ASSESS, correction.office):
        raise PermissionDenied("该年度考核尚未经市局确认,更正申请由本县(市、区)考核人员审核。")


def _claim(correction: Correction, state: str, message: str, **values) -> None:
    """Move the request out of 待审核 with one conditional UPDATE: of two decisions (or a decision
    and a withdrawal) taken at once, exactly one goes through; the other is refused and writes
    nothing."""
    claimed = Correction.objects.filter(
        pk=correction.pk, state=CorrectionState.PENDING, version=correction.version
    ).update(state=state, version=F("version") + 1, **values)
    ensure(bool(claimed), message)
    correction.state, correction.version = state, correction.version + 1
    for name, value in values.items():
        setattr(correction, name, value)


@transaction.atomic
def correction_decide(
    *, actor: User | None, correction: Correction, approve: bool, note: str = ""
) -> Correction:
    """Approve or reject a pending correction: the county while its year is open, the city once it is
    confirmed. Approval writes the record (with history naming the correction), reads the score
    again and records what it did to the total and result."""
    correction = Correction.objects.select_related(
        "office__town", "assessment__assessment_year__programme"
    ).get(pk=correction.pk)
    level = decider_level(correction)
    _require_decider(actor, correction, level)
    ensure(correction.state == CorrectionState.PENDING, "此更正申请已处理,不能重复审核。")
    note = note.strip()
    ensure(approve or bool(note), "驳回更正申请须填写审核意见。")
    decided = {"decided_by": actor, "decided_at": timezone.now(), "level": level, "decision_note": note}
    state = CorrectionState.APPROVED if approve else CorrectionState.REJECTED
    _claim(correction, state, "此更正申请已处理,不能重复审核。", **decided)
    if not approve:
        correction._history_user = actor
        correction.save()
        if correction.assessment_id:
            _log(
                correction.assessment,
                WorkflowStep.CORRECTION_REJECTED,
                actor,
                f"更正申请#{correction.pk}:{correction.record_text};{note}",
            )
        return correction
    _apply(actor, correction)
    return correction


def _apply(actor: User | None, correction: Correction) -> None:
    kind = _kind(correction.record_label)
    office = correction.office
    changes = correction.changes
    with correcting():
        current = None
        if correction.record_id is not None:
            current = _current(kind, correction.record_id, office.pk, lock=True)
            # In the model's field order: PostgreSQL's jsonb does not keep the keys' order.
            order = [f.name for f in kind.model._meta.concrete_fields]
            for name in sorted(changes, key=lambda n: order.index(n) if n in order else len(order)):
                entry = changes[name]
                now = shown(current, kind.model._meta.get_field(name))
                ensure(
                    now == entry["before"],
                    f"申请提交后,“{entry['label']}”已被修改(现为 {now}),请驳回此申请后重新申请。",
                )
        record = _planned(kind, office, current, changes)
        touched = touched_by(office.pk, changed_years(current, record))
        record._change_reason = change_reason(correction)
        record_save(actor=actor, instance=record, expected_version=record.version if current else None)
    own = correction.assessment
    rescored = {a.pk: a for a in [*touched.decided, *touched.submitted]}
    if own is not None:
        rescored.setdefault(own.pk, own)
    before = {pk: (a.total, a.result) for pk, a in rescored.items()}
    for assessment in rescored.values():
        scoring.refresh([assessment], corrected=assessment.state in DECIDED_STATES)
    after = {
        a.pk: (a.total, a.result)
        for a in Assessment.objects.filter(pk__in=rescored).only("pk", "total", "result")
    }
    if own is not None:
        correction.total_before, correction.result_before = before[own.pk]
        correction.total_after, correction.result_after = after[own.pk]
    correction.record_id = record.pk
    correction._history_user = actor
    correction.save()
    programmes = {}
    for pk, assessment in rescored.items():
        year = assessment.assessment_year
        if year.state != YearState.CONFIRMED:
            continue
        programmes[year.programme_id] = year.programme
        if before[pk][1] == Result.PASS and after[pk][1] != Result.PASS:
            _flag_paid(actor, correction, assessment)
    for programme in programmes.values():
        payments_refresh(programme=programme, actor=actor)
    if own is not None:
        moved = f"得分 {_points(correction.total_before)} → {_points(correction.total_after)}"
        if correction.result_before != correction.result_after:
            moved += f",{_result(correction.result_before)} → {_result(correction.result_after)}"
        comment = f"更正申请#{correction.pk}:{correction.record_text};{moved}"
        if correction.decision_note:
            comment += f";{correction.decision_note}"
        _log(own, WorkflowStep.CORRECTION_APPROVED, actor, comment)


def _points(value) -> str:
    return f"{value:.2f}" if value is not None else "—"


def _result(value: str) -> str:
    return Result(value).label if value else "待定"


def _flag_paid(actor: User | None, correction: Correction, assessment: Assessment) -> None:
    """The award paid on this year's pass stays as paid; the city is told to decide what to do."""
    year = assessment.assessment_year
    payment = (
        Payment.objects.select_for_update()
        .filter(programme_id=year.programme_id, office_id=assessment.office_id, year=year.year)
        .filter(Q(paid=True) | Q(county_paid=True))
        .first()
    )
    if payment is None:
        return
    line = f"{year.year}年更正后考核不合格(更正申请#{correction.pk}),该笔奖补已拨付,请市局处理。"
    if line in payment.review_note:
        return
    # Each correction adds a line: past the limit the oldest go, the newest matter to the city.
    payment.review_note = clip(f"{payment.review_note}\n{line}".strip(), NOTE, keep_end=True)
    payment._change_reason = change_reason(correction)
    record_save(actor=actor, instance=payment, expected_version=payment.version)


# -- withdrawing ----------------------------------------------------------------------------------------


def _withdraws(actor: User, correction: Correction) -> bool:
    if can(actor, Action.FILE, correction.office):
        return True
    return actor.pk == correction.filed_by_id and may_file(actor, correction.office)


def may_withdraw(actor: User, correction: Correction) -> bool:
    """The one who filed it (while they still may file for the office), or the office's own staff,
    while it waits."""
    return (
        correction.state == CorrectionState.PENDING
        and actor.is_authenticated
        and _withdraws(actor, correction)
    )


@transaction.atomic
def correction_withdraw(*, actor: User | None, correction: Correction) -> Correction:
    """Take back a request that is still waiting; nothing else changes."""
    correction = Correction.objects.select_related("office").get(pk=correction.pk)
    if actor is not None and not _withdraws(actor, correction):
        raise PermissionDenied("只有申请人或本镇(街道)民政办工作人员可以撤回更正申请。")
    _claim(correction, CorrectionState.WITHDRAWN, "此更正申请已处理,不能撤回。")
    correction._history_user = actor
    correction.save()
    return correction
