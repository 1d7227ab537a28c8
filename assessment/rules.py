"""The named scoring rules. Each scores one catalog item from an office's records for the year and
says which figures it used, so an inspector (and the town) can check the arithmetic."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from offices.choices import Equipment, ItFacility, PlanKind, PostedRuleKind
from staffing.choices import EmploymentType, Post

from .choices import Rule
from .facts import OfficeYear
from .models import CatalogItem, CatalogVersion

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RuleResult:
    points: Decimal
    met: bool
    figures: str


def _all_or_nothing(item: CatalogItem, met: bool, figures: str) -> RuleResult:
    return RuleResult(item.points if met else Decimal(0), met, figures)


def _share(item: CatalogItem, part: int, whole: int, figures: str) -> RuleResult:
    """Points in proportion to part/whole (capped at 1), to two decimals."""
    if whole <= 0:
        return RuleResult(item.points, True, figures)
    ratio = min(Decimal(part) / Decimal(whole), Decimal(1))
    return RuleResult((item.points * ratio).quantize(CENT, ROUND_HALF_UP), part >= whole, figures)


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "未填报"


def sign(item, data: OfficeYear, catalog) -> RuleResult:
    office = data.office
    met = bool(office.sign_hung_on and office.sign_photo)
    return _all_or_nothing(
        item, met, f"增挂日期 {_date(office.sign_hung_on)},照片{'已上传' if office.sign_photo else '未上传'}"
    )


def seal(item, data: OfficeYear, catalog) -> RuleResult:
    office = data.office
    met = bool(office.seal_in_use_on and office.seal_photo)
    return _all_or_nothing(
        item,
        met,
        f"启用日期 {_date(office.seal_in_use_on)},印模照片{'已上传' if office.seal_photo else '未上传'}",
    )


def duty_sheet(item, data: OfficeYear, catalog) -> RuleResult:
    applicable = data.applicable_duties
    defined = [d for d in applicable if d in data.sheet]
    na = len(data.duty_numbers) - len(applicable)
    return _all_or_nothing(
        item,
        len(defined) == len(applicable),
        f"适用职责 {len(applicable)} 项(不适用 {na} 项),已明确标准 {len(defined)} 项",
    )


def plans(item, data: OfficeYear, catalog) -> RuleResult:
    have = [k.label for k in PlanKind if k.value in data.plan_kinds]
    return _all_or_nothing(item, len(have) == len(PlanKind), f"{data.year}年已制定:{'、'.join(have) or '无'}")


def staffing(item, data: OfficeYear, catalog: CatalogVersion) -> RuleResult:
    population = data.population
    full_time = len(data.full_time)
    if population is None:
        return RuleResult(Decimal(0), False, f"专职人员 {full_time} 人,服务人口未填报")
    norm = catalog.staffing_norm(population)
    return _all_or_nothing(
        item, full_time >= norm, f"专职人员 {full_time} 人,服务人口 {population:,},标准 {norm} 人"
    )


def civil_servant(item, data: OfficeYear, catalog) -> RuleResult:
    minimum = int(item.params.get("min", 1))
    count = sum(1 for p in data.staff if p.employment_type == EmploymentType.CIVIL_SERVANT)
    return _all_or_nothing(item, count >= minimum, f"公务员 {count} 人,标准不少于 {minimum} 人")


def training(item, data: OfficeYear, catalog) -> RuleResult:
    """Share of the year's staff trained that year; a newcomer also needs initial training."""
    staff = data.staff
    ok = [
        p
        for p in staff
        if p.pk in data.trained and (p.started_on.year != data.year or p.pk in data.initial_trained)
    ]
    return _share(item, len(ok), len(staff), f"在岗 {len(staff)} 人,已按要求参训 {len(ok)} 人")


def probation(item, data: OfficeYear, catalog) -> RuleResult:
    directors = [p for p in data.staff if p.post == Post.DIRECTOR]
    done = [p for p in directors if p.pk in data.on_probation]
    if not directors:
        return RuleResult(Decimal(0), False, "未登记主任")
    return _all_or_nothing(
        item, bool(done), f"主任 {directors[0].name},任前见习{'已登记' if done else '未登记'}"
    )


