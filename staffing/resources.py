"""Spreadsheets of the roster and of training attendance.

Exports: django-import-export Resources name the Chinese columns and give each value (dates stay
dates); core.spreadsheets writes them as XLSX or CSV. Imports: the library's own import
flow reports errors per field in English and writes row by row, so the portal checks and writes
itself (ImportSpec): every problem by row and column in Chinese, all rows or none, only offices in
the user's scope, and a history entry naming the importing user for every row written. The export
has the import's columns, so an exported roster can be corrected and imported again."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.utils import timezone
from import_export import fields, resources, widgets

from core.dates import BIRTH, CAREER, too_young
from core.spreadsheets.cells import YES_NO, Choices, clean_code, clean_name
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
from portal.record_views import year_choices

from .choices import Education, EmploymentType, Post, Sex
from .models import StaffMember, TrainingAttendance, TrainingEvent

# -- the roster -----------------------------------------------------------------------------------

SEXES = Choices.from_text_choices(Sex, {Sex.MALE: ("男性", "m"), Sex.FEMALE: ("女性", "f")})
EDUCATIONS = Choices.from_text_choices(
    Education,
    {
        Education.POSTGRADUATE: ("硕士", "博士", "硕士研究生", "博士研究生", "研究生及以上"),
        Education.BACHELOR: ("本科", "大本"),
        Education.COLLEGE: ("专科", "大专"),
        Education.SECONDARY: ("高中", "中专", "职高", "技校", "中职", "高中及中专"),
        Education.JUNIOR: ("初中", "小学", "初中以下"),
    },
)
EMPLOYMENT_TYPES = Choices.from_text_choices(
    EmploymentType,
    {
        EmploymentType.INSTITUTION: ("事业", "事业编", "事业单位", "事业人员"),
        EmploymentType.CONTRACT: ("编外人员", "合同制", "聘用", "聘用人员", "临聘", "合同工"),
    },
)
POSTS = Choices.from_text_choices(Post, {Post.STAFF: ("人员", "职员", "科员", "办事员")})
FULL_TIME = Choices(
    [
        (True, "专职", ("是", "y", "√", "全职")),
        (False, "兼职", ("否", "n", "×")),
    ]
)


class StaffMemberResource(resources.Resource):
    """A roster row for export, in the import template's columns plus age, training and probation."""

    town = fields.Field(attribute="office__town__name", column_name="镇(街道)")
    name = fields.Field(attribute="name", column_name="姓名")
    sex = fields.Field(attribute="get_sex_display", column_name="性别")
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget())
    age = fields.Field(column_name="年龄")
    education = fields.Field(attribute="get_education_display", column_name="学历")
    employment_type = fields.Field(attribute="get_employment_type_display", column_name="人员性质")
    full_time = fields.Field(column_name="专兼职")
    post = fields.Field(attribute="get_post_display", column_name="职务")
    social_work = fields.Field(column_name="社工资格")
    started_on = fields.Field(attribute="started_on", column_name="到岗日期", widget=widgets.DateWidget())
    ended_on = fields.Field(attribute="ended_on", column_name="离岗日期", widget=widgets.DateWidget())
    phone = fields.Field(attribute="phone", column_name="联系电话")
    trained = fields.Field(column_name="培训")
    probation = fields.Field(column_name="任前见习")

    class Meta:
        export_order = (
            "town",
            "name",
            "sex",
            "birth_date",
            "age",
            "education",
            "employment_type",
            "full_time",
            "post",
            "social_work",
            "started_on",
            "ended_on",
            "phone",
            "trained",
            "probation",
        )

    def __init__(self, *, year: int, today: dt.date) -> None:
        super().__init__()
        self.today = today
        self.fields["trained"].column_name = f"{year}年培训"

    def dehydrate_age(self, staff: StaffMember) -> int:
        return staff.age_on(self.today)

    def dehydrate_full_time(self, staff: StaffMember) -> str:
        return "专职" if staff.is_full_time else "兼职"

    def dehydrate_social_work(self, staff: StaffMember) -> str:
        return "是" if staff.social_work_qualified else "否"

    def dehydrate_trained(self, staff: StaffMember) -> str:
        return ";".join(
            f"{a.event.get_level_display()}{a.event.get_kind_display()} {a.event.starts_on:%Y-%m-%d}"
            for a in getattr(staff, "year_attendances", [])
        )

    def dehydrate_probation(self, staff: StaffMember) -> str:
        probations = list(staff.probations.all())
        if not probations:
            return ""
        p = probations[0]
        return f"{p.starts_on:%Y-%m-%d} 至 {p.ends_on:%Y-%m-%d} {p.place}"


