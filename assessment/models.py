"""The annual assessment: the programme, the catalog of items per year, each office's assessment with
its item scores, the county's and the city's steps, the spot-check sample, and rectification tasks."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.models import YEAR_VALIDATORS, TrackedModel
from core.storage import evidence_storage, evidence_upload_to

from .choices import Action, AssessmentState, CountyState, Method, Result, Rule, Section, TaskState, YearState

POINTS = {"max_digits": 6, "decimal_places": 2}


class Programme(TrackedModel):
    """A three-year programme (规范化建设三年行动): every town standardized by its end."""

    name = models.CharField("名称", max_length=100)
    start_year = models.PositiveSmallIntegerField("起始年度", validators=YEAR_VALIDATORS)
    years = models.PositiveSmallIntegerField(
        "年数", default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "规范化建设行动"
        verbose_name_plural = "规范化建设行动"
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["start_year"], name="programme_one_per_start_year"),
            models.CheckConstraint(name="programme_years_positive", condition=Q(years__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def end_year(self) -> int:
        return self.start_year + self.years - 1

    @property
    def year_range(self) -> range:
        return range(self.start_year, self.end_year + 1)


class CatalogVersion(TrackedModel):
    """The assessment catalog of one year: items, points, pass mark and the standard's parameters.

    The city copies last year's and edits it; once a year is opened on it, it is locked, so a year's
    results always keep the version they were scored on."""

    year = models.PositiveSmallIntegerField("年度", unique=True, validators=YEAR_VALIDATORS)
    pass_mark = models.DecimalField("合格分数线", default=Decimal("85"), **POINTS)
    # [[population upper bound or null, full-time staff], ...] in rising order.
    staffing_bands = models.JSONField("专职人员配备标准", default=list)
    locked = models.BooleanField("已锁定", default=False)
    copied_from = models.ForeignKey(
        "self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "考核细则"
        verbose_name_plural = "考核细则"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年考核细则"

    def staffing_norm(self, population: int) -> int:
        for upper, staff in self.staffing_bands:
            if upper is None or population <= upper:
                return int(staff)
        return int(self.staffing_bands[-1][1]) if self.staffing_bands else 0


class CatalogItem(TrackedModel):
    """One item of a year's catalog: what is assessed, for how many points, and how it is scored."""

    # Named `catalog`, not `version`: every record already has an integer `version` (its edit version).
    catalog = models.ForeignKey(
        CatalogVersion, verbose_name="考核细则", on_delete=models.CASCADE, related_name="items"
    )
    section = models.CharField("类别", max_length=1, choices=Section.choices)
    code = models.CharField("编号", max_length=10)
    text = models.CharField("考核内容", max_length=200)
    points = models.DecimalField("分值", validators=[MinValueValidator(0)], **POINTS)
    method = models.CharField("计分方式", max_length=10, choices=Method.choices)
    rule = models.CharField("计分规则", max_length=20, choices=Rule.choices, blank=True)
    params = models.JSONField("规则参数", default=dict, blank=True)
    is_veto = models.BooleanField("一票否决", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["catalog", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="catalogitem_unique_code"),
            models.CheckConstraint(
                name="catalogitem_rule_for_records",
                condition=Q(method=Method.INSPECTOR, rule="") | (Q(method=Method.RECORDS) & ~Q(rule="")),
                violation_error_message="依据台账计分的项目须选择计分规则;现场评分的项目不选规则。",
            ),
            models.CheckConstraint(name="catalogitem_points_not_negative", condition=Q(points__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class AssessmentYear(TrackedModel):
    """One year's assessment, opened by the city on a catalog version and, at the end, confirmed."""

    year = models.PositiveSmallIntegerField("年度", unique=True, validators=YEAR_VALIDATORS)
    programme = models.ForeignKey(
        Programme, verbose_name="规范化建设行动", on_delete=models.PROTECT, related_name="assessment_years"
    )
    catalog = models.OneToOneField(
        CatalogVersion, verbose_name="考核细则", on_delete=models.PROTECT, related_name="assessment_year"
    )
    state = models.CharField("状态", max_length=10, choices=YearState.choices, default=YearState.OPEN)
    self_assessment_due = models.DateField("自评截止日期", null=True, blank=True)
    county_due = models.DateField("县级上报截止日期", null=True, blank=True)
    sample_rate = models.DecimalField(
        "督查抽样比例",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(1)],
    )
    sample_seed = models.CharField("抽样种子", max_length=64, blank=True)
    sampled_at = models.DateTimeField("抽样时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度考核"


class CountyResult(TrackedModel):
    """A county's results for a year, which it submits to the city when all its towns are approved."""

    assessment_year = models.ForeignKey(
        AssessmentYear, verbose_name="年度考核", on_delete=models.CASCADE, related_name="county_results"
    )
    county = models.ForeignKey(
        "offices.County",
        verbose_name="县(市、区)",
        on_delete=models.PROTECT,
        related_name="assessment_results",
    )
    state = models.CharField("状态", max_length=10, choices=CountyState.choices, default=CountyState.OPEN)
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)

    class Meta:
        verbose_name = "县级考核结果"
        verbose_name_plural = "县级考核结果"
        ordering = ["assessment_year", "county__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment_year", "county"], name="countyresult_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.assessment_year}"


class Assessment(TrackedModel):
    """One office's assessment in one year: its self-assessment, the county's scoring, the city's
    spot-check and the final, frozen result."""

    assessment_year = models.ForeignKey(
        AssessmentYear, verbose_name="年度考核", on_delete=models.CASCADE, related_name="assessments"
    )
    office = models.ForeignKey(
        "offices.Office", verbose_name="民政办", on_delete=models.PROTECT, related_name="assessments"
    )
    state = models.CharField(
        "状态", max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    self_note = models.TextField("自评说明", blank=True)
    visit_date = models.DateField("实地考核日期", null=True, blank=True)
    inspectors = models.CharField("考核人员", max_length=200, blank=True)
    county_comment = models.TextField("县级意见", blank=True)
    sampled = models.BooleanField("市级抽查", default=False)
    city_comment = models.TextField("市级督查意见", blank=True)
    total = models.DecimalField("得分", null=True, blank=True, **POINTS)
    city_total = models.DecimalField("市级督查得分", null=True, blank=True, **POINTS)
    veto_failed = models.BooleanField("一票否决未通过", default=False)
    result = models.CharField("结果", max_length=4, choices=Result.choices, blank=True)
    frozen_at = models.DateTimeField("结果确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核"
        verbose_name_plural = "考核"
        ordering = ["assessment_year", "office__town__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment_year", "office"], name="assessment_one_per_office_year"
            ),
            models.CheckConstraint(
                name="assessment_total_range",
                condition=Q(total__isnull=True) | (Q(total__gte=0) & Q(total__lte=100)),
            ),
        ]
        indexes = [models.Index(fields=["assessment_year", "state"], name="assessment_year_state")]

    def __str__(self) -> str:
        return f"{self.office} {self.assessment_year.year}年考核"


class ItemScore(TrackedModel):
    """The score of one catalog item for one assessment: computed from records (with the figures
    used), or given by the inspector; overridable with a reason; with the town's note and evidence
    and, for sampled towns, the city's own score."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        CatalogItem, verbose_name="考核项目", on_delete=models.PROTECT, related_name="scores"
    )
    computed_points = models.DecimalField("自动计分", null=True, blank=True, **POINTS)
    figures = models.CharField("计分依据", max_length=500, blank=True)
    met = models.BooleanField("达标", default=False)
    inspector_points = models.DecimalField("考核人员评分", null=True, blank=True, **POINTS)
    override_reason = models.CharField("调整理由", max_length=300, blank=True)
    not_applicable = models.BooleanField("不适用", default=False)
    not_applicable_reason = models.CharField("不适用理由", max_length=300, blank=True)
    town_note = models.TextField("自评说明", blank=True)
    town_evidence = models.FileField(
        "自评佐证材料", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )
    city_points = models.DecimalField("市级督查评分", null=True, blank=True, **POINTS)
    city_note = models.CharField("市级督查说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "考核项目得分"
        verbose_name_plural = "考核项目得分"
        ordering = ["assessment", "item__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="itemscore_one_per_item"),
            models.CheckConstraint(
                name="itemscore_override_needs_reason",
                condition=Q(inspector_points__isnull=True)
                | ~Q(override_reason="")
                | Q(computed_points__isnull=True),
                violation_error_message="调整自动计分须说明理由。",
            ),
            models.CheckConstraint(
                name="itemscore_na_needs_reason",
                condition=Q(not_applicable=False) | ~Q(not_applicable_reason=""),
                violation_error_message="标记为不适用须说明理由。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.item.code}"

    @property
    def office_id(self) -> int:
        return self.assessment.office_id

    @property
    def final_points(self) -> Decimal | None:
        """What counts: nothing if not applicable, the inspector's score if given, else the computed one."""
        if self.not_applicable:
            return None
        if self.inspector_points is not None:
            return self.inspector_points
        return self.computed_points

    @property
    def overridden(self) -> bool:
        return self.inspector_points is not None and self.computed_points is not None


class WorkflowEvent(models.Model):
    """Who moved an assessment, a county's results or a year forward or back, when, and why."""

    assessment_year = models.ForeignKey(
        AssessmentYear, verbose_name="年度考核", on_delete=models.CASCADE, related_name="events"
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name="考核",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    county = models.ForeignKey(
        "offices.County",
        verbose_name="县(市、区)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        "portal.User", verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "考核流程记录"
        verbose_name_plural = "考核流程记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class RectificationTask(TrackedModel):
    """A failed item of a confirmed year, which the town puts right by a due date (整改)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="tasks"
    )
    office = models.ForeignKey(
        "offices.Office", verbose_name="民政办", on_delete=models.PROTECT, related_name="rectification_tasks"
    )
    item = models.ForeignKey(CatalogItem, verbose_name="考核项目", on_delete=models.PROTECT, related_name="+")
    problem = models.CharField("存在问题", max_length=500)
    due_date = models.DateField("整改期限")
    state = models.CharField("状态", max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    close_note = models.TextField("整改情况", blank=True)
    evidence = models.FileField(
        "整改佐证材料", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        ordering = ["state", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="task_one_per_failed_item"),
            models.CheckConstraint(
                name="task_closed_needs_note",
                condition=Q(state=TaskState.OPEN) | ~Q(close_note=""),
                violation_error_message="完成整改须填写整改情况。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.item.code} 整改"


__all__ = [
    "Assessment",
    "AssessmentYear",
    "CatalogItem",
    "CatalogVersion",
    "CountyResult",
    "ItemScore",
    "Programme",
    "RectificationTask",
    "WorkflowEvent",
]


# -- award subsidies (以奖代补) and the background export of the reports ------------------------------
# The city pays each town a one-time award in the first confirmed year of a programme in which the
# town is 合格, and each county adds its matching subsidy (配套补助). Amounts are in 元, Decimal with
# two places, never float; assessment/subsidies.py computes them.

MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_VALIDATORS = [MinValueValidator(Decimal(0))]


class SubsidyStandard(TrackedModel):
    """The award standard of a programme (以奖代补标准): the city's one-time award per standardized
    town, optionally raised by score tiers (SubsidyTier)."""

    programme = models.OneToOneField(
        Programme, verbose_name="规范化建设行动", on_delete=models.CASCADE, related_name="subsidy_standard"
    )
    city_award = models.DecimalField("市级奖补基本标准(元/镇)", validators=MONEY_VALIDATORS, **MONEY)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "以奖代补标准"
        verbose_name_plural = "以奖代补标准"
        constraints = [
            models.CheckConstraint(name="subsidystandard_award_not_negative", condition=Q(city_award__gte=0))
        ]

    def __str__(self) -> str:
        return f"{self.programme} 以奖代补标准"


class SubsidyTier(TrackedModel):
    """A higher award for a higher score: the highest tier whose minimum the town's total reaches
    applies instead of the base amount."""

    standard = models.ForeignKey(
        SubsidyStandard, verbose_name="以奖代补标准", on_delete=models.CASCADE, related_name="tiers"
    )
    min_score = models.DecimalField(
        "得分不低于", validators=[MinValueValidator(0), MaxValueValidator(100)], **POINTS
    )
    amount = models.DecimalField("奖补金额(元/镇)", validators=MONEY_VALIDATORS, **MONEY)

    class Meta:
        verbose_name = "以奖代补分档标准"
        verbose_name_plural = "以奖代补分档标准"
        ordering = ["standard", "min_score"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "min_score"], name="subsidytier_unique_min_score"),
            models.CheckConstraint(name="subsidytier_amount_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"得分≥{self.min_score}:{self.amount} 元"


class MatchingKind(models.TextChoices):
    AMOUNT = "amount", "按固定金额"
    SHARE = "share", "按市级奖补的比例"


class CountyMatching(TrackedModel):
    """A county's matching subsidy (配套补助) per standardized town of a programme: a fixed amount, or
    a share of the city's award to that town."""

    programme = models.ForeignKey(
        Programme, verbose_name="规范化建设行动", on_delete=models.CASCADE, related_name="county_matchings"
    )
    county = models.ForeignKey(
        "offices.County",
        verbose_name="县(市、区)",
        on_delete=models.PROTECT,
        related_name="subsidy_matchings",
    )
    kind = models.CharField("配套方式", max_length=10, choices=MatchingKind.choices)
    amount = models.DecimalField(
        "配套金额(元/镇)", null=True, blank=True, validators=MONEY_VALIDATORS, **MONEY
    )
    share = models.DecimalField(
        "配套比例",
        max_digits=5,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
        help_text="市级奖补金额的倍数,如 0.500 即市级奖补的 50%。",
    )

    class Meta:
        verbose_name = "县级配套标准"
        verbose_name_plural = "县级配套标准"
        ordering = ["programme", "county__code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "county"], name="countymatching_one_per_county"),
            models.CheckConstraint(
                name="countymatching_value_for_kind",
                condition=Q(kind=MatchingKind.AMOUNT, amount__isnull=False, amount__gte=0, share__isnull=True)
                | Q(kind=MatchingKind.SHARE, share__isnull=False, share__gte=0, amount__isnull=True),
                violation_error_message="按固定金额配套须填写金额,按比例配套须填写比例。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} 配套标准"


class Payment(TrackedModel):
    """The award to one town under one programme, paid once: the year it fell due (the first
    confirmed year in which the town was 合格), the city's and the county's amounts, and whether and
    under which document it was paid (已拨付). A paid payment never changes."""

    programme = models.ForeignKey(
        Programme, verbose_name="规范化建设行动", on_delete=models.PROTECT, related_name="payments"
    )
    office = models.ForeignKey(
        "offices.Office", verbose_name="民政办", on_delete=models.PROTECT, related_name="subsidy_payments"
    )
    year = models.PositiveSmallIntegerField("奖补年度", validators=YEAR_VALIDATORS)
    score = models.DecimalField("考核得分", **POINTS)
    city_amount = models.DecimalField("市级奖补(元)", validators=MONEY_VALIDATORS, **MONEY)
    county_amount = models.DecimalField("县级配套(元)", validators=MONEY_VALIDATORS, **MONEY)
    county_basis = models.CharField("配套依据", max_length=100, blank=True)
    paid = models.BooleanField("已拨付", default=False)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    document_no = models.CharField("拨付文号", max_length=100, blank=True)

    class Meta:
        verbose_name = "以奖代补资金"
        verbose_name_plural = "以奖代补资金"
        ordering = ["programme", "year", "office__town__code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "office"], name="payment_once_per_programme"),
            models.CheckConstraint(
                name="payment_paid_needs_date_and_document",
                condition=Q(paid=False) | (Q(paid_on__isnull=False) & ~Q(document_no="")),
                violation_error_message="标记为已拨付须填写拨付日期和文号。",
            ),
            models.CheckConstraint(
                name="payment_amounts_not_negative",
                condition=Q(city_amount__gte=0) & Q(county_amount__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}年以奖代补"

    @property
    def total(self) -> Decimal:
        return self.city_amount + self.county_amount


class ExportState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "生成失败"


class ExportJob(models.Model):
    """A zip of every county's award report and the city summary of a year, made by the background
    worker. The file is kept, and handed out again, while the data it was made from is unchanged
    (`fingerprint`); a change makes the next request build a new one."""

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    requested_by = models.ForeignKey(
        "portal.User", verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    state = models.CharField("状态", max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    fingerprint = models.CharField("数据指纹", max_length=64)
    file = models.CharField("文件", max_length=200, blank=True)
    task_id = models.CharField("后台任务", max_length=64, blank=True)
    error = models.TextField("错误信息", blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报表批量生成任务"
        verbose_name_plural = "报表批量生成任务"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["year", "state"], name="exportjob_year_state")]

    def __str__(self) -> str:
        return f"{self.year}年以奖代补报表批量生成({self.get_state_display()})"

    @property
    def progress(self) -> int:
        """Per cent done, for the progress bar."""
        if self.state == ExportState.DONE:
            return 100
        return min(99, 100 * self.done // self.total) if self.total else 0


__all__ += [
    "CountyMatching",
    "ExportJob",
    "ExportState",
    "MatchingKind",
    "Payment",
    "SubsidyStandard",
    "SubsidyTier",
]
