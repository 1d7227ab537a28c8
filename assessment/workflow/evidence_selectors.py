"""The records behind each item's 计分依据, shown beside the score so an inspector need not open the
town's record pages one by one.

Each scoring rule (assessment/standard/rules.py) reads certain records of the office's year (the
record kinds and their rules are also listed in assessment/corrections/kinds.py); `item_evidence`
loads those records for one assessment, one query per kind of record the catalog's rules read,
however many records the office has: a long list is cut at `LIMIT` rows, its total counted by a
window function in the same query, and the rest is one link away on the record's own list page.

Links go to list and detail pages, which every role that sees the scoring page may open (the edit
pages are the town's); files go through the evidence views, which check permission themselves."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce
from django.urls import reverse

from assessment.choices import Rule
from assessment.models import Assessment, ItemScore
from core.evidence import stored_kind
from duties.models import Duty, DutyRecord, DutySheetEntry
from offices.choices import Equipment, ItFacility
from offices.models import Budget, InternalCheck, OfficeYearFacts, Plan, PostedRule, Premises
from staffing.choices import EmploymentType, Post
from staffing.models import DirectorProbation, StaffMember, TrainingAttendance

LIMIT = 10  # rows shown per item; the rest are on the record's list page


@dataclass(frozen=True)
class File:
    """One evidence file of a record, served by the permission-checked evidence views."""

    label: str  # the model's label, as the evidence URLs name it
    pk: int
    field: str
    name: str  # the stored file name, to tell a PDF from a photo
    alt: str

    @property
    def is_image(self) -> bool:
        kind = stored_kind(self.name)
        return kind is not None and kind.is_image

    @property
    def kind_label(self) -> str:
        kind = stored_kind(self.name)
        return kind.label if kind else "文件"

    @property
    def download_url(self) -> str:
        return reverse("evidence_download", args=[self.label, self.pk, self.field])

    @property
    def preview_url(self) -> str:
        return reverse("evidence_preview", args=[self.label, self.pk, self.field])

    @property
    def open_url(self) -> str:
        """Where a click goes: an Office document's own page (its PDF), else the original file."""
        kind = stored_kind(self.name)
        if kind is not None and kind.office:
            return reverse("evidence_view", args=[self.label, self.pk, self.field])
        return self.download_url


@dataclass(frozen=True)
class Entry:
    text: str
    url: str = ""
    files: tuple[File, ...] = ()
    note: str = ""  # a short remark: attachment counts, 不适用, 缺少照片


@dataclass
class Evidence:
    """What one item's rule read: the first rows, how many there are, and where to see them all."""

    entries: list[Entry] = field(default_factory=list)
    total: int = 0
    list_url: str = ""
    list_label: str = ""

    @property
    def more(self) -> bool:
        return self.total > len(self.entries)


def _file(obj, name: str, alt: str) -> tuple[File, ...]:
    value = getattr(obj, name)
    if not value:
        return ()
    return (File(obj._meta.label_lower, obj.pk, name, value.name, alt),)


def _with_total(queryset, limit: int = LIMIT) -> tuple[list, int]:
    """The first `limit` rows and the count of all, in one query."""
    rows = list(queryset.annotate(evidence_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].evidence_total if rows else 0)


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "未填日期"


class _Loader:
    """The records of one office's year, each kind loaded at most once, on first use."""

    def __init__(self, assessment: Assessment):
        self.office = assessment.office
        self.year = assessment.assessment_year.year
        self.code = self.office.town.code
        self._cache: dict[str, object] = {}

    def once(self, key: str, load):
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def url(self, name: str, *args, query: str = "", anchor: str = "") -> str:
        path = reverse(name, args=[self.code, *args])
        return path + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")

    def year_query(self) -> str:
        return f"year={self.year}"

    # -- the records --------------------------------------------------------------------------------

    def in_post(self) -> Q:
        return Q(office=self.office, started_on__lte=date(self.year, 12, 31)) & (
            Q(ended_on__isnull=True) | Q(ended_on__gte=date(self.year, 1, 1))
        )

    def staff(self, only: Q, note=None) -> Evidence:
        rows, total = _with_total(StaffMember.objects.filter(self.in_post(), only).order_by("name", "pk"))
        return self.staff_evidence(rows, total, note)

    def staff_evidence(self, rows, total: int, note=None) -> Evidence:
        entries = [
            Entry(
                f"{p.name} · {p.get_post_display()} · {p.get_employment_type_display()}"
                f"{'' if p.is_full_time else ' · 兼职'}",
                self.url("staffing:staff_list", query=self.year_query(), anchor=f"staff-{p.pk}"),
                note=note(p) if note else "",
            )
            for p in rows
        ]
        return Evidence(entries, total, self.url("staffing:staff_list", query=self.year_query()), "工作人员")

    def premises(self) -> Premises | None:
        return self.once(
            "premises", lambda: Premises.objects.filter(office=self.office, year=self.year).first()
        )

    def premises_entry(self, files: tuple[File, ...], text: str) -> Evidence:
        return Evidence(
            [Entry(text, self.url("offices:premises_list"), files)],
            1,
            self.url("offices:premises_list"),
            "办公服务场所",
        )

    def sheet(self) -> dict[int, DutySheetEntry]:
        """The office's duty sheet by duty id (a sheet has no year: it holds until changed)."""
        return self.once(
            "sheet",
            lambda: {
                e.duty_id: e
                for e in DutySheetEntry.objects.filter(office=self.office).only("duty_id", "not_applicable")
            },
        )

    def duties(self) -> list[Duty]:
        return self.once("duties", lambda: list(Duty.objects.order_by("number")))