def staff_table(people: Iterable[StaffMember], *, year: int, title: str) -> Table:
    """A roster (from staffing.selectors.staff_roster, with the office's town loaded) as a table."""
    resource = StaffMemberResource(year=year, today=timezone.localdate())
    dataset = resource.export(list(people), force_native_type=True)
    return Table(
        title=title,
        headers=list(dataset.headers),
        rows=rows_from_dataset(dataset),
        text_headers=frozenset({"联系电话"}),
    )


STAFF_FIELDS = (
    "sex",
    "birth_date",
    "education",
    "employment_type",
    "is_full_time",
    "post",
    "social_work_qualified",
    "started_on",
    "ended_on",
    "phone",
)
STAFF_DEFAULTS = {"is_full_time": True, "post": Post.STAFF, "social_work_qualified": False, "phone": ""}


def _display(field: str, value) -> str:
    if value is None or value == "":
        return "空"
    if isinstance(value, dt.date):
        return value.isoformat()
    if field == "is_full_time":
        return "专职" if value else "兼职"
    if field == "social_work_qualified":
        return "是" if value else "否"
    choices = {"sex": Sex, "education": Education, "employment_type": EmploymentType, "post": Post}
    if field in choices:
        return str(choices[field](value).label)
    return str(value)


def _summary(person: StaffMember) -> str:
    """A new person in one line of the preview."""
    left = f",{person.ended_on:%Y-%m-%d} 离岗" if person.ended_on else ""
    return (
        f"{person.get_sex_display()},{person.get_post_display()},{person.get_employment_type_display()},"
        f"{person.started_on:%Y-%m-%d} 到岗{left}"
    )


def _label(field: str) -> str:
    return str(StaffMember._meta.get_field(field).verbose_name)


