from django.db import models


class Section(models.TextChoices):
    """The policy's sections (规范化建设的主要内容), which group the catalog's items."""

    A = "A", "(一)机构和职责"
    B = "B", "(二)队伍建设"
    C = "C", "(三)办公条件"
    D = "D", "(四)工作制度"
    E = "E", "(五)办公经费"
    F = "F", "(六)职责履行"
    G = "G", "(七)考核检查"


class Method(models.TextChoices):
    RECORDS = "records", "依据台账资料自动计分"
    INSPECTOR = "inspector", "考核人员现场评分"


class Rule(models.TextChoices):
    """The named rules that score an item from an office's records (see assessment/rules.py)."""

    SIGN = "sign", "牌子已增挂(日期和照片)"
    SEAL = "seal", "印章已启用(日期和照片)"
    DUTY_SHEET = "duty_sheet", "适用职责均已明确标准和要求"
    PLANS = "plans", "年度计划和发展规划均已制定"
    STAFFING = "staffing", "专职人员达到配备标准"
    CIVIL_SERVANT = "civil_servant", "公务员人数"
    TRAINING = "training", "参训人员比例"
    PROBATION = "probation", "主任任前见习"
    PREMISES = "premises", "场所固定且面积达标"
    EQUIPMENT = "equipment", "办公服务用品清单"
    EMBLEM = "emblem", "悬挂民政标志(照片)"
    IT = "it", "信息化设施清单"
    POSTED_RULE = "posted_rule", "制度上墙(当年照片)"
    BUDGET = "budget", "办公经费不低于最低标准"
    DUTY_RECORDS = "duty_records", "适用职责当年均有工作台账"
    INTERNAL_CHECKS = "internal_checks", "内部检查次数"


class AssessmentState(models.TextChoices):
    DRAFT = "draft", "自评中"
    SUBMITTED = "submitted", "已提交县级考核"
    RETURNED = "returned", "已退回镇(街道)"
    APPROVED = "approved", "县级已审定"
    CONFIRMED = "confirmed", "市级已确认"


# Assessments the county has handed on (or the town has handed to the county).
SUBMITTED_STATES = (AssessmentState.SUBMITTED, AssessmentState.APPROVED, AssessmentState.CONFIRMED)

# Assessments whose score the county stands by: the only ones counted as results while a year runs.
DECIDED_STATES = (AssessmentState.APPROVED, AssessmentState.CONFIRMED)


class CountyState(models.TextChoices):
    OPEN = "open", "考核中"
    SUBMITTED = "submitted", "已报市局"
    RETURNED = "returned", "市局已退回"
    CONFIRMED = "confirmed", "市局已确认"


class YearState(models.TextChoices):
    OPEN = "open", "考核进行中"
    CONFIRMED = "confirmed", "已确认"


class Result(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class WorkflowStep(models.TextChoices):
    """Every step of the workflow, as kept in the log."""

    OPEN_YEAR = "open_year", "开启年度考核"
    SELF_SUBMIT = "self_submit", "镇(街道)提交自评"
    RETURN_TO_TOWN = "return_to_town", "县级退回镇(街道)"
    APPROVE = "approve", "县级审定"
    COUNTY_SUBMIT = "county_submit", "县级上报市局"
    DRAW_SAMPLE = "draw_sample", "市局抽取督查样本"
    RETURN_TO_COUNTY = "return_to_county", "市局退回县级"
    CONFIRM_YEAR = "confirm_year", "市局确认年度结果"
    REOPEN = "reopen", "县级撤回审定"
    RETURN_TOWN_BY_CITY = "city_return_town", "市局退回镇(街道)"
    CITY_SCORE = "city_score", "市局督查评分"
    WAIVE_CITY_SCORE = "waive_city_score", "市局免于督查评分"
    CLOSE_TASK = "close_task", "整改完成"
    VERIFY_TASK = "verify_task", "县级整改验收"
    REOPEN_TASK = "reopen_task", "县级退回整改"
    CORRECTION_FILED = "correction_filed", "提交更正申请"
    CORRECTION_APPROVED = "correction_ok", "批准更正"
    CORRECTION_REJECTED = "correction_no", "驳回更正"


class TaskState(models.TextChoices):
    OPEN = "open", "整改中"
    CLOSED = "closed", "待县级验收"
    VERIFIED = "verified", "已验收"


class CorrectionState(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已更正"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"


class Level(models.TextChoices):
    """Who decides: the county before the year is confirmed, the city after."""

    COUNTY = "county", "县级"
    CITY = "city", "市级"


class MatchingKind(models.TextChoices):
    AMOUNT = "amount", "按固定金额"
    SHARE = "share", "按市级奖补的比例"


class ExportState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "生成失败"