def _sign(load: _Loader, item) -> Evidence:
    office = load.office
    text = f"民政办公室牌子 · 增挂日期 {_day(office.sign_hung_on)}"
    return _office_profile(load, text, _file(office, "sign_photo", "牌子照片"))


def _seal(load: _Loader, item) -> Evidence:
    office = load.office
    text = f"民政办公室印章 · 启用日期 {_day(office.seal_in_use_on)}"
    return _office_profile(load, text, _file(office, "seal_photo", "印模照片"))


def _office_profile(load: _Loader, text: str, files: tuple[File, ...]) -> Evidence:
    url = load.url("offices:office_detail")
    return Evidence([Entry(text, url, files, "" if files else "未上传照片")], 1, url, "办公室基本信息")


def _duty_sheet(load: _Loader, item) -> Evidence:
    filed = load.sheet()
    entries = []
    for duty in load.duties():
        entry = filed.get(duty.pk)
        note = "未填写" if entry is None else ("不适用" if entry.not_applicable else "已明确")
        entries.append(
            Entry(
                f"第 {duty.number} 项 {duty.name}",
                load.url("duties:sheet", anchor=f"duty-{duty.number}"),
                note=note,
            )
        )
    # Fourteen duties at most (reference data): every one is listed.
    return Evidence(entries, len(entries), load.url("duties:sheet"), "职责标准")


def _plans(load: _Loader, item) -> Evidence:
    plans = load.once(
        "plans", lambda: list(Plan.objects.filter(office=load.office, year=load.year).order_by("kind"))
    )
    url = load.url("offices:plans")
    entries = [
        Entry(
            f"{p.get_kind_display()}:{p.title}",
            url,
            _file(p, "document", f"{p.get_kind_display()}文件"),
            "" if p.document else "未上传文件",
        )
        for p in plans
    ]
    return Evidence(entries, len(entries), url, "计划与规划")


def _staffing(load: _Loader, item) -> Evidence:
    evidence = load.staff(Q(is_full_time=True))
    facts = OfficeYearFacts.objects.filter(office=load.office, year=load.year).first()
    population = f"服务人口 {facts.service_population:,}" if facts else "服务人口未填报"
    evidence.entries.insert(0, Entry(f"{load.year}年{population}", load.url("offices:facts_list")))
    evidence.total += 1
    return evidence


def _civil_servant(load: _Loader, item) -> Evidence:
    return load.staff(Q(employment_type=EmploymentType.CIVIL_SERVANT))


