"""A year's assessment: the year the city opens, each county's result, each office's assessment with
its item scores, the workflow log, and the rectification tasks (整改) that follow a confirmed year."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessment.choices import (
    AssessmentState,
    CountyState,
    Result,
    TaskState,
    WorkflowStep,
    YearState,
)
from assessment.models.catalog import POINTS, CatalogItem, CatalogVersion, Programme
from core.models import YEAR_VALIDATORS, TrackedModel
from core.storage import evidence_storage, evidence_upload_to
from core.text import CONTENT, NOTE, clip, length_limits


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
    State = YearState  # templates compare with the choices, never with spelled values
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
    difference_threshold = models.DecimalField(
        "市县评分差异阈值(分)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(100)],
        help_text="市级督查得分与县级审定得分相差超过此分值时,须填写差异说明。",
    )
    rectification_due = models.DateField("整改截止日期", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year"]
        constraints = length_limits("assessment_assessmentyear", sample_seed=64)

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
    State = CountyState  # templates compare with the choices, never with spelled values
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)
    # The city draws this county's sample once the county has reported; the seed makes it reproducible.
    sample_seed = models.CharField("抽样种子", max_length=64, blank=True)
    sampled_at = models.DateTimeField("抽样时间", null=True, blank=True)

    class Meta:
        verbose_name = "县级考核结果"
        verbose_name_plural = "县级考核结果"
        ordering = ["assessment_year", "county__code"]
        constraints = [
            models.UniqueConstraint(fields=["assessment_year", "county"], name="countyresult_one_per_year"),
            *length_limits("assessment_countyresult", sample_seed=64),
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
    State = AssessmentState  # templates compare with the choices, never with spelled values
    # The overall note of the self-assessment is longer content; its form allowed 5,000 before.
    self_note = models.TextField("自评说明", max_length=CONTENT, blank=True)
    visit_date = models.DateField("实地考核日期", null=True, blank=True)
    inspectors = models.CharField("考核人员", max_length=200, blank=True)
    county_comment = models.TextField("县级意见", max_length=NOTE, blank=True)
    sampled = models.BooleanField("市级抽查", default=False)
    city_comment = models.TextField("市级督查意见", max_length=NOTE, blank=True)
    city_visit_date = models.DateField("督查日期", null=True, blank=True)
    city_inspectors = models.CharField("督查人员", max_length=200, blank=True)
    city_scored_at = models.DateTimeField("市级督查评分时间", null=True, blank=True)
    difference_note = models.TextField("市县评分差异说明", max_length=NOTE, blank=True)
    waiver_reason = models.TextField("免于市级评分理由", max_length=NOTE, blank=True)
    approved_at = models.DateTimeField("县级审定时间", null=True, blank=True)
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
            *length_limits(
                "assessment_assessment",
                self_note=CONTENT,
                inspectors=200,
                county_comment=NOTE,
                city_comment=NOTE,
                city_inspectors=200,
                difference_note=NOTE,
                waiver_reason=NOTE,
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
    town_note = models.TextField("自评说明", max_length=NOTE, blank=True)
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
            *length_limits(
                "assessment_itemscore",
                figures=500,
                override_reason=300,
                not_applicable_reason=300,
                town_note=NOTE,
                city_note=300,
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
    action = models.CharField("操作", max_length=20, choices=WorkflowStep.choices)
    actor = models.ForeignKey(
        "portal.User", verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("意见", max_length=NOTE, blank=True)

    class Meta:
        verbose_name = "考核流程记录"
        verbose_name_plural = "考核流程记录"
        ordering = ["-at", "-id"]
        constraints = length_limits("assessment_workflowevent", comment=NOTE)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    @classmethod
    def log(
        cls, year_id: int, action: str, actor, *, assessment=None, county=None, comment: str = ""
    ) -> "WorkflowEvent":
        """Record a step: the one way every service writes the log.

        The comment is often composed by the service (a correction's record and its decision note,
        the towns of a sample), so it is cut to fit here: a log line never refuses the step."""
        return cls.objects.create(
            assessment_year_id=year_id,
            assessment=assessment,
            county=county,
            action=action,
            actor=actor,
            comment=clip(comment, NOTE),
        )

    @classmethod
    def log_many(cls, year_id: int, action: str, actor, *, assessments, comment: str = "") -> None:
        """Record one step taken on several assessments at once (批量审定): a row for each, as `log`
        writes it, in one statement."""
        cls.objects.bulk_create(
            cls(
                assessment_year_id=year_id,
                assessment=assessment,
                action=action,
                actor=actor,
                comment=clip(comment, NOTE),
            )
            for assessment in assessments
        )


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
    # What the town did to put it right is longer content; its form allowed 5,000 before.
    close_note = models.TextField("整改情况", max_length=CONTENT, blank=True)
    evidence = models.FileField(
        "整改佐证材料", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    review_comment = models.TextField("验收意见", max_length=NOTE, blank=True)
    verified_at = models.DateTimeField("验收时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        "portal.User",
        verbose_name="验收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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
            *length_limits(
                "assessment_rectificationtask", problem=500, close_note=CONTENT, review_comment=NOTE
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.item.code} 整改"

    @property
    def overdue(self) -> bool:
        """As `rectification_selectors.overdue_q`: open past the due date, or reported after it."""
        if self.state == TaskState.OPEN:
            return self.due_date < timezone.localdate()
        if self.state == TaskState.CLOSED and self.closed_at is not None:
            return self.closed_at.date() > self.due_date
        return False