def premises(item, data: OfficeYear, catalog) -> RuleResult:
    minimum = Decimal(str(item.params.get("min_area", 60)))
    place = data.premises
    if place is None:
        return RuleResult(Decimal(0), False, f"{data.year}年场所未填报")
    met = place.is_fixed and place.area_m2 >= minimum
    return _all_or_nothing(
        item,
        met,
        f"面积 {place.area_m2} 平方米({'固定' if place.is_fixed else '不固定'}),标准不少于 {minimum} 平方米",
    )


def _checklist(item, data: OfficeYear, field: str, choices, label: str) -> RuleResult:
    minimum = int(item.params.get("min_items", len(choices)))
    place = data.premises
    count = len([v for v in (getattr(place, field) if place else []) if v in choices.values])
    return _share(item, count, minimum, f"{label} {count} 项,标准 {minimum} 项")


def equipment(item, data: OfficeYear, catalog) -> RuleResult:
    return _checklist(item, data, "equipment", Equipment, "已配备办公服务用品")


def it(item, data: OfficeYear, catalog) -> RuleResult:
    return _checklist(item, data, "it_facilities", ItFacility, "已具备信息化设施")


def emblem(item, data: OfficeYear, catalog) -> RuleResult:
    place = data.premises
    met = bool(place and place.emblem_displayed and place.emblem_photo)
    shown = "已悬挂" if place and place.emblem_displayed else "未悬挂"
    photo = "有照片" if place and place.emblem_photo else "无照片"
    return _all_or_nothing(item, met, f"民政标志{shown},{photo}")


def posted_rule(item, data: OfficeYear, catalog) -> RuleResult:
    kind = item.params.get("kind", "")
    label = PostedRuleKind(kind).label if kind in PostedRuleKind.values else kind
    state = data.rules.get(kind)
    text = "未登记" if state is None else ("已上墙,有照片" if state else "已登记,缺少照片")
    return _all_or_nothing(item, bool(state), f"{data.year}年“{label}”{text}")


def budget(item, data: OfficeYear, catalog) -> RuleResult:
    minimum = Decimal(str(item.params.get("min_amount", 0)))
    if data.budget is None:
        return RuleResult(Decimal(0), False, f"{data.year}年办公经费未填报")
    funds = data.budget.guaranteed_funds
    return _all_or_nothing(item, funds >= minimum, f"保障经费 {funds:,.2f} 元,最低标准 {minimum:,.2f} 元")


def duty_records(item, data: OfficeYear, catalog) -> RuleResult:
    applicable = data.applicable_duties
    recorded = [d for d in applicable if d in data.recorded_duties]
    return _share(
        item, len(recorded), len(applicable), f"适用职责 {len(applicable)} 项,当年有台账 {len(recorded)} 项"
    )


def internal_checks(item, data: OfficeYear, catalog) -> RuleResult:
    minimum = int(item.params.get("min", 2))
    return _all_or_nothing(
        item, data.checks >= minimum, f"{data.year}年内部检查 {data.checks} 次,标准不少于 {minimum} 次"
    )


RULES: dict[str, Callable[[CatalogItem, OfficeYear, CatalogVersion], RuleResult]] = {
    Rule.SIGN: sign,
    Rule.SEAL: seal,
    Rule.DUTY_SHEET: duty_sheet,
    Rule.PLANS: plans,
    Rule.STAFFING: staffing,
    Rule.CIVIL_SERVANT: civil_servant,
    Rule.TRAINING: training,
    Rule.PROBATION: probation,
    Rule.PREMISES: premises,
    Rule.EQUIPMENT: equipment,
    Rule.EMBLEM: emblem,
    Rule.IT: it,
    Rule.POSTED_RULE: posted_rule,
    Rule.BUDGET: budget,
    Rule.DUTY_RECORDS: duty_records,
    Rule.INTERNAL_CHECKS: internal_checks,
}


def apply(item: CatalogItem, data: OfficeYear, catalog: CatalogVersion) -> RuleResult | None:
    """The item's score from records, or None for items the inspector scores."""
    if not item.rule:
        return None
    return RULES[item.rule](item, data, catalog)