class StaffImport(ImportSpec):
    """A roster into one office (town staff: the 镇(街道) column may be left out, or must name their
    own town) or into the towns of a county (an inspector: the column names each row's town).

    A row whose person (same name, same office) exists changes them; identical rows are skipped;
    other rows create a person. An empty optional cell leaves the existing value as it is."""

    kind = "staff"
    title = "工作人员名册"
    notes = (
        "同一民政办中姓名相同的人员视为同一人:已登记的人员按表格内容修改,未登记的新增,内容相同的跳过。",
        "选填列留空时,已登记人员的原有内容保持不变;新增人员的专兼职默认为专职、职务默认为工作人员。",
        "人员调离或退休请填写离岗日期;导入不会删除任何人员。",
    )

    def __init__(self, *, offices: QuerySet[Office], fixed_office: Office | None, scope_label: str) -> None:
        self.offices = offices
        self.fixed_office = fixed_office
        self.scope_label = scope_label

    @property
    def known_headers(self) -> tuple[str, ...]:
        return ("年龄", "任前见习", *(f"{y}年培训" for y in year_choices()))

    def columns(self) -> list[Column]:
        return [
            town_column(required=self.fixed_office is None),
            Column(
                "name",
                "姓名",
                ("人员姓名", "工作人员姓名"),
                required=True,
                example="张伟",
                kind="text",
                width=10,
            ),
            Column("sex", "性别", required=True, choices=tuple(SEXES.labels), example="男", width=8),
            Column(
                "birth_date",
                "出生日期",
                ("出生年月日", "出生年月", "出生时间"),
                required=True,
                kind="date",
                example="1980-05-01",
                width=12,
            ),
            Column(
                "education",
                "学历",
                ("文化程度", "最高学历"),
                required=True,
                choices=tuple(EDUCATIONS.labels),
                example="大学本科",
                width=12,
            ),
            Column(
                "employment_type",
                "人员性质",
                ("编制性质", "人员身份", "身份", "编制类别", "用工性质", "编制"),
                required=True,
                choices=tuple(EMPLOYMENT_TYPES.labels),
                example="公务员",
                width=10,
            ),
            Column(
                "is_full_time",
                "专兼职",
                ("是否专职", "专职/兼职", "专职或兼职"),
                choices=tuple(FULL_TIME.labels),
                help="不填为专职。",
                example="专职",
                width=8,
            ),
            Column(
                "post",
                "职务",
                ("职位", "岗位"),
                choices=tuple(POSTS.labels),
                help="不填为工作人员。",
                example="主任",
                width=10,
            ),
            Column(
                "social_work_qualified",
                "社工资格",
                ("持有社会工作者职业资格", "社会工作者职业资格", "社工证", "是否持证社工"),
                choices=tuple(YES_NO.labels),
                help="是否持有社会工作者职业资格,不填为否。",
                example="否",
                width=10,
            ),
            Column(
                "started_on",
                "到岗日期",
                ("到岗时间", "到民政办工作日期", "参加民政工作时间"),
                required=True,
                kind="date",
                help="到本镇(街道)民政办公室工作的日期。",
                example="2008-03-01",
                width=12,
            ),
            Column(
                "ended_on",
                "离岗日期",
                ("离岗时间", "调离日期"),
                kind="date",
                help="调离、退休等离开民政办公室的日期;仍在岗请留空。",
                width=12,
            ),
            Column("phone", "联系电话", ("电话", "手机", "手机号码", "联系方式"), kind="text", width=16),
        ]

    def plan_rows(self, plan: Plan, rows: Sequence[DataRow], layout: Layout, *, for_update: bool) -> None:
        columns = self.column_map()
        lookup = TownLookup(
            self.offices, (r.cells.get("town", "") for r in rows), scope_label=self.scope_label
        )
        parsed = []
        for row in rows:
            check = RowCheck(row, layout, columns, plan.problems)
            office = row_office(check, lookup, self.fixed_office)
            name = check.max_length(
                "name", check.value("name", clean_name, required=True) or "", limit_of(StaffMember, "name")
            )
            values = {
                "sex": check.value("sex", SEXES.parse, required=True),
                "birth_date": check.date("birth_date", BIRTH, required=True),
                "education": check.value("education", EDUCATIONS.parse, required=True),
                "employment_type": check.value("employment_type", EMPLOYMENT_TYPES.parse, required=True),
                "is_full_time": check.value("is_full_time", FULL_TIME.parse),
                "post": check.value("post", POSTS.parse),
                "social_work_qualified": check.value("social_work_qualified", YES_NO.parse),
                "started_on": check.date("started_on", CAREER, required=True),
                "ended_on": check.date("ended_on", CAREER),
                "phone": check.max_length(
                    "phone", check.value("phone", clean_code) or "", limit_of(StaffMember, "phone")
                )
                or None,
            }
            if problem := too_young(values["birth_date"], values["started_on"]):
                check.error("started_on", problem)
            parsed.append((row, check, office, name, values))

        office_ids = {office.pk for _, _, office, _, _ in parsed if office is not None}
        existing = StaffMember.objects.filter(office_id__in=office_ids).order_by("id")
        if for_update:
            existing = existing.select_for_update()
        by_name: dict[tuple[int, str], list[StaffMember]] = defaultdict(list)
        for person in existing:
            by_name[(person.office_id, person.name)].append(person)

        seen: dict[tuple[int, str], int] = {}
        for row, check, office, name, values in parsed:
            if office is None or not name:
                continue
            key = (office.pk, name)
            if key in seen:
                check.error("name", f"与第 {seen[key]} 行是同一民政办的同名人员,同一人只能出现一次。")
                continue
            seen[key] = row.number
            matches = by_name.get(key, [])
            if len(matches) > 1:
                check.error(
                    "name",
                    f"{office.town.name}已登记 {len(matches)} 名叫“{name}”的人员,"
                    "无法确定修改哪一位,请在页面上修改。",
                )
                continue
            current = matches[0] if matches else None
            merged = (
                {
                    field: (values[field] if values[field] is not None else getattr(current, field))
                    for field in STAFF_FIELDS
                }
                if current
                else {f: (v if v is not None else STAFF_DEFAULTS.get(f)) for f, v in values.items()}
            )
            self._check_dates(check, merged)
            if check.failed:
                continue
            label = f"{name}({office.town.name})"
            if current is None:
                person = StaffMember(office=office, name=name, **merged)
                plan.rows.append(RowPlan(row.number, CREATE, label, [_summary(person)], payload=person))
                continue
            changed = {f: v for f, v in merged.items() if getattr(current, f) != v}
            if not changed:
                plan.rows.append(RowPlan(row.number, SKIP, label, ["与已登记的资料相同"]))
                continue
            details = [
                f"{_label(f)}:{_display(f, getattr(current, f))} → {_display(f, v)}"
                for f, v in changed.items()
            ]
            plan.rows.append(RowPlan(row.number, CHANGE, label, details, payload=(current, changed)))

    @staticmethod
    def _check_dates(check: RowCheck, values: dict) -> None:
        born, started, ended = values.get("birth_date"), values.get("started_on"), values.get("ended_on")
        if born and started and born >= started:
            check.error("birth_date", "出生日期须早于到岗日期。")
        if started and ended and ended <= started:
            check.error("ended_on", "离岗日期须晚于到岗日期。")

    def write(self, plan: Plan, *, actor: User, reason: str) -> None:
        created = [r.payload for r in plan.rows if r.action == CREATE]
        create_with_history(StaffMember, created, actor=actor, reason=reason)
        changes = [r.payload for r in plan.rows if r.action == CHANGE]
        update_with_history(StaffMember, changes, actor=actor, reason=reason)


