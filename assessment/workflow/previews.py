"""What each irreversible step will do and what is still unfinished, for the page that asks first.

Reads only. The services check the same conditions again and have the last word: a blocker here
only disables the button."""

from dataclasses import dataclass, field

from assessment.choices import AssessmentState, CountyState, Method, Result, YearState
from assessment.models import Assessment, AssessmentYear, CountyResult
from assessment.workflow import selectors
from assessment.workflow.city_services import sample_size, unfinished


@dataclass
class Preview:
    """What a confirmation page says before an irreversible step: what it will do, what is still
    unfinished (a warning), what makes it impossible now (the button is disabled), and whether a
    comment is asked for ("required", "optional" or "")."""

    title: str
    submit: str
    does: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    comment: str = ""
    comment_label: str = "意见"
    danger: bool = False
    rows: list["PreviewRow"] = field(default_factory=list)  # a step on several towns: one row each


@dataclass
class PreviewRow:
    """One town of a step taken on several at once (批量审定): what the step does to it, or why it
    cannot be taken for it now (it is then skipped)."""

    code: str
    name: str
    does: str
    blockers: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return bool(self.blockers)


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _town(assessment: Assessment) -> str:
    return assessment.office.town.name


def _closed(assessment: Assessment) -> list[str]:
    if assessment.assessment_year.state != YearState.OPEN:
        return [f"{assessment.assessment_year.year}年度考核已确认,结果已冻结。"]
    return []


def self_submit(assessment: Assessment) -> Preview:
    sheet = selectors.score_sheet(assessment)
    unmet = [
        f"{s.item.code} {s.item.text}:{s.figures or '未达标'}"
        for s in sheet.scores
        if s.item.method == Method.RECORDS and not s.not_applicable and not s.met
    ]
    county = assessment.office.town.county.name
    blockers = _closed(assessment)
    if assessment.state not in (AssessmentState.DRAFT, AssessmentState.RETURNED):
        blockers.append("自评已提交,不能重复提交。")
    return Preview(
        title=f"提交{assessment.assessment_year.year}年度自评",
        submit="确认提交",
        does=[
            f"把{_town(assessment)}{assessment.assessment_year.year}年度的自评提交{county}考核,"
            f"按当前台账自动计分 {sheet.points} 分(现场评分项目由县级评分)。",
            "提交后本年度的台账资料锁定:县级退回前不能修改、新增或删除本年度资料。",
        ],
        unfinished=[f"{len(unmet)} 项台账未达标(仍可提交):", *unmet] if unmet else [],
        blockers=blockers,
    )


def county_approve(assessment: Assessment) -> Preview:
    sheet = selectors.score_sheet(assessment)
    blockers = _closed(assessment)
    if assessment.state != AssessmentState.SUBMITTED:
        blockers.append("只有已提交的自评可以审定。")
    if sheet.total.pending_items:
        pending = [
            s.item.code
            for s in sheet.scores
            if s.item.method == Method.INSPECTOR and not s.not_applicable and s.final_points is None
        ]
        blockers.append(f"还有 {sheet.total.pending_items} 项现场评分项目未评分:{'、'.join(pending)}。")
    if assessment.visit_date is None:
        blockers.append("请先填写实地考核日期。")
    result = Result(sheet.result).label if sheet.result else "待评分"
    return Preview(
        title=f"审定{_town(assessment)}{assessment.assessment_year.year}年度考核",
        submit="确认审定",
        does=[
            f"以 {sheet.points} 分、{result} 审定{_town(assessment)}的考核。",
            "审定后得分保持审定时的结果,不再随台账变化;本年度资料对镇(街道)只读,"
            "县级退回或市局退回前不能修改。",
        ],
        blockers=blockers,
        comment="optional",
        comment_label="审定意见",
    )


def _approve_row(row: selectors.TownRow) -> PreviewRow:
    """What approving one town of a bulk approval does, or why it cannot be approved: the checks of
    `county_approve`, read from the town's row (no query)."""
    a = row.assessment
    blockers = []
    if a.state != AssessmentState.SUBMITTED:
        blockers.append(f"状态为“{a.get_state_display()}”:只有已提交的自评可以审定。")
    if row.pending:
        blockers.append(f"还有 {row.pending} 项现场评分项目未评分:{'、'.join(row.pending_items)}。")
    if a.visit_date is None:
        blockers.append("未填写实地考核日期。")
    result = Result(row.result).label if row.result else "待评分"
    points = f"{row.total:.2f} 分" if row.total is not None else "无得分"
    return PreviewRow(a.office.town.code, a.office.town.name, f"以 {points}、{result} 审定", blockers)


