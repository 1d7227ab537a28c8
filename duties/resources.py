"""Spreadsheets of duty records (工作台账): the export of a filtered list, and the import of records
into an office (town staff) or into the towns of a county (an inspector). See staffing/resources.py
for why the import checks and writes itself rather than through django-import-export's flow."""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from import_export import fields, resources, widgets

from core.dates import WORK
from core.spreadsheets.cells import CellError, clean_code, clean_free_text
from core.spreadsheets.columns import Column, DataRow, Layout
from core.spreadsheets.importing import (
    CHANGE,
    CREATE,
    SKIP,
    ImportSpec,
    Plan,
    RowCheck,
    RowPlan,
    create_with_history,
    town_column,
    update_with_history,
)
from core.spreadsheets.writing import Table, rows_from_dataset
from core.text import limit_of
from offices.lookups import TownLookup, row_office
from offices.models import Office
from portal.models import User

from .models import Duty, DutyRecord

_NUMBERED = re.compile(r"^(\d{1,2})(?:[.、,]|$)(.*)$")


class DutyRecordResource(resources.Resource):
    """A duty record for export, in the import's columns plus the number of evidence files."""

    town = fields.Field(attribute="office__town__name", column_name="镇(街道)")
    date = fields.Field(attribute="date", column_name="日期", widget=widgets.DateWidget())
    duty = fields.Field(column_name="职责")
    title = fields.Field(attribute="title", column_name="标题")
    content = fields.Field(attribute="content", column_name="工作内容")
    attachments = fields.Field(column_name="附件数")

    class Meta:
        export_order = ("town", "date", "duty", "title", "content", "attachments")

    def dehydrate_duty(self, record: DutyRecord) -> str:
        return f"{record.duty.number}.{record.duty.name}"

    def dehydrate_attachments(self, record: DutyRecord) -> int:
        return getattr(record, "attachment_count", 0)


def record_table(records: Iterable[DutyRecord], *, title: str) -> Table:
    """Duty records (selectors.duty_record_list, with the office's town loaded) as a table."""
    dataset = DutyRecordResource().export(list(records), force_native_type=True)
    return Table(title=title, headers=list(dataset.headers), rows=rows_from_dataset(dataset))


class DutyParser:
    """A duty from a cell: its number (2), its short name (救灾救济) or both (2.救灾救济)."""

    def __init__(self) -> None:
        self.duties = list(Duty.objects.order_by("number"))
        self.by_number = {d.number: d for d in self.duties}
        self.by_name = {clean_code(d.name): d for d in self.duties}

    def __call__(self, text: str) -> Duty | None:
        value = clean_code(text)
        if not value:
            return None
        if match := _NUMBERED.match(value):
            duty = self.by_number.get(int(match[1]))
            if duty is None:
                raise CellError(f"职责序号须为 1 至 14,“{text.strip()}”不是。")
            name = match[2].strip(".、 ")
            if name and name not in clean_code(duty.name):
                raise CellError(f"职责序号 {duty.number} 是“{duty.name}”,与“{name}”不一致。")
            return duty
        if value in self.by_name:
            return self.by_name[value]
        # A part of a short name, as people shorten it (救灾救济, 低保), when only one duty has it.
        found = [d for key, d in self.by_name.items() if len(value) >= 2 and value in key]
        if len(found) == 1:
            return found[0]
        raise CellError(
            f"不认识的职责“{text.strip()}”,请填写职责序号(1 至 14)或简称,如“2”或“{self.duties[1].name}”。"
        )


