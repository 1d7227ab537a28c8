"""The preview and the write of an import, shared by every kind (staff, attendance, duty records).

An ImportSpec (each app's resources.py) turns the rows of a file into a Plan: for every row what will
happen (新增, 修改, 跳过) and every problem as row + column + reason in Chinese. Nothing is written
until the user confirms; `import_commit` then builds the plan again from the data as it is now and
writes all of it in one transaction, or, if any row has a problem, nothing at all."""

import copy
import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core import locks
from core.dates import DateRule
from core.spreadsheets.cells import CellError, parse_date
from core.spreadsheets.columns import Column, DataRow, Layout

CREATE, CHANGE, SKIP = "create", "change", "skip"
BATCH = 500
ACTION_LABELS = {CREATE: "新增", CHANGE: "修改", SKIP: "跳过"}


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file) cannot be imported: row number, column and reason."""

    row: int | None
    column: str
    message: str


@dataclass
class RowPlan:
    """What one row will do, as the preview shows it, and what the spec needs to write it."""

    row: int
    action: str
    label: str
    details: list[str] = field(default_factory=list)
    payload: Any = None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(r.action for r in self.rows)
        return {CREATE: counted[CREATE], CHANGE: counted[CHANGE], SKIP: counted[SKIP]}

    @property
    def writes(self) -> bool:
        counts = self.counts
        return bool(counts[CREATE] or counts[CHANGE])

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems})


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int
    skipped: int

    @property
    def message(self) -> str:
        return (
            f"导入完成:新增 {self.created} 条,修改 {self.changed} 条,跳过 {self.skipped} 条(与现有资料相同)。"
        )


class ImportRefused(Exception):
    """The rows have problems (found again at confirmation): nothing was written."""

    def __init__(self, plan: Plan) -> None:
        super().__init__("导入未执行")
        self.plan = plan


class RowCheck:
    """Reads one row's cells through parsers, collecting a Problem for every cell that fails."""

    def __init__(self, row: DataRow, layout: Layout, columns: dict[str, Column], problems: list[Problem]):
        self.row = row
        self.layout = layout
        self.columns = columns
        self.problems = problems
        self.failed = False

    def present(self, key: str) -> bool:
        """Whether the file has this column at all."""
        return key in self.layout.letters

    def text(self, key: str) -> str:
        return self.row.cells.get(key, "")

    def error(self, key: str | None, message: str) -> None:
        where = self.layout.where(key, self.columns) if key else ""
        self.problems.append(Problem(self.row.number, where, message))
        self.failed = True

    def value(self, key: str, parse: Callable[[str], Any], *, required: bool = False):
        """The parsed cell; None (and a problem when required) if it is empty or unreadable."""
        raw = self.text(key)
        try:
            result = parse(raw)
        except CellError as error:
            self.error(key, str(error))
            return None
        if result in (None, "") and required:
            self.error(key, "必填,不能为空。")
            return None
        return result

    def date(self, key: str, rule: DateRule, *, required: bool = False) -> dt.date | None:
        """The cell's date, held to the date policy: what a form would refuse is a problem here."""
        value = self.value(key, parse_date, required=required)
        if value is not None and (problem := rule.problem(value)):
            self.error(key, problem)
            return None
        return value

    def max_length(self, key: str, value: str, limit: int) -> str:
        if len(value) > limit:
            self.error(key, f"不能超过 {limit} 个字(现有 {len(value)} 个)。")
        return value


