"""Reads of the city's configuration pages: programmes with their years, catalogs with their items,
sections and staffing bands, and how an item changed. Each a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, QuerySet, Sum

from assessment.choices import Result, Rule, Section, YearState
from assessment.models import (
    Assessment,
    AssessmentYear,
    CatalogItem,
    CatalogVersion,
    Programme,
)
from assessment.standard.progress import percent
from core.history import object_versions
from offices.choices import Equipment, ItFacility, PostedRuleKind
from offices.models import Office

# -- how an item is scored, in words ----------------------------------------------------------------


def _number(value) -> str:
    """60 → "60", 60.5 → "60.5", 20000 → "20,000": parameters as a reader writes them."""
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.normalize():,f}"


def rule_params_text(rule: str, params: dict) -> str:
    """The standard an item's rule checks, in words (面积不少于 60 平方米), so the catalog reads like
    the policy rather than like its stored parameters. The defaults are those of assessment.standard.rules."""
    params = params or {}
    if rule == Rule.PREMISES:
        return f"场所固定,面积不少于 {_number(params.get('min_area', 60))} 平方米"
    if rule == Rule.BUDGET:
        return f"保障经费不少于 {_number(params.get('min_amount', 0))} 元"
    if rule == Rule.CIVIL_SERVANT:
        return f"公务员不少于 {_number(params.get('min', 1))} 人"
    if rule == Rule.INTERNAL_CHECKS:
        return f"当年内部检查不少于 {_number(params.get('min', 2))} 次"
    if rule == Rule.EQUIPMENT:
        minimum = params.get("min_items", len(Equipment))
        return f"办公服务用品配备 {_number(minimum)} 项得满分,不足按比例计分"
    if rule == Rule.IT:
        minimum = params.get("min_items", len(ItFacility))
        return f"信息化设施具备 {_number(minimum)} 项得满分,不足按比例计分"
    if rule == Rule.POSTED_RULE:
        kind = params.get("kind", "")
        label = PostedRuleKind(kind).label if kind in PostedRuleKind.values else (kind or "未指定")
        return f"“{label}”当年上墙并有照片"
    if rule == Rule.STAFFING:
        return "专职人数达到本细则的专职人员配备标准"
    if rule == Rule.TRAINING:
        return "按在岗人员中已按要求参训的比例计分"
    if rule == Rule.DUTY_RECORDS:
        return "按当年有工作台账的适用职责比例计分"
    return ""


@dataclass(frozen=True)
class Band:
    """One row of the staffing norm, in words: 30,000–60,000 人 → 3 人."""

    population: str
    staff: int


def staffing_band_rows(bands: list) -> list[Band]:
    rows: list[Band] = []
    lower = 0
    for upper, staff in bands or []:
        if upper is None:
            text = f"{lower:,} 人以上" if lower else "不限人口"
        elif lower == 0:
            text = f"{int(upper):,} 人及以下"
        else:
            text = f"{lower:,}–{int(upper):,} 人"
        rows.append(Band(text, int(staff)))
        lower = int(upper) + 1 if upper is not None else lower
    return rows


def item_history(item: CatalogItem, limit: int = 20) -> list:
    """Who changed a catalog item and how, newest first, with its standard in words rather than as
    the stored parameters."""
    versions = object_versions(CatalogItem, item.pk)
    label = str(CatalogItem._meta.get_field("params").verbose_name)
    for index, newer in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else None
        for change in newer.changes:
            if change.label == label:
                change.after = rule_params_text(newer.snapshot.rule, newer.snapshot.params) or "—"
                change.before = rule_params_text(older.snapshot.rule, older.snapshot.params) if older else "—"
                change.before = change.before or "—"
    return versions[:limit]


# -- programmes -------------------------------------------------------------------------------------


@dataclass
class ProgrammeYear:
    year: int
    opened: AssessmentYear | None
    catalog: CatalogVersion | None


@dataclass
class ProgrammeRow:
    programme: Programme
    years: list[ProgrammeYear]
    standardized: int
    towns: int

    @property
    def percent(self) -> Decimal:
        return percent(self.standardized, self.towns)


def programme_rows() -> list[ProgrammeRow]:
    """Every programme with its years (opened or not, and the catalog waiting for each) and its
    progress toward "every town standardized": four queries in all."""
    programmes = list(Programme.objects.prefetch_related("assessment_years__catalog"))
    catalogs = {c.year: c for c in CatalogVersion.objects.all()}
    towns = Office.objects.count()
    standardized = dict(
        Assessment.objects.filter(assessment_year__state=YearState.CONFIRMED, result=Result.PASS)
        .values_list("assessment_year__programme")
        .annotate(n=Count("office", distinct=True))
        .order_by()
    )
    rows = []
    for programme in programmes:
        opened = {y.year: y for y in programme.assessment_years.all()}
        years = [ProgrammeYear(y, opened.get(y), catalogs.get(y)) for y in programme.year_range]
        rows.append(ProgrammeRow(programme, years, standardized.get(programme.pk, 0), towns))
    return rows


# -- catalogs ---------------------------------------------------------------------------------------


def catalog_list() -> QuerySet[CatalogVersion]:
    """Every year's catalog with its number of items, total points and the year opened on it: one
    query."""
    return (
        CatalogVersion.objects.select_related("assessment_year", "copied_from")
        .annotate(item_count=Count("items"), points=Sum("items__points"))
        .order_by("-year")
    )


@dataclass
class SectionGroup:
    section: str
    label: str
    items: list[CatalogItem]

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))


@dataclass
class CatalogView:
    version: CatalogVersion
    sections: list[SectionGroup]
    bands: list[Band]
    total: Decimal
    item_count: int
    veto_items: list[CatalogItem] = field(default_factory=list)

    @property
    def total_ok(self) -> bool:
        return self.total == 100


def catalog_view(version: CatalogVersion) -> CatalogView:
    """A catalog's items grouped by the policy's sections, each with its standard in words: one
    query for the items."""
    items = list(version.items.order_by("section", "order", "code"))
    labels = dict(Section.choices)
    by_section: dict[str, list[CatalogItem]] = {}
    for item in items:
        item.params_text = rule_params_text(item.rule, item.params)
        by_section.setdefault(item.section, []).append(item)
    sections = [SectionGroup(s, labels.get(s, s), by_section[s]) for s in Section.values if s in by_section]
    return CatalogView(
        version=version,
        sections=sections,
        bands=staffing_band_rows(version.staffing_bands),
        total=sum((i.points for i in items), Decimal(0)),
        item_count=len(items),
        veto_items=[i for i in items if i.is_veto],
    )


def latest_catalog() -> CatalogVersion | None:
    return CatalogVersion.objects.order_by("-year").first()


def next_item_order(catalog: CatalogVersion) -> int:
    """Where a new item goes by default: after the catalog's last one."""
    return (catalog.items.aggregate(last=Max("order"))["last"] or 0) + 1


def programme_for_year(year: int | None) -> Programme | None:
    """The programme a year belongs to (the latest one started by then); any programme for None."""
    programmes = Programme.objects.order_by("-start_year")
    return (programmes.filter(start_year__lte=year) if year else programmes).first()


def catalogs_to_open() -> QuerySet[CatalogVersion]:
    """Catalogs no year has been opened on, with their total points, for the opening form."""
    return (
        CatalogVersion.objects.filter(locked=False)
        .annotate(points=Sum("items__points"), item_count=Count("items"))
        .order_by("year")
    )