def _training(load: _Loader, item) -> Evidence:
    year = load.year
    attended = (
        TrainingAttendance.objects.filter(staff=OuterRef("pk"), event__starts_on__year=year)
        .values("staff")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows, total = _with_total(
        StaffMember.objects.filter(load.in_post())
        .annotate(trained=Coalesce(Subquery(attended, output_field=IntegerField()), 0))
        .order_by("name", "pk")
    )
    return load.staff_evidence(
        rows, total, lambda p: f"当年参训 {p.trained} 次" if p.trained else "当年未参训"
    )


def _probation(load: _Loader, item) -> Evidence:
    rows, total = _with_total(
        StaffMember.objects.filter(load.in_post(), post=Post.DIRECTOR).order_by("name", "pk")
    )
    probations = {p.staff_id: p for p in DirectorProbation.objects.filter(staff__in=[p.pk for p in rows])}

    def note(person) -> str:
        found = probations.get(person.pk)
        if found is None:
            return "未登记任前见习"
        return f"任前见习 {_day(found.starts_on)}至{_day(found.ends_on)},{found.place}"

    return load.staff_evidence(rows, total, note)


def _premises(load: _Loader, item) -> Evidence:
    place = load.premises()
    if place is None:
        return _none(load.url("offices:premises_list"), "办公服务场所")
    text = f"{load.year}年场所 {place.area_m2} 平方米({'固定' if place.is_fixed else '不固定'})"
    text += f" · {place.address}" if place.address else ""
    return load.premises_entry(_file(place, "photo", "场所照片"), text)


def _checklist(field_name: str, choices, label: str):
    labels = dict(choices.choices)

    def rule(load: _Loader, item) -> Evidence:
        place = load.premises()
        if place is None:
            return _none(load.url("offices:premises_list"), "办公服务场所")
        listed = [str(labels.get(v, v)) for v in getattr(place, field_name) or []]
        return load.premises_entry((), f"{label}:{'、'.join(listed) or '未填报'}")

    return rule


def _emblem(load: _Loader, item) -> Evidence:
    place = load.premises()
    if place is None:
        return _none(load.url("offices:premises_list"), "办公服务场所")
    files = _file(place, "emblem_photo", "民政标志照片")
    text = f"民政标志{'已悬挂' if place.emblem_displayed else '未悬挂'}"
    return load.premises_entry(files, text)


def _posted_rule(load: _Loader, item) -> Evidence:
    rules = load.once(
        "rules", lambda: {r.kind: r for r in PostedRule.objects.filter(office=load.office, year=load.year)}
    )
    url = load.url("offices:rules", query=load.year_query())
    posted = rules.get(item.params.get("kind", ""))
    if posted is None:
        return _none(url, "上墙制度")
    text = f"{posted.get_kind_display()} · 上墙日期 {_day(posted.posted_on)}"
    files = _file(posted, "photo", f"{posted.get_kind_display()}照片")
    return Evidence([Entry(text, url, files, "" if files else "缺少照片")], 1, url, "上墙制度")


def _budget(load: _Loader, item) -> Evidence:
    budget = Budget.objects.filter(office=load.office, year=load.year).first()
    url = load.url("offices:budget_list")
    if budget is None:
        return _none(url, "办公经费")
    return Evidence(
        [Entry(f"{load.year}年保障经费 {budget.guaranteed_funds:,.2f} 元", url)], 1, url, "办公经费"
    )


def _duty_records(load: _Loader, item) -> Evidence:
    """Per duty, the year's records and their attachments: one grouped query, one row per duty."""
    year = load.year
    counts = {
        row["duty"]: row
        for row in DutyRecord.objects.filter(office=load.office, date__year=year)
        .values("duty")
        .annotate(records=Count("pk", distinct=True), files=Count("attachments", distinct=True))
        .order_by()
    }
    sheet = load.sheet()
    entries = []
    for duty in load.duties():
        found = counts.get(duty.pk)
        if found:
            note = f"台账 {found['records']} 条,附件 {found['files']} 个"
        else:
            note = "不适用" if (sheet.get(duty.pk) and sheet[duty.pk].not_applicable) else "当年无台账"
        url = load.url("duties:record_list", query=f"duty={duty.number}&year={year}")
        entries.append(Entry(f"第 {duty.number} 项 {duty.name}", url, note=note))
    total = sum(row["records"] for row in counts.values())
    evidence = Evidence(
        entries,
        len(entries),
        load.url("duties:record_list", query=load.year_query()),
        f"工作台账(当年共 {total} 条)",
    )
    return evidence


def _internal_checks(load: _Loader, item) -> Evidence:
    rows, total = _with_total(
        InternalCheck.objects.filter(office=load.office, checked_on__year=load.year).order_by(
            "-checked_on", "-pk"
        )
    )
    url = load.url("offices:check_list", query=load.year_query())
    entries = [Entry(f"{_day(c.checked_on)} · {c.scope}", url, note=c.checked_by) for c in rows]
    return Evidence(entries, total, url, "内部检查")


def _none(url: str, label: str) -> Evidence:
    return Evidence([], 0, url, label)


RULES = {
    Rule.SIGN: _sign,
    Rule.SEAL: _seal,
    Rule.DUTY_SHEET: _duty_sheet,
    Rule.PLANS: _plans,
    Rule.STAFFING: _staffing,
    Rule.CIVIL_SERVANT: _civil_servant,
    Rule.TRAINING: _training,
    Rule.PROBATION: _probation,
    Rule.PREMISES: _premises,
    Rule.EQUIPMENT: _checklist("equipment", Equipment, "已配备办公服务用品"),
    Rule.EMBLEM: _emblem,
    Rule.IT: _checklist("it_facilities", ItFacility, "已具备信息化设施"),
    Rule.POSTED_RULE: _posted_rule,
    Rule.BUDGET: _budget,
    Rule.DUTY_RECORDS: _duty_records,
    Rule.INTERNAL_CHECKS: _internal_checks,
}


def item_evidence(assessment: Assessment, scores: Iterable[ItemScore]) -> dict[str, Evidence]:
    """For each item of the score sheet, by item code: the records its rule read, and the town's
    own uploaded evidence for the item. The assessment needs its year and its office's town loaded
    (`selectors.assessment_for` does); the scores their items (`selectors.score_sheet`'s do)."""
    load = _Loader(assessment)
    found: dict[str, Evidence] = {}
    for score in scores:
        item = score.item
        rule = RULES.get(item.rule) if item.rule else None
        evidence = rule(load, item) if rule else Evidence()
        if score.town_evidence and score.pk:
            own = Entry(
                "镇(街道)上传的佐证材料",
                files=(
                    File(
                        "assessment.itemscore",
                        score.pk,
                        "town_evidence",
                        score.town_evidence.name,
                        f"{item.code} 佐证材料",
                    ),
                ),
            )
            evidence.entries.insert(0, own)
            evidence.total += 1
        found[item.code] = evidence
    return found
