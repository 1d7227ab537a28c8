"""The default assessment catalog of DOMAIN.md: 100 points in 23 items. Loaded by a migration as the
catalog of 2010, the policy's first assessment year; the city bureau copies and edits it per year."""

from decimal import Decimal

DEFAULT_YEAR = 2010
DEFAULT_PASS_MARK = Decimal("85")
# Service population → full-time staff: under 30,000 two, 30,000–60,000 three, over 60,000 four.
DEFAULT_STAFFING_BANDS = [[29999, 2], [60000, 3], [None, 4]]

# (section, code, text, points, method, rule, params, veto)
DEFAULT_ITEMS: tuple[tuple, ...] = (
    ("A", "A1", "民政办公室牌子已增挂", 2, "records", "sign", {}, False),
    ("A", "A2", "民政办公室印章已刻制启用", 2, "records", "seal", {}, False),
    ("A", "A3", "14项职责的工作标准和要求已明确", 2, "records", "duty_sheet", {}, False),
    ("A", "A4", "年度工作计划和发展规划已制定", 4, "records", "plans", {}, False),
    ("B", "B1", "专职人员配备与服务人口、民政对象相适应", 6, "records", "staffing", {}, False),
    ("B", "B2", "公务员不少于一名", 4, "records", "civil_servant", {"min": 1}, True),
    ("B", "B3", "工作人员参加本年度县级培训、新进人员参加初任培训", 5, "records", "training", {}, False),
    ("B", "B4", "办公室主任任前见习", 2, "records", "probation", {}, False),
    ("B", "B5", "队伍年轻化、专业化", 3, "inspector", "", {}, False),
    ("C", "C1", "办公服务场所相对固定,面积不少于60平方米", 6, "records", "premises", {"min_area": 60}, False),
    ("C", "C2", "配备必需的办公服务用品", 3, "records", "equipment", {"min_items": 5}, False),
    ("C", "C3", "醒目位置悬挂民政标志", 2, "records", "emblem", {}, False),
    ("C", "C4", "信息化建设配套", 4, "records", "it", {"min_items": 3}, False),
    ("D", "D1", "民政办公室职责上墙", 2, "records", "posted_rule", {"kind": "office_duties"}, False),
    ("D", "D2", "工作人员岗位职责上墙", 2, "records", "posted_rule", {"kind": "post_duties"}, False),
    ("D", "D3", "民政工作服务指南上墙", 2, "records", "posted_rule", {"kind": "service_guide"}, False),
    ("D", "D4", "服务承诺制度上墙", 2, "records", "posted_rule", {"kind": "service_pledge"}, False),
    ("D", "D5", "作(行)风建设标准及监督办法上墙", 2, "records", "posted_rule", {"kind": "conduct"}, False),
    ("D", "D6", "有关政策法规和工作内容上墙", 2, "records", "posted_rule", {"kind": "policies"}, False),
    ("E", "E1", "办公经费有保障", 8, "records", "budget", {"min_amount": 20000}, False),
    ("F", "F1", "14项职责履行,有工作台账", 25, "records", "duty_records", {}, False),
    ("G", "G1", "镇(街道)经常检查制度执行情况", 4, "records", "internal_checks", {"min": 2}, False),
    ("G", "G2", "服务质量和群众满意度", 6, "inspector", "", {}, False),
)


def load_default_catalog(version_model, item_model, year: int = DEFAULT_YEAR):
    """Create the default catalog for `year` if that year has none; takes the model classes so the
    migration can pass its historical models. Returns the version."""
    version, created = version_model.objects.get_or_create(
        year=year, defaults={"pass_mark": DEFAULT_PASS_MARK, "staffing_bands": DEFAULT_STAFFING_BANDS}
    )
    if created:
        item_model.objects.bulk_create(
            item_model(
                catalog=version,
                section=section,
                code=code,
                text=text,
                points=Decimal(points),
                method=method,
                rule=rule,
                params=params,
                is_veto=veto,
                order=order,
            )
            for order, (section, code, text, points, method, rule, params, veto) in enumerate(
                DEFAULT_ITEMS, start=1
            )
        )
    return version
