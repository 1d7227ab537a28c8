"""更正: a request to change a record of a locked year (approved by the county, or confirmed by the
city), what it changes, who decided it and what it did to the score."""

from django.apps import apps
from django.db import models

from assessment.choices import CorrectionState, Level, Result
from assessment.models.catalog import POINTS
from assessment.models.workflow import Assessment
from core.models import YEAR_VALIDATORS, TrackedModel
from core.storage import evidence_storage, evidence_upload_to
from core.text import NOTE, length_limits


class Correction(TrackedModel):
    """One correction request. The record is named by its model label and id (none: a record to
    add); `changes` keeps, per field, the label, the value before and after as shown, and the value
    to write. Approved by the county while the year is open, by the city once it is confirmed."""

    office = models.ForeignKey(
        "offices.Office", verbose_name="民政办", on_delete=models.PROTECT, related_name="corrections"
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    assessment = models.ForeignKey(
        Assessment,
        verbose_name="考核",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
    )
    record_label = models.CharField("资料类型", max_length=100)
    record_id = models.PositiveIntegerField("资料编号", null=True, blank=True)
    record_text = models.CharField("更正的资料", max_length=200)
    changes = models.JSONField("更正内容", default=dict)
    problem = models.TextField("存在问题", max_length=NOTE)
    reason = models.TextField("更正理由", max_length=NOTE)
    evidence = models.FileField(
        "佐证材料", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )
    state = models.CharField(
        "状态", max_length=10, choices=CorrectionState.choices, default=CorrectionState.PENDING
    )
    State = CorrectionState  # templates compare with the choices, never with spelled values
    level = models.CharField("审核层级", max_length=10, choices=Level.choices)
    filed_by = models.ForeignKey(
        "portal.User", verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "portal.User",
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.TextField("审核意见", max_length=NOTE, blank=True)
    total_before = models.DecimalField("更正前得分", null=True, blank=True, **POINTS)
    total_after = models.DecimalField("更正后得分", null=True, blank=True, **POINTS)
    result_before = models.CharField("更正前结果", max_length=4, choices=Result.choices, blank=True)
    result_after = models.CharField("更正后结果", max_length=4, choices=Result.choices, blank=True)

    class Meta:
        verbose_name = "更正申请"
        verbose_name_plural = "更正申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "year"], name="correction_office_year")]
        constraints = length_limits(
            "assessment_correction",
            record_label=100,
            record_text=200,
            problem=NOTE,
            reason=NOTE,
            decision_note=NOTE,
        )

    def __str__(self) -> str:
        return f"{self.office} {self.year}年 更正:{self.record_text}"

    @property
    def change_list(self) -> list[dict]:
        """The changes in the record's field order (PostgreSQL's jsonb does not keep the keys' order)."""
        order = [f.name for f in apps.get_model(self.record_label)._meta.concrete_fields]
        names = sorted(self.changes, key=lambda n: order.index(n) if n in order else len(order))
        return [self.changes[name] for name in names]