def county_approve_many(
    year: AssessmentYear, result: CountyResult | None, rows: list[selectors.TownRow]
) -> Preview:
    """批量审定: each ticked town with what approval will do to it or why it cannot be approved now.
    Those that cannot are skipped (listed, not approved); the step is refused only when none can be
    approved, or when the county cannot approve at all (the year confirmed, the results reported)."""
    listed = [_approve_row(row) for row in rows]
    ready = [r for r in listed if not r.skipped]
    skipped = [r for r in listed if r.skipped]
    blockers = []
    if year.state != YearState.OPEN:
        blockers.append(f"{year.year}年度考核已确认,结果已冻结。")
    elif result is not None and result.state not in (CountyState.OPEN, CountyState.RETURNED):
        blockers.append(f"{result.county}的考核结果已上报市局,不能再审定;如需修改请由市局退回。")
    if not listed:
        blockers.append("没有勾选镇(街道):请在本县考核情况的列表中勾选要审定的镇(街道)。")
    elif not ready:
        blockers.append("所勾选的镇(街道)均不能审定,原因见下表。")
    county = result.county.name if result is not None else ""
    return Preview(
        title=f"批量审定{county}{year.year}年度考核",
        submit=f"确认审定 {len(ready)} 个镇(街道)",
        does=[
            f"审定 {len(ready)} 个镇(街道):{'、'.join(r.name for r in ready) or '无'};得分和结果见下表。",
            "审定后得分保持审定时的结果,不再随台账变化;这些镇(街道)本年度资料只读,"
            "县级退回或市局退回前不能修改。",
            "全部审定或全部不审定:确认时如其中一个镇(街道)已不能审定(例如刚被他人退回),"
            "则一个也不审定,并提示是哪一个。",
        ],
        unfinished=[
            f"{len(skipped)} 个镇(街道)暂不能审定,将跳过(不审定):"
            f"{'、'.join(r.name for r in skipped)};原因见下表。"
        ]
        if skipped and ready
        else [],
        blockers=blockers,
        comment="optional",
        comment_label="审定意见(填写后记入每个镇(街道)的考核)",
        rows=listed,
    )


def county_return(assessment: Assessment) -> Preview:
    approved = assessment.state == AssessmentState.APPROVED
    blockers = _closed(assessment)
    if assessment.state not in (AssessmentState.SUBMITTED, AssessmentState.APPROVED):
        blockers.append("只有已提交或已审定的考核可以退回镇(街道)。")
    return Preview(
        title=f"退回{_town(assessment)}的考核",
        submit="确认退回",
        does=[
            ("撤销审定,并" if approved else "") + f"把考核退回{_town(assessment)}修改;",
            "退回后本年度资料对镇(街道)解锁,镇(街道)修改后须重新提交。",
        ],
        blockers=blockers,
        comment="required",
        comment_label="退回意见(说明需要修改的内容)",
        danger=True,
    )


def county_submit(result: CountyResult) -> Preview:
    rows = list(
        result.assessment_year.assessments.filter(office__town__county=result.county)
        .select_related("office__town")
        .order_by("office__town__code")
    )
    waiting = [a.office.town.name for a in rows if a.state != AssessmentState.APPROVED]
    blockers = []
    if result.assessment_year.state != YearState.OPEN:
        blockers.append("本年度考核已确认。")
    if result.state not in (CountyState.OPEN, CountyState.RETURNED):
        blockers.append("考核结果已上报。")
    if waiting:
        blockers.append(f"还有 {len(waiting)} 个镇(街道)未审定:{'、'.join(waiting)}。")
    return Preview(
        title=f"上报{result.county.name}{result.assessment_year.year}年度考核结果",
        submit="确认上报市局",
        does=[
            f"把{result.county.name} {len(rows)} 个镇(街道)的审定结果上报市民政局。",
            "上报后不能再评分、审定或退回,除非市局退回;市局随后从本县抽取督查样本。",
        ],
        blockers=blockers,
        comment="optional",
    )


def sample_county(result: CountyResult) -> Preview:
    towns = result.county.towns.count()
    blockers = []
    if result.assessment_year.state != YearState.OPEN:
        blockers.append("本年度考核已确认。")
    if result.state != CountyState.SUBMITTED:
        blockers.append(f"{result.county.name}尚未上报考核结果:样本只从已上报的县(市、区)中抽取。")
    if result.sample_seed:
        blockers.append(f"{result.county.name}的督查样本已抽取(种子 {result.sample_seed})。")
    return Preview(
        title=f"抽取{result.county.name}的督查样本",
        submit="确认抽取",
        does=[
            f"从{result.county.name}的 {towns} 个镇(街道)中随机抽取 "
            f"{sample_size(result.assessment_year, towns)} 个进行市级督查评分。",
            "抽取只能进行一次,不能重抽;种子记入流程记录,用同一种子可重现同样的抽样。",
        ],
        blockers=blockers,
    )