class DutyRecordImport(ImportSpec):
    """Duty records into one office or into the towns of a county (see StaffImport for the 镇(街道)
    column). A record is the same as one already filed when office, duty, date and title agree: with
    the same content it is skipped, with other content its content is changed; other rows are new."""

    kind = "duty_records"
    title = "工作台账"
    known_headers = ("附件数",)
    notes = (
        "职责可填序号(1 至 14)或简称,如“2”“救灾救济与低保”或“2.救灾救济与低保”。",
        "同一民政办、同一职责、同一日期、同一标题的台账视为同一条:内容相同的跳过,内容不同的按表格修改;其他的新增。",
        "照片和文件不能通过表格导入,请导入后在台账详情页上传。",
    )

    def __init__(self, *, offices: QuerySet[Office], fixed_office: Office | None, scope_label: str) -> None:
        self.offices = offices
        self.fixed_office = fixed_office
        self.scope_label = scope_label

    def columns(self) -> list[Column]:
        return [
            town_column(required=self.fixed_office is None),
            Column(
                "date",
                "日期",
                ("工作日期", "开展日期", "台账日期", "时间", "日期(年月日)"),
                required=True,
                kind="date",
                help="工作开展的日期,不能晚于今天。",
                example="2010-05-10",
                width=12,
            ),
            Column(
                "duty",
                "职责",
                ("职责序号", "职责名称", "所属职责", "职责类别", "法定职责"),
                required=True,
                help="职责序号(1 至 14)或简称。",
                example="2",
                width=16,
            ),
            Column(
                "title",
                "标题",
                ("台账标题", "工作事项", "事项", "名称", "工作名称"),
                required=True,
                help="不超过 200 字。",
                example="低保对象动态管理",
                width=30,
            ),
            Column(
                "content",
                "工作内容",
                ("内容", "主要内容", "工作情况", "具体内容", "开展情况"),
                help="做了什么、涉及多少对象、结果如何。",
                example="入户核查 12 户。",
                width=50,
            ),
        ]

    def plan_rows(self, plan: Plan, rows: Sequence[DataRow], layout: Layout, *, for_update: bool) -> None:
        columns = self.column_map()
        lookup = TownLookup(
            self.offices, (r.cells.get("town", "") for r in rows), scope_label=self.scope_label
        )
        duty_of = DutyParser()
        parsed = []
        for row in rows:
            check = RowCheck(row, layout, columns, plan.problems)
            office = row_office(check, lookup, self.fixed_office)
            date = check.date("date", WORK, required=True)
            duty = check.value("duty", duty_of, required=True)
            title = check.value("title", clean_free_text, required=True) or ""
            title = check.max_length("title", title, limit_of(DutyRecord, "title"))
            content = check.value("content", lambda t: clean_free_text(t, single_line=False)) or ""
            content = check.max_length("content", content, limit_of(DutyRecord, "content"))
            parsed.append((row, check, office, duty, date, title, content))

        office_ids = {office.pk for _, _, office, *_ in parsed if office is not None}
        dates = [date for *_, date, _, _ in parsed if date is not None]
        existing = DutyRecord.objects.none()
        if office_ids and dates:
            existing = DutyRecord.objects.filter(
                office_id__in=office_ids, date__gte=min(dates), date__lte=max(dates)
            ).order_by("id")
            if for_update:
                existing = existing.select_for_update()
        filed: dict[tuple, list[DutyRecord]] = defaultdict(list)
        for record in existing:
            filed[(record.office_id, record.duty_id, record.date, record.title)].append(record)

        seen: dict[tuple, int] = {}
        for row, check, office, duty, date, title, content in parsed:
            if check.failed:
                continue
            key = (office.pk, duty.pk, date, title)
            if key in seen:
                check.error("title", f"与第 {seen[key]} 行重复(同一镇(街道)、职责、日期和标题)。")
                continue
            seen[key] = row.number
            label = f"{date:%Y-%m-%d} {title}({office.town.name})"
            matches = filed.get(key, [])
            if not matches:
                record = DutyRecord(office=office, duty=duty, date=date, title=title, content=content)
                plan.rows.append(
                    RowPlan(row.number, CREATE, label, [f"{duty.number}.{duty.name}"], payload=record)
                )
            elif not content or any(r.content == content for r in matches):
                plan.rows.append(RowPlan(row.number, SKIP, label, ["已有相同的台账"]))
            elif len(matches) > 1:
                check.error(
                    "title",
                    f"{office.town.name}已有 {len(matches)} 条同日期同标题的台账,"
                    "无法确定修改哪一条,请在页面上修改。",
                )
            else:
                plan.rows.append(
                    RowPlan(row.number, CHANGE, label, ["工作内容按表格修改"], payload=(matches[0], content))
                )

    def proposed(self, row: RowPlan):
        if row.action == CHANGE:
            record, content = row.payload
            return super().proposed(
                RowPlan(row.row, CHANGE, row.label, payload=(record, {"content": content}))
            )
        return super().proposed(row)

    def write(self, plan: Plan, *, actor: User, reason: str) -> None:
        created = []
        for row in plan.rows:
            if row.action == CREATE:
                row.payload.created_by = actor
                created.append(row.payload)
        create_with_history(DutyRecord, created, actor=actor, reason=reason)
        changes = [(r.payload[0], {"content": r.payload[1]}) for r in plan.rows if r.action == CHANGE]
        update_with_history(DutyRecord, changes, actor=actor, reason=reason)