class ImportSpec:
    """One kind of import for one target (an office, a county, a training event).

    Subclasses give `kind`, `title`, `columns()`, `plan_rows()` and `write()`; `known_headers` are
    columns of the portal's own export that an import ignores without a warning."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    known_headers: ClassVar[tuple[str, ...]] = ()
    notes: ClassVar[tuple[str, ...]] = ()

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def column_map(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns()}

    def plan(self, rows: Sequence[DataRow], layout: Layout, *, for_update: bool = False) -> Plan:
        """What the rows would do, and their problems; reads only."""
        plan = Plan()
        self.plan_rows(plan, rows, layout, for_update=for_update)
        self.check_locks(plan)
        plan.problems.sort(key=lambda p: p.row or 0)
        return plan

    def check_locks(self, plan: Plan) -> None:
        """A row that would add or change a record of a locked year (core/locks.py) is a problem of
        its row: checked for all rows at once, as the bulk write does not pass the save guards."""
        writes = [r for r in plan.rows if r.action in (CREATE, CHANGE)]
        reasons = locks.problems(self.proposed(r) for r in writes)
        for row, reason in zip(writes, reasons, strict=True):
            if reason:
                plan.problems.append(Problem(row.row, "", reason))

    def proposed(self, row: RowPlan) -> tuple[Model | None, Model]:
        """(the record as it is, the record as the row would leave it). A created row's payload is the
        new record; a changed row's is (record, {field: new value}). Specs with another payload
        override this."""
        if row.action == CREATE:
            return None, row.payload
        current, changed = row.payload
        after = copy.copy(current)
        for name, value in changed.items():
            setattr(after, name, value)
        return current, after

    def plan_rows(self, plan: Plan, rows: Sequence[DataRow], layout: Layout, *, for_update: bool) -> None:
        raise NotImplementedError

    def write(self, plan: Plan, *, actor: User, reason: str) -> None:
        raise NotImplementedError


class ChangedMeanwhile(Exception):
    """A record changed between the check and the write of an import."""


def create_with_history(model: type[Model], records: list[Model], *, actor: User, reason: str) -> None:
    """Insert new records in batches, each with its history row naming `actor`."""
    if records:
        bulk_create_with_history(
            records, model, batch_size=BATCH, default_user=actor, default_change_reason=reason
        )


def update_with_history(
    model: type[Model], changes: list[tuple[Model, dict]], *, actor: User, reason: str
) -> None:
    """Save the changed fields of existing records, each only if its edit version is still the one the
    plan read (as a form's save is), raising the version; then one history row per record naming
    `actor`. One UPDATE per record: far quicker than a bulk UPDATE of CASE expressions."""
    if not changes:
        return
    now = timezone.now()
    for record, changed in changes:
        claimed = model._default_manager.filter(pk=record.pk, version=record.version).update(
            **changed, version=record.version + 1, updated_at=now
        )
        if not claimed:
            raise ChangedMeanwhile
        for name, value in changed.items():
            setattr(record, name, value)
        record.version += 1
        record.updated_at = now
    model.history.bulk_history_create(
        [record for record, _ in changes],
        batch_size=BATCH,
        update=True,
        default_user=actor,
        default_change_reason=reason,
    )


@transaction.atomic
def import_commit(
    *, actor: User, spec: ImportSpec, rows: Sequence[DataRow], layout: Layout, filename: str
) -> ImportResult:
    """Write an upload the user confirmed: all rows or none. The plan is made again from the data as
    it is now (it may have changed since the preview); any problem raises ImportRefused and nothing
    is written. Every created or changed row gets a history entry naming `actor`, with the file
    name as the reason."""
    plan = spec.plan(rows, layout, for_update=True)
    if not plan.ok:
        raise ImportRefused(plan)
    try:
        with transaction.atomic():
            spec.write(plan, actor=actor, reason=f"表格导入:{filename}"[:100])
    except (IntegrityError, ChangedMeanwhile):
        # Someone saved a conflicting row between the check and the write: nothing was kept.
        plan.problems.append(
            Problem(None, "", "保存时与他人同时修改的资料发生冲突,未导入任何数据。请重新上传预览后再确认。")
        )
        raise ImportRefused(plan) from None
    counts = plan.counts
    return ImportResult(created=counts[CREATE], changed=counts[CHANGE], skipped=counts[SKIP])


# -- naming a town in a row -----------------------------------------------------------------------

TOWN_ALIASES = ("镇街道", "镇/街道", "乡镇(街道)", "乡镇街道", "所属镇(街道)", "镇(街道)名称", "镇街", "乡镇")


def town_column(*, required: bool) -> Column:
    """The 镇(街道) column: required where an import covers several towns (a county's), optional
    where it covers one office (which it must then name)."""
    return Column(
        "town",
        "镇(街道)",
        TOWN_ALIASES,
        required=required,
        help="镇(街道)名称(如“建设街道”)或 9 位民政部行政区划代码;不要填写 12 位统计用代码。"
        + ("" if required else "本办导入时可以不填,填写时须为本镇(街道)。"),
        example="建设街道",
        kind="text",
        width=14,
    )
