"""The live gap list: what an office misses against the standard for a year, today, with a link to
the page that fixes each. Computed for many offices at once in a fixed number of queries, so the
county overview costs the same for 10 towns as for 1,000."""

from dataclasses import dataclass

from django.urls import reverse

from offices.choices import PlanKind, PostedRuleKind
from offices.models import Office
from staffing.choices import EmploymentType, Post

from . import facts
from .standards import standards_for

SECTIONS = {
    "A": "机构和职责",
    "B": "队伍建设",
    "C": "办公条件",
    "D": "工作制度",
    "E": "办公经费",
    "F": "职责履行",
    "G": "考核检查",
}


@dataclass(frozen=True)
class Gap:
    section: str
    message: str
    url: str
    fix: str

    @property
    def section_label(self) -> str:
        return SECTIONS[self.section]


def _url(name: str, office: Office, *args) -> str:
    return reverse(name, args=[office.town.code, *args])


def gaps_for(offices: list[Office], year: int) -> dict[int, list[Gap]]:
    """Every office's gaps for a year. Offices need `town` loaded (select_related)."""
    standards = standards_for(year)
    loaded = facts.load(offices, year)
    result: dict[int, list[Gap]] = {}
    for office in offices:
        gaps: list[Gap] = []
        add = gaps.append
        oid = office.pk
        data = loaded[oid]
        duty_numbers = data.duty_numbers
        # (一) 机构和职责
        if not office.sign_hung_on or not office.sign_photo:
            add(
                Gap(
                    "A",
                    "民政办公室牌子增挂日期或照片未填报",
                    _url("offices:profile_edit", office),
                    "填报基本信息",
                )
            )
        if not office.seal_in_use_on or not office.seal_photo:
            add(
                Gap(
                    "A",
                    "民政办公室印章启用日期或印模照片未填报",
                    _url("offices:profile_edit", office),
                    "填报基本信息",
                )
            )
        missing_sheet = [duty_numbers[d] for d in duty_numbers if d not in data.sheet]
        if missing_sheet:
            numbers = "、".join(map(str, sorted(missing_sheet)))
            add(
                Gap(
                    "A",
                    f"第 {numbers} 项职责尚未明确工作标准和要求",
                    _url("duties:sheet", office),
                    "填写职责标准",
                )
            )
        for kind in PlanKind:
            if kind not in data.plan_kinds:
                add(
                    Gap(
                        "A",
                        f"{year}年{kind.label}未填报",
                        _url("offices:plan_edit", office, year, kind.value),
                        "填报",
                    )
                )
        # (二) 队伍建设
        current = data.staff
        population = data.population
        if population is None:
            add(
                Gap(
                    "B",
                    f"{year}年服务人口和民政对象未填报,无法核定人员配备",
                    _url("offices:facts_edit", office, year),
                    "填报",
                )
            )
        else:
            full_time = sum(1 for p in current if p.is_full_time)
            norm = standards.staffing_norm(population)
            if full_time < norm:
                add(
                    Gap(
                        "B",
                        f"专职人员 {full_time} 人,服务人口 {population:,} 人应配 {norm} 人",
                        _url("staffing:staff_list", office),
                        "登记人员",
                    )
                )
        civil = sum(1 for p in current if p.employment_type == EmploymentType.CIVIL_SERVANT)
        if civil < standards.min_civil_servants:
            add(
                Gap(
                    "B",
                    "没有公务员身份的工作人员(一票否决项)",
                    _url("staffing:staff_list", office),
                    "登记人员",
                )
            )
        untrained = [p.name for p in current if p.pk not in data.trained]
        if untrained:
            add(
                Gap(
                    "B",
                    f"{year}年未参加培训:{'、'.join(untrained[:6])}{'等' if len(untrained) > 6 else ''}",
                    _url("staffing:staff_list", office) + f"?year={year}",
                    "查看培训情况",
                )
            )
        new_untrained = [
            p.name for p in current if p.started_on.year == year and p.pk not in data.initial_trained
        ]
        if new_untrained:
            add(
                Gap(
                    "B",
                    f"新进人员未参加初任培训:{'、'.join(new_untrained)}",
                    _url("staffing:staff_list", office),
                    "查看",
                )
            )
        directors = [p for p in current if p.post == Post.DIRECTOR]
        if not directors:
            add(Gap("B", "未登记民政办公室主任", _url("staffing:staff_list", office), "登记人员"))
        elif not any(p.pk in data.on_probation for p in directors):
            add(
                Gap(
                    "B",
                    "主任任前见习未登记",
                    _url("staffing:probation_edit", office, directors[0].pk),
                    "登记见习",
                )
            )
        # (三) 办公条件
        place = data.premises
        if place is None:
            add(
                Gap(
                    "C",
                    f"{year}年办公服务场所未填报",
                    _url("offices:premises_edit", office, year),
                    "填报场所",
                )
            )
        else:
            if place.area_m2 < standards.min_area_m2:
                add(
                    Gap(
                        "C",
                        f"办公服务场所面积 {place.area_m2} 平方米,低于 {standards.min_area_m2} 平方米",
                        _url("offices:premises_edit", office, year),
                        "修改",
                    )
                )
            if not place.is_fixed:
                add(Gap("C", "办公服务场所不固定", _url("offices:premises_edit", office, year), "修改"))
            if not place.emblem_displayed or not place.emblem_photo:
                add(
                    Gap(
                        "C",
                        "未在醒目位置悬挂民政标志或缺少照片",
                        _url("offices:premises_edit", office, year),
                        "上传照片",
                    )
                )
            if not place.equipment:
                add(Gap("C", "办公服务用品清单未填报", _url("offices:premises_edit", office, year), "填报"))
            if not place.it_facilities:
                add(Gap("C", "信息化设施清单未填报", _url("offices:premises_edit", office, year), "填报"))
        # (四) 工作制度
        for kind in PostedRuleKind:
            state = data.rules.get(kind.value)
            if state is None:
                add(
                    Gap(
                        "D",
                        f"“{kind.label}”{year}年未上墙登记",
                        _url("offices:rules", office) + f"?year={year}",
                        "登记",
                    )
                )
            elif not state:
                add(
                    Gap(
                        "D",
                        f"“{kind.label}”缺少上墙照片",
                        _url("offices:rules", office) + f"?year={year}",
                        "上传照片",
                    )
                )
        # (五) 办公经费
        budget = data.budget
        if budget is None:
            add(Gap("E", f"{year}年办公经费未填报", _url("offices:budget_edit", office, year), "填报"))
        elif budget.guaranteed_funds < standards.min_budget:
            add(
                Gap(
                    "E",
                    f"保障办公经费 {budget.guaranteed_funds:,.2f} 元,低于 {standards.min_budget:,.0f} 元",
                    _url("offices:budget_edit", office, year),
                    "修改",
                )
            )
        # (一)/(七) 职责履行
        without = sorted(duty_numbers[d] for d in data.applicable_duties if d not in data.recorded_duties)
        if without:
            add(
                Gap(
                    "F",
                    f"{year}年第 {'、'.join(map(str, without))} 项职责没有工作台账",
                    _url("duties:record_list", office) + f"?year={year}",
                    "填报台账",
                )
            )
        # (七) 考核检查
        count = data.checks
        if count < standards.min_internal_checks:
            add(
                Gap(
                    "G",
                    f"{year}年内部检查 {count} 次,少于 {standards.min_internal_checks} 次",
                    _url("offices:check_list", office),
                    "登记检查",
                )
            )
        result[oid] = gaps
    return result


def office_gaps(office: Office, year: int) -> list[Gap]:
    return gaps_for([office], year)[office.pk]