# -- training attendance --------------------------------------------------------------------------

PASSED = Choices(
    [
        (True, "合格", ("是", "通过", "考核合格", "√", "y")),
        (False, "不合格", ("否", "未通过", "考核不合格", "×", "n")),
    ]
)


class AttendanceResource(resources.Resource):
    """Who attended an event, for export, in the attendance import's columns."""

    county = fields.Field(attribute="staff__office__town__county__name", column_name="县(市、区)")
    town = fields.Field(attribute="staff__office__town__name", column_name="镇(街道)")
    name = fields.Field(attribute="staff__name", column_name="姓名")
    post = fields.Field(attribute="staff__get_post_display", column_name="职务")
    employment_type = fields.Field(attribute="staff__get_employment_type_display", column_name="人员性质")
    passed = fields.Field(column_name="考核")

    class Meta:
        export_order = ("county", "town", "name", "post", "employment_type", "passed")

    def dehydrate_passed(self, attendance: TrainingAttendance) -> str:
        return "合格" if attendance.passed else "不合格"


def attendance_table(attendances: Iterable[TrainingAttendance], *, title: str) -> Table:
    """The attendance of an event (selectors.visible_attendances) as a table."""
    dataset = AttendanceResource().export(list(attendances), force_native_type=True)
    return Table(title=title, headers=list(dataset.headers), rows=rows_from_dataset(dataset))


