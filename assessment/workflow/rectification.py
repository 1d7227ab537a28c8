"""Closed-loop rectification (整改闭环): every write on the tasks a confirmed year leaves behind.

The town reports a task put right (`task_close`); the county verifies it (`task_verify`, 验收) or sends
it back with a comment the town reads (`task_send_back`); the city sets a year's due date, which every
task of the year not yet verified takes (`rectification_due_set`).

    整改中 (OPEN) --town closes--> 待县级验收 (CLOSED) --county verifies--> 已验收 (VERIFIED)
        ^                                 |
        +--------county sends back--------+

Each service checks the actor through the permission door and the state it starts from (a hidden
button is not a rule), writes in one transaction with history naming the actor, and records the step
in the workflow log. Two people acting on the same task at once apply once: the task's row is locked
and re-read before its state is checked, and the save claims the task's edit version with one
conditional UPDATE, so the second of two concurrent steps is refused instead of applied twice."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from assessment.choices import TaskState, WorkflowStep, YearState
from assessment.errors import WorkflowError, ensure
from assessment.models import AssessmentYear, RectificationTask, WorkflowEvent
from core.records import StaleEdit, record_save
from portal.choices import Role
from portal.models import User
from portal.permissions import Action, can, require_role

REFUSED_STATE = {
    TaskState.OPEN: "该整改任务尚未由镇(街道)报告完成,不能验收或退回。",
    TaskState.CLOSED: "该整改任务已完成。正在等待县级验收。",
    TaskState.VERIFIED: "该整改任务已完成。县级已验收。",
}


def _log(task: RectificationTask, action: str, actor: User | None, comment: str = "") -> None:
    year_id = task.assessment.assessment_year_id
    WorkflowEvent.log(year_id, action, actor, assessment=task.assessment, comment=comment)


def _require_town(actor: User | None, task: RectificationTask) -> None:
    if actor is not None and not can(actor, Action.FILE, task.office):
        raise PermissionDenied("只有本镇(街道)民政办工作人员可以完成整改。")


def _require_county(actor: User | None, task: RectificationTask) -> None:
    if actor is not None and not can(actor, Action.ASSESS, task.office):
        raise PermissionDenied("只有本县(市、区)的考核人员可以验收该镇(街道)的整改。")


def _require_state(task: RectificationTask, state: TaskState) -> None:
    """Refuse unless the task, as it stands in the database now, is in `state`. The row is locked
    until the transaction ends, so a concurrent step on it waits and then sees the new state."""
    current = RectificationTask.objects.select_for_update().filter(pk=task.pk).values_list("state", flat=True)
    now = current.first()
    ensure(now is not None, "该整改任务已不存在。")
    ensure(now == state, REFUSED_STATE[TaskState(now)])


def _save(actor: User | None, task: RectificationTask) -> None:
    """Save the task from the edit version it was loaded at: a step taken on a copy older than the
    task's last save (somebody acted in between) is refused."""
    try:
        record_save(actor=actor, instance=task, expected_version=task.version)
    except StaleEdit as stale:
        raise WorkflowError("该整改任务已被他人处理,请刷新页面后再操作。") from stale


@transaction.atomic
def task_close(*, actor: User | None, task: RectificationTask, note: str, evidence=None) -> RectificationTask:
    """The town reports a failed item put right, with a note and, optionally, evidence (a new upload,
    "" to remove the current file, None to keep it): the task waits for the county's verification."""
    _require_town(actor, task)
    _require_state(task, TaskState.OPEN)
    ensure(bool(note.strip()), "请填写整改情况。")
    task.state = TaskState.CLOSED
    task.close_note = note.strip()
    if evidence is not None:
        task.evidence = evidence
    task.closed_at = timezone.now()
    _save(actor, task)
    _log(task, WorkflowStep.CLOSE_TASK, actor, note.strip())
    return task


@transaction.atomic
def task_verify(*, actor: User | None, task: RectificationTask, comment: str = "") -> RectificationTask:
    """The county accepts a task the town reported put right (验收), with an optional comment."""
    _require_county(actor, task)
    _require_state(task, TaskState.CLOSED)
    task.state = TaskState.VERIFIED
    task.review_comment = comment.strip()
    task.verified_at = timezone.now()
    task.verified_by = actor
    _save(actor, task)
    _log(task, WorkflowStep.VERIFY_TASK, actor, comment.strip())
    return task


@transaction.atomic
def task_send_back(*, actor: User | None, task: RectificationTask, comment: str) -> RectificationTask:
    """The county sends a reported task back to the town, saying what is still missing; the town
    sees the comment and reports again. The town's earlier note and evidence are kept for it."""
    _require_county(actor, task)
    _require_state(task, TaskState.CLOSED)
    ensure(bool(comment.strip()), "退回时须填写意见,说明需要继续整改的内容。")
    task.state = TaskState.OPEN
    task.review_comment = comment.strip()
    task.closed_at = None
    task.verified_at = None
    task.verified_by = None
    _save(actor, task)
    _log(task, WorkflowStep.REOPEN_TASK, actor, comment.strip())
    return task


@transaction.atomic
def rectification_due_set(*, actor: User | None, year: AssessmentYear, due: date) -> int:
    """The city sets the year's rectification due date (整改截止日期). Every task of the year not yet
    verified takes it, in bulk, each with its audit row naming the city; a year not yet confirmed
    keeps the date for the tasks its confirmation will open (city_services.year_confirm sets a
    default when the city has set none). Returns how many tasks moved.

    The change is in the history of the year and of each task; the workflow log has no step for it."""
    require_role(actor, Role.CITY)
    ensure(year.state in (YearState.OPEN, YearState.CONFIRMED), f"{year.year}年度考核不能设置整改截止日期。")
    ensure(due is not None, "请填写整改截止日期。")
    ensure(due >= timezone.localdate(), "整改截止日期不能早于今天。")
    year.rectification_due = due
    try:
        record_save(actor=actor, instance=year, expected_version=year.version)
    except StaleEdit as stale:
        raise WorkflowError(f"{year.year}年度考核已被他人修改,请刷新页面后再设置。") from stale
    # Locked, and each moved task's edit version raised: a town's close page opened before the
    # change cannot write the old due date back.
    tasks = list(
        RectificationTask.objects.select_for_update()
        .filter(assessment__assessment_year=year)
        .exclude(state=TaskState.VERIFIED)
        .exclude(due_date=due)
    )
    now = timezone.now()
    for task in tasks:
        task.due_date, task.updated_at, task.version = due, now, task.version + 1
    bulk_update_with_history(
        tasks,
        RectificationTask,
        ["due_date", "updated_at", "version"],
        default_user=actor,
        default_date=now,
    )
    return len(tasks)
