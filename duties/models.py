"""The 14 statutory duties of a town office, each office's standards for them, and its work records."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.models import OfficeRecord, TrackedModel
from core.storage import evidence_storage, evidence_upload_to
from core.text import CONTENT, NOTE, length_limits


class Duty(models.Model):
    """One of the 14 duties listed in section (一) of the 2009 policy, with its exact text.

    Reference data: loaded by a migration, never edited in the portal."""

    number = models.PositiveSmallIntegerField(
        "序号", unique=True, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    name = models.CharField("简称", max_length=30)
    # One sentence of the policy (the longest is under 100 characters): a note's limit is ample.
    text = models.TextField("职责原文", max_length=NOTE)

    class Meta:
        verbose_name = "法定职责"
        verbose_name_plural = "法定职责"
        ordering = ["number"]
        constraints = length_limits("duties_duty", name=30, text=NOTE)

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class DutySheetEntry(OfficeRecord):
    """An office's 工作职责、工作标准和工作要求 for one duty, or why the duty does not apply to it."""

    duty = models.ForeignKey(
        Duty, verbose_name="职责", on_delete=models.PROTECT, related_name="sheet_entries"
    )
    responsibilities = models.TextField("工作职责", max_length=CONTENT, blank=True)
    standard = models.TextField("工作标准", max_length=CONTENT, blank=True)
    requirements = models.TextField("工作要求", max_length=CONTENT, blank=True)
    not_applicable = models.BooleanField("不适用", default=False)
    not_applicable_reason = models.CharField("不适用原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "职责标准"
        verbose_name_plural = "职责标准"
        ordering = ["office", "duty__number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "duty"], name="dutysheet_one_per_office_duty"),
            models.CheckConstraint(
                name="dutysheet_na_needs_reason",
                condition=Q(not_applicable=False) | ~Q(not_applicable_reason=""),
                violation_error_message="标记为不适用时须说明原因。",
            ),
            models.CheckConstraint(
                name="dutysheet_applicable_needs_standard",
                condition=Q(not_applicable=True) | (~Q(standard="") & ~Q(requirements="")),
                violation_error_message="适用的职责须填写工作标准和工作要求。",
            ),
            *length_limits(
                "duties_dutysheetentry",
                responsibilities=CONTENT,
                standard=CONTENT,
                requirements=CONTENT,
                not_applicable_reason=200,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.duty}"


class DutyRecord(OfficeRecord):
    """A piece of work done under a duty (工作台账): what, when, and the evidence for it."""

    duty = models.ForeignKey(Duty, verbose_name="职责", on_delete=models.PROTECT, related_name="records")
    date = models.DateField("日期")
    title = models.CharField("标题", max_length=200)
    content = models.TextField("工作内容", max_length=CONTENT, blank=True)
    created_by = models.ForeignKey(
        "portal.User",
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "工作台账"
        verbose_name_plural = "工作台账"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["office", "date"], name="dutyrecord_office_date"),
            models.Index(fields=["office", "duty", "date"], name="dutyrecord_office_duty_date"),
        ]
        constraints = [
            # The import's matching rule, kept by the database: two imports (or two saves) racing
            # each other cannot file the same record twice.
            models.UniqueConstraint(
                fields=["office", "duty", "date", "title"],
                name="dutyrecord_once_per_day_title",
                violation_error_message="本办已有同一职责、同一日期、同一标题的工作台账,请修改已有的台账。",
            ),
            *length_limits("duties_dutyrecord", title=200, content=CONTENT),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        # Reads the office's town: where many records are shown, load it with select_related("office__town").
        return reverse("duties:record_detail", args=[self.office.town.code, self.pk])


class DutyRecordAttachment(TrackedModel):
    """An evidence file (a photo, a PDF, a Word or Excel document) attached to a duty record."""

    record = models.ForeignKey(
        DutyRecord, verbose_name="工作台账", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        "portal.User",
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "台账附件"
        verbose_name_plural = "台账附件"
        ordering = ["record", "id"]
        constraints = length_limits("duties_dutyrecordattachment", original_name=255, content_type=100)

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_pdf(self) -> bool:
        # The stored type was recognised from the file's content when it was uploaded.
        return self.content_type == "application/pdf"

    @property
    def office_id(self) -> int:
        # Files are stored per office, like the record they belong to.
        return self.record.office_id