def sample_reported(year: AssessmentYear) -> Preview:
    results = list(year.county_results.select_related("county").order_by("county__code"))
    ready = [r.county.name for r in results if r.state == CountyState.SUBMITTED and not r.sample_seed]
    waiting = [r.county.name for r in results if r.state != CountyState.SUBMITTED]
    blockers = [] if ready else ["没有已上报且尚未抽样的县(市、区)。"]
    return Preview(
        title=f"抽取{year.year}年度督查样本",
        submit="确认抽取",
        does=[
            f"为已上报的 {len(ready)} 个县(市、区)各自随机抽取督查样本:{'、'.join(ready) or '无'}。",
            "每个县(市、区)只抽取一次,种子分别记入流程记录。",
        ],
        unfinished=[f"{len(waiting)} 个县(市、区)尚未上报,上报后再抽取:{'、'.join(waiting)}"]
        if waiting
        else [],
        blockers=blockers,
    )


def city_return_county(result: CountyResult) -> Preview:
    blockers = [] if result.state == CountyState.SUBMITTED else ["只有已上报的结果可以退回。"]
    return Preview(
        title=f"退回{result.county.name}的考核结果",
        submit="确认退回县级",
        does=[
            f"把{result.county.name}的考核结果退回县级;各镇(街道)的审定保持不变,",
            "县级可撤回需要修改的镇(街道)的审定,修改后重新上报。",
        ],
        blockers=blockers,
        comment="required",
        comment_label="退回意见(说明需要修改的内容)",
        danger=True,
    )


def city_return_town(assessment: Assessment) -> Preview:
    blockers = _closed(assessment)
    if assessment.state != AssessmentState.APPROVED:
        blockers.append("只有县级已审定的考核可以由市局退回。")
    return Preview(
        title=f"退回{_town(assessment)}的考核",
        submit="确认退回镇(街道)",
        does=[
            f"撤销{_town(assessment)}的县级审定,退回镇(街道)修改,本年度资料解锁;",
            f"{assessment.office.town.county.name}的考核结果退回县级,须重新审定该镇(街道)后再上报;"
            "本县其他镇(街道)的审定保持不变。",
        ]
        + (["该镇(街道)为抽查镇,重新上报后须重新进行市级督查评分。"] if assessment.sampled else []),
        blockers=blockers,
        comment="required",
        comment_label="退回意见(说明需要修改的内容)",
        danger=True,
    )


def waive(assessment: Assessment) -> Preview:
    blockers = _closed(assessment)
    if assessment.city_scored_at is not None:
        blockers.append("该镇(街道)已有市级督查评分。")
    return Preview(
        title=f"{_town(assessment)}免于市级督查评分",
        submit="确认免于评分",
        does=["不进行市级督查评分,以县级审定结果确认;理由记入流程记录,并在督查结果中显示。"],
        blockers=blockers,
        comment="required",
        comment_label="免于评分的理由",
    )


def year_confirm(year: AssessmentYear) -> Preview:
    left = unfinished(year)
    blockers = left.messages
    if year.state != YearState.OPEN:
        blockers = [f"{year.year}年度考核已确认。"]
    return Preview(
        title=f"确认{year.year}年度考核结果",
        submit=f"确认{year.year}年度考核结果",
        does=[
            f"冻结{year.year}年度全部镇(街道)的考核结果;此后本年度资料只读,只能通过更正申请修改。",
            "未达标的项目生成整改任务,整改期限为"
            + (_day(year.rectification_due) + "。" if year.rectification_due else "确认之日起 90 天。"),
            "首次合格的镇(街道)计入以奖代补资金。",
        ],
        blockers=blockers,
        comment="optional",
    )


def county_reopen(assessment: Assessment) -> Preview:
    blockers = _closed(assessment)
    if assessment.state != AssessmentState.APPROVED:
        blockers.append("只有已审定的考核可以撤回审定。")
    return Preview(
        title=f"撤回{_town(assessment)}的审定",
        submit="确认撤回审定",
        does=[
            f"撤销{_town(assessment)}的审定,回到县级评分:可以修改评分后重新审定。",
            "本年度资料对镇(街道)仍然锁定;如需镇(街道)修改资料,请退回镇(街道)。",
        ],
        blockers=blockers,
        comment="required",
        comment_label="撤回理由",
        danger=True,
    )
