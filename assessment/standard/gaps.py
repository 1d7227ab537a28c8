"""The live gap list: what an office misses against the standard for a year, today, with a link to
the page that fixes each. Computed for many offices at once in a fixed number of queries, so the
county overview costs the same for 10 towns as for 1,000."""

from dataclasses import dataclass

from django.urls import reverse

from assessment.standard import checks, facts
from assessment.standard.thresholds import Standards, standards_for
from offices.choices import PostedRuleKind
from offices.models import Office

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
    return {office.pk: _gaps(office, loaded[office.pk], standards) for office in offices}


def _gaps(office: Office, data: facts.OfficeYear, standards: Standards) -> list[Gap]:
    """One office's gaps, in the order of the standard's sections. Whether each part of the standard
    is met is decided by `checks`, as for the score; this only says what to fix and where."""
    year = data.year
    gaps: list[Gap] = []
    add = gaps.append
    # (一) 机构和职责
    if not checks.sign(data).met:
        add(
            Gap(
                "A",
                "民政办公室牌子增挂日期或照片未填报",
                _url("offices:profile_edit", office),
                "填报基本信息",
            )
        )
    if not checks.seal(data).met:
        add(
            Gap(
                "A",
                "民政办公室印章启用日期或印模照片未填报",
                _url("offices:profile_edit", office),
                "填报基本信息",
            )
        )
    sheet = checks.duty_sheet(data)
    if sheet.missing:
        add(
            Gap(
                "A",
                f"第 {'、'.join(map(str, sheet.missing))} 项职责尚未明确工作标准和要求",
                _url("duties:sheet", office),
                "填写职责标准",
            )
        )
    for kind in checks.plans(data).missing:
        add(
            Gap(
                "A",
                f"{year}年{kind.label}未填报",
                _url("offices:plan_edit", office, year, kind.value),
                "填报",
            )
        )
    # (二) 队伍建设
    staffing = checks.staffing(data, standards.staffing_bands)
    if staffing.population is None:
        add(
            Gap(
                "B",
                f"{year}年服务人口和民政对象未填报,无法核定人员配备",
                _url("offices:facts_edit", office, year),
                "填报",
            )
        )
    elif not staffing.met:
        full_time, population, norm = staffing.full_time, staffing.population, staffing.norm
        add(
            Gap(
                "B",
                f"专职人员 {full_time} 人,服务人口 {population:,} 人应配 {norm} 人",
                _url("staffing:staff_list", office),
                "登记人员",
            )
        )
    if not checks.civil_servants(data, standards.min_civil_servants).met:
        add(Gap("B", "没有公务员身份的工作人员(一票否决项)", _url("staffing:staff_list", office), "登记人员"))
    training = checks.training(data)
    if training.untrained:
        names = "、".join(training.untrained[:6]) + ("等" if len(training.untrained) > 6 else "")
        add(
            Gap(
                "B",
                f"{year}年未参加培训:{names}",
                _url("staffing:staff_list", office) + f"?year={year}",
                "查看培训情况",
            )
        )
    if training.new_untrained:
        add(
            Gap(
                "B",
                f"新进人员未参加初任培训:{'、'.join(training.new_untrained)}",
                _url("staffing:staff_list", office),
                "查看",
            )
        )
    probation = checks.probation(data)
    if probation.director is None:
        add(Gap("B", "未登记民政办公室主任", _url("staffing:staff_list", office), "登记人员"))
    elif not probation.met:
        url = _url("staffing:probation_edit", office, probation.director.pk)
        add(Gap("B", "主任任前见习未登记", url, "登记见习"))
    # (三) 办公条件
    premises_url = _url("offices:premises_edit", office, year)
    place = checks.premises(data, standards.min_area_m2)
    if not place.filed:
        add(Gap("C", f"{year}年办公服务场所未填报", premises_url, "填报场所"))
    else:
        if not place.large_enough:
            add(
                Gap(
                    "C",
                    f"办公服务场所面积 {place.area} 平方米,低于 {place.minimum} 平方米",
                    premises_url,
                    "修改",
                )
            )
        if not place.fixed:
            add(Gap("C", "办公服务场所不固定", premises_url, "修改"))
        if not checks.emblem(data).met:
            add(Gap("C", "未在醒目位置悬挂民政标志或缺少照片", premises_url, "上传照片"))
        if not checks.equipment(data).listed:
            add(Gap("C", "办公服务用品清单未填报", premises_url, "填报"))
        if not checks.it_facilities(data).listed:
            add(Gap("C", "信息化设施清单未填报", premises_url, "填报"))
    # (四) 工作制度
    rules_url = _url("offices:rules", office) + f"?year={year}"
    for kind in PostedRuleKind:
        posted = checks.posted_rule(data, kind.value)
        if not posted.done:
            add(Gap("D", f"“{kind.label}”{year}年未上墙登记", rules_url, "登记"))
        elif not posted.met:
            add(Gap("D", f"“{kind.label}”缺少上墙照片", rules_url, "上传照片"))
    # (五) 办公经费
    funds = checks.budget(data, standards.min_budget)
    if funds.funds is None:
        add(Gap("E", f"{year}年办公经费未填报", _url("offices:budget_edit", office, year), "填报"))
    elif not funds.met:
        add(
            Gap(
                "E",
                f"保障办公经费 {funds.funds:,.2f} 元,低于 {funds.minimum:,.0f} 元",
                _url("offices:budget_edit", office, year),
                "修改",
            )
        )
    # (六) 职责履行
    records = checks.duty_records(data)
    if records.missing:
        add(
            Gap(
                "F",
                f"{year}年第 {'、'.join(map(str, records.missing))} 项职责没有工作台账",
                _url("duties:record_list", office) + f"?year={year}",
                "填报台账",
            )
        )
    # (七) 考核检查
    inspections = checks.internal_checks(data, standards.min_internal_checks)
    if not inspections.met:
        add(
            Gap(
                "G",
                f"{year}年内部检查 {inspections.count} 次,少于 {inspections.minimum} 次",
                _url("offices:check_list", office),
                "登记检查",
            )
        )
    return gaps


def office_gaps(office: Office, year: int) -> list[Gap]:
    return gaps_for([office], year)[office.pk]
