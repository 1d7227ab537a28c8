"""The named scoring rules. Each scores one catalog item from an office's records for the year and
says which figures it used, so an inspector (and the town) can check the arithmetic. Whether the
standard is met is decided by `checks`, as for the live gap list; a rule adds the item's thresholds
(its parameters), the points and the wording."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessment.choices import Rule
from assessment.models import CatalogItem, CatalogVersion
from assessment.standard import checks
from assessment.standard.facts import OfficeYear
from offices.choices import PostedRuleKind

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
    check = checks.sign(data)
    return _all_or_nothing(
        item, check.met, f"增挂日期 {_date(check.on)},照片{'已上传' if check.photo else '未上传'}"
    )


def seal(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.seal(data)
    return _all_or_nothing(
        item, check.met, f"启用日期 {_date(check.on)},印模照片{'已上传' if check.photo else '未上传'}"
    )


def duty_sheet(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.duty_sheet(data)
    figures = f"适用职责 {check.applicable} 项(不适用 {check.not_applicable} 项),已明确标准 {check.done} 项"
    return _all_or_nothing(item, check.met, figures)


def plans(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.plans(data)
    have = "、".join(k.label for k in check.have) or "无"
    return _all_or_nothing(item, check.met, f"{data.year}年已制定:{have}")


def staffing(item, data: OfficeYear, catalog: CatalogVersion) -> RuleResult:
    check = checks.staffing(data, catalog.staffing_bands)
    if check.population is None:
        return RuleResult(Decimal(0), False, f"专职人员 {check.full_time} 人,服务人口未填报")
    return _all_or_nothing(
        item,
        check.met,
        f"专职人员 {check.full_time} 人,服务人口 {check.population:,},标准 {check.norm} 人",
    )


def civil_servant(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.civil_servants(data, int(item.params.get("min", 1)))
    return _all_or_nothing(item, check.met, f"公务员 {check.count} 人,标准不少于 {check.minimum} 人")


def training(item, data: OfficeYear, catalog) -> RuleResult:
    """Share of the year's staff trained that year; a newcomer also needs initial training."""
    check = checks.training(data)
    return _share(
        item, check.complying, check.staff, f"在岗 {check.staff} 人,已按要求参训 {check.complying} 人"
    )


def probation(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.probation(data)
    if check.director is None:
        return RuleResult(Decimal(0), False, "未登记主任")
    return _all_or_nothing(
        item, check.met, f"主任 {check.director.name},任前见习{'已登记' if check.done else '未登记'}"
    )


def premises(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.premises(data, Decimal(str(item.params.get("min_area", 60))))
    if not check.filed:
        return RuleResult(Decimal(0), False, f"{data.year}年场所未填报")
    return _all_or_nothing(
        item,
        check.met,
        f"面积 {check.area} 平方米({'固定' if check.fixed else '不固定'}),标准不少于 {check.minimum} 平方米",
    )


def _checklist(item, check: checks.Checklist, label: str) -> RuleResult:
    return _share(item, check.count, check.minimum, f"{label} {check.count} 项,标准 {check.minimum} 项")


def _min_items(item) -> int | None:
    """The item's minimum number of checklist entries; None: the whole list."""
    minimum = item.params.get("min_items")
    return None if minimum is None else int(minimum)


def equipment(item, data: OfficeYear, catalog) -> RuleResult:
    return _checklist(item, checks.equipment(data, _min_items(item)), "已配备办公服务用品")


def it(item, data: OfficeYear, catalog) -> RuleResult:
    return _checklist(item, checks.it_facilities(data, _min_items(item)), "已具备信息化设施")


def emblem(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.emblem(data)
    shown = "已悬挂" if check.done else "未悬挂"
    photo = "有照片" if check.photo else "无照片"
    return _all_or_nothing(item, check.met, f"民政标志{shown},{photo}")


def posted_rule(item, data: OfficeYear, catalog) -> RuleResult:
    kind = item.params.get("kind", "")
    label = PostedRuleKind(kind).label if kind in PostedRuleKind.values else kind
    check = checks.posted_rule(data, kind)
    text = ("已上墙,有照片" if check.photo else "已登记,缺少照片") if check.done else "未登记"
    return _all_or_nothing(item, check.met, f"{data.year}年“{label}”{text}")


def budget(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.budget(data, Decimal(str(item.params.get("min_amount", 0))))
    if check.funds is None:
        return RuleResult(Decimal(0), False, f"{data.year}年办公经费未填报")
    return _all_or_nothing(
        item, check.met, f"保障经费 {check.funds:,.2f} 元,最低标准 {check.minimum:,.2f} 元"
    )


def duty_records(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.duty_records(data)
    figures = f"适用职责 {check.applicable} 项,当年有台账 {check.done} 项"
    return _share(item, check.done, check.applicable, figures)


def internal_checks(item, data: OfficeYear, catalog) -> RuleResult:
    check = checks.internal_checks(data, int(item.params.get("min", 2)))
    return _all_or_nothing(
        item, check.met, f"{data.year}年内部检查 {check.count} 次,标准不少于 {check.minimum} 次"
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
