"""The abstract bases of every record an office files: timestamps, an edit version and full history;
and the PDF renditions of Office documents among the evidence (Rendition).

They name their office by the string "offices.Office", so this ground floor imports no app."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.storage import evidence_storage
from core.text import NOTE, length_limits

# The policy dates from 2009: no record of the portal is about an earlier year.
YEAR_VALIDATORS = [MinValueValidator(2009), MaxValueValidator(2100)]


class TrackedModel(models.Model):
    """Base of every record: timestamps, an edit version (to refuse a stale save) and full history."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Raised by every save through a service; a form posts the version it was shown, and a save
    # from an outdated version is refused instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class OfficeRecord(TrackedModel):
    """A record filed by one office: it inherits its access rules through `office`."""

    office = models.ForeignKey("offices.Office", verbose_name="民政办", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class YearlyOfficeRecord(OfficeRecord):
    """A record an office files once per year."""

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)

    class Meta:
        abstract = True


class RenditionState(models.TextChoices):
    PENDING = "pending", "待转换"
    DONE = "done", "已转换"
    FAILED = "failed", "转换失败"


class Rendition(models.Model):
    """The PDF an Office document of the evidence is read through in the browser (core.renditions),
    made by LibreOffice in the background. One per stored file, found by the file's stored name; the
    original stays as uploaded, and it is what a download hands out."""

    source = models.CharField("原文件", max_length=200, unique=True)
    state = models.CharField(
        "状态", max_length=10, choices=RenditionState.choices, default=RenditionState.PENDING
    )
    pdf = models.FileField("PDF 文件", storage=evidence_storage, max_length=200, blank=True)
    error = models.TextField("失败原因", max_length=NOTE, blank=True)
    requested_at = models.DateTimeField("提交时间", auto_now_add=True)
    converted_at = models.DateTimeField("完成时间", null=True, blank=True)
    seconds = models.FloatField("转换用时(秒)", null=True, blank=True)

    class Meta:
        verbose_name = "文件转换"
        verbose_name_plural = "文件转换"
        constraints = length_limits("core_rendition", source=200, error=NOTE)

    def __str__(self) -> str:
        return f"{self.source}({self.get_state_display()})"
