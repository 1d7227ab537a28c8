"""The people of each office, the training the city and counties give them, and director probation."""

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from core.models import OfficeRecord, TrackedModel
from core.text import CONTENT, length_limits

from .choices import Education, EmploymentType, Post, Sex, TrainingKind, TrainingLevel


class StaffMember(OfficeRecord):
    """A person working in an office's civil-affairs work. No ID-card number: the policy needs none."""

    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=20, choices=Education.choices)
    employment_type = models.CharField("人员性质", max_length=20, choices=EmploymentType.choices)
    is_full_time = models.BooleanField("专职", default=True, help_text="专职从事民政工作;兼职请取消勾选。")
    post = models.CharField("职务", max_length=10, choices=Post.choices, default=Post.STAFF)
    social_work_qualified = models.BooleanField("持有社会工作者职业资格", default=False)
    started_on = models.DateField("到岗日期")
    ended_on = models.DateField("离岗日期", null=True, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["office", "ended_on", "post", "started_on", "id"]
        indexes = [models.Index(fields=["office", "ended_on"], name="staff_office_ended")]
        constraints = [
            models.CheckConstraint(
                name="staff_end_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=F("started_on")),
                violation_error_message="离岗日期须晚于到岗日期。",
            ),
            models.CheckConstraint(
                name="staff_born_before_start",
                condition=Q(birth_date__lt=F("started_on")),
                violation_error_message="出生日期须早于到岗日期。",
            ),
            # One person once per office: the import matches by name, and the database keeps two
            # racing imports (or a double save) from registering the same person twice. Two different
            # people of the same name are told apart by their birth dates.
            models.UniqueConstraint(
                fields=["office", "name", "birth_date"],
                name="staff_once_per_office",
                violation_error_message="本办已登记同名、同出生日期的工作人员,请勿重复登记。",
            ),
            *length_limits("staffing_staffmember", name=50, phone=30),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # No page of its own: the roster row, on the tab the person is listed under.
        url = reverse("staffing:staff_list", args=[self.office.town.code])
        return f"{url}{'?left=1' if self.ended_on else ''}#staff-{self.pk}"

    def age_on(self, day: dt.date) -> int:
        """Full years of age on a day, as the roster shows it."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class TrainingEvent(TrackedModel):
    """A training course held by the city (every 3 years) or by a county (every year)."""

    level = models.CharField("主办层级", max_length=10, choices=TrainingLevel.choices)
    Level = TrainingLevel  # templates compare with the choices, never with spelled values
    county = models.ForeignKey(
        "offices.County",
        verbose_name="主办县(市、区)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_events",
    )
    kind = models.CharField("培训类别", max_length=10, choices=TrainingKind.choices)
    title = models.CharField("培训名称", max_length=200)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    location = models.CharField("地点", max_length=200, blank=True)
    content = models.TextField("培训内容", max_length=CONTENT, blank=True)

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="training_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期。",
            ),
            models.CheckConstraint(
                name="training_county_matches_level",
                condition=Q(level=TrainingLevel.CITY, county__isnull=True)
                | Q(level=TrainingLevel.COUNTY, county__isnull=False),
                violation_error_message="县级培训须注明主办县(市、区),市级培训不注明。",
            ),
            *length_limits("staffing_trainingevent", title=200, location=200, content=CONTENT),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%Y-%m-%d} {self.title}"


class TrainingAttendance(TrackedModel):
    """That one staff member attended one training event."""

    event = models.ForeignKey(
        TrainingEvent, verbose_name="培训", on_delete=models.CASCADE, related_name="attendances"
    )
    staff = models.ForeignKey(
        StaffMember, verbose_name="工作人员", on_delete=models.CASCADE, related_name="attendances"
    )
    passed = models.BooleanField("考核合格", default=True)

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        ordering = ["event", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["event", "staff"], name="attendance_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} 参加 {self.event}"


class DirectorProbation(TrackedModel):
    """A director's pre-appointment probation (任前见习), which the policy asks counties to try."""

    staff = models.ForeignKey(
        StaffMember, verbose_name="见习人员", on_delete=models.CASCADE, related_name="probations"
    )
    starts_on = models.DateField("见习开始日期")
    ends_on = models.DateField("见习结束日期")
    place = models.CharField("见习单位", max_length=200)
    assessment = models.CharField("见习鉴定", max_length=200, blank=True)

    class Meta:
        verbose_name = "主任任前见习"
        verbose_name_plural = "主任任前见习"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="probation_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期。",
            ),
            *length_limits("staffing_directorprobation", place=200, assessment=200),
        ]

    def __str__(self) -> str:
        return f"{self.staff} 任前见习"