class AttendanceImport(ImportSpec):
    """Who attended one event: each row names a town and a person of its office's roster, among the
    offices the user records this event for (permissions.offices_recorded_for). New attendance is
    added, a different result (合格/不合格) changed; nobody is removed."""

    kind = "attendance"
    title = "参训人员"
    known_headers = ("职务", "人员性质")
    notes = (
        "每行一名参训人员:镇(街道)和姓名须与该民政办名册中培训期间在岗的人员一致。",
        "已登记参训的人员,考核结果不同的按表格修改,相同的跳过;导入不会取消任何人的参训记录。",
    )

    def __init__(self, *, event: TrainingEvent, offices: QuerySet[Office], scope_label: str) -> None:
        self.event = event
        self.offices = offices
        self.scope_label = scope_label

    def columns(self) -> list[Column]:
        return [
            Column(
                "county",
                "县(市、区)",
                ("县市区", "县(市)区", "所属县(市、区)", "县区"),
                help="市级培训中镇(街道)名称在几个县(市、区)重复时填写;填 9 位代码时可不填。",
                example="南湖区",
                kind="text",
            ),
            town_column(required=True),
            Column(
                "name", "姓名", ("人员姓名", "参训人员", "参训人员姓名"), required=True, kind="text", width=10
            ),
            Column(
                "passed",
                "考核",
                ("考核结果", "考核合格", "是否合格", "考核情况"),
                choices=tuple(PASSED.labels),
                help="培训考核结果,不填为合格。",
                example="合格",
                width=10,
            ),
        ]

    def plan_rows(self, plan: Plan, rows: Sequence[DataRow], layout: Layout, *, for_update: bool) -> None:
        from .selectors import attendance_candidates

        columns = self.column_map()
        lookup = TownLookup(
            self.offices, (r.cells.get("town", "") for r in rows), scope_label=self.scope_label
        )
        parsed = []
        for row in rows:
            check = RowCheck(row, layout, columns, plan.problems)
            town_text = check.text("town")
            office = None
            if not town_text:
                check.error("town", "必填,不能为空。")
            else:
                county_text = check.text("county")
                office = check.value("town", lambda text, county=county_text: lookup.find(text, county))
            name = check.value("name", clean_name, required=True)
            passed = check.value("passed", PASSED.parse)
            parsed.append((row, check, office, name, True if passed is None else passed))

        office_ids = {office.pk for _, _, office, _, _ in parsed if office is not None}
        candidates: dict[tuple[int, str], list[StaffMember]] = defaultdict(list)
        for person in attendance_candidates(event=self.event, offices=self.offices.filter(pk__in=office_ids)):
            candidates[(person.office_id, person.name)].append(person)
        on_roster = set(StaffMember.objects.filter(office_id__in=office_ids).values_list("office_id", "name"))
        attending = TrainingAttendance.objects.filter(event=self.event, staff__office_id__in=office_ids)
        if for_update:
            attending = attending.select_for_update()
        current = {a.staff_id: a for a in attending}

        seen: dict[int, int] = {}
        for row, check, office, name, passed in parsed:
            if office is None or not name or check.failed:
                continue
            matches = candidates.get((office.pk, name), [])
            if not matches:
                if (office.pk, name) in on_roster:
                    check.error(
                        "name",
                        f"“{name}”在培训期间({self.event.starts_on:%Y-%m-%d})不在{office.town.name}民政办岗位上。",
                    )
                else:
                    check.error("name", f"{office.town.name}民政办的名册中没有“{name}”,请先登记该工作人员。")
                continue
            if len(matches) > 1:
                check.error(
                    "name",
                    f"{office.town.name}有 {len(matches)} 名叫“{name}”的人员,"
                    "无法确定是哪一位,请在页面上勾选。",
                )
                continue
            person = matches[0]
            if person.pk in seen:
                check.error("name", f"与第 {seen[person.pk]} 行是同一人,同一人只能出现一次。")
                continue
            seen[person.pk] = row.number
            label = f"{name}({office.town.name})"
            result = "合格" if passed else "不合格"
            existing = current.get(person.pk)
            if existing is None:
                payload = TrainingAttendance(event=self.event, staff=person, passed=passed)
                plan.rows.append(
                    RowPlan(row.number, CREATE, label, [f"登记参训,考核{result}"], payload=payload)
                )
            elif existing.passed == passed:
                plan.rows.append(RowPlan(row.number, SKIP, label, ["已登记参训,考核结果相同"]))
            else:
                before = "合格" if existing.passed else "不合格"
                plan.rows.append(
                    RowPlan(
                        row.number, CHANGE, label, [f"考核:{before} → {result}"], payload=(existing, passed)
                    )
                )

    def proposed(self, row: RowPlan):
        if row.action == CHANGE:
            existing, passed = row.payload
            return super().proposed(
                RowPlan(row.row, CHANGE, row.label, payload=(existing, {"passed": passed}))
            )
        return super().proposed(row)

    def write(self, plan: Plan, *, actor: User, reason: str) -> None:
        created = [r.payload for r in plan.rows if r.action == CREATE]
        create_with_history(TrainingAttendance, created, actor=actor, reason=reason)
        changes = [(r.payload[0], {"passed": r.payload[1]}) for r in plan.rows if r.action == CHANGE]
        update_with_history(TrainingAttendance, changes, actor=actor, reason=reason)
