"""Background jobs: the zip of every county's award report for a year, built by the worker."""

from django.db import models

from assessment.choices import (
    ExportState,
)
from core.models import YEAR_VALIDATORS
from core.text import NOTE, length_limits


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
    State = ExportState  # templates compare with the choices, never with spelled values
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    fingerprint = models.CharField("数据指纹", max_length=64)
    file = models.CharField("文件", max_length=200, blank=True)
    queue_id = models.CharField("队列编号", max_length=64, blank=True)  # the job queue's id for it
    # Written by the worker only, cut to fit (assessment/reports/jobs.py).
    error = models.TextField("错误信息", max_length=NOTE, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报表批量生成任务"
        verbose_name_plural = "报表批量生成任务"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["year", "state"], name="exportjob_year_state")]
        constraints = length_limits("assessment_exportjob", fingerprint=64, file=200, queue_id=64, error=NOTE)

    def __str__(self) -> str:
        return f"{self.year}年以奖代补报表批量生成({self.get_state_display()})"

    @property
    def progress(self) -> int:
        """Per cent done, for the progress bar."""
        if self.state == ExportState.DONE:
            return 100
        return min(99, 100 * self.done // self.total) if self.total else 0
