"""The city's divisions and each town office's own facts: profile, yearly figures, premises, rules,
plans, budget and internal checks."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.models import OfficeRecord, TrackedModel, YearlyOfficeRecord
from core.storage import evidence_storage, evidence_upload_to
from core.text import CONTENT, length_limits

from .choices import Equipment, ItFacility, PlanKind, PostedRuleKind, TownKind

YEAR_RANGE = Q(year__gte=2009) & Q(year__lte=2100)


def _year_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        name=name, condition=YEAR_RANGE, violation_error_message="年度须在 2009 至 2100 之间。"
    )


class County(models.Model):
    """A county-level division (县、市、区) of the city; its civil-affairs bureau assesses its towns."""

    code = models.CharField(
        "行政区划代码",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "行政区划代码须为 6 位数字。")],
    )
    name = models.CharField("名称", max_length=50)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "县(市、区)"
        verbose_name_plural = "县(市、区)"
        ordering = ["code"]
        permissions = [
            ("assess_county", "考核本县(市、区)各镇(街道)"),
        ]
        constraints = length_limits("offices_county", code=6, name=50)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("offices:county_detail", args=[self.code])


class Town(models.Model):
    """A town (镇) or street (街道). Two official code systems exist and disagree for 20 of Jiaxing's
    72 towns, sometimes naming a different town with the same digits: both are kept, never matched."""

    county = models.ForeignKey(
        County, verbose_name="县(市、区)", on_delete=models.PROTECT, related_name="towns"
    )
    code = models.CharField(
        "民政部行政区划代码",
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^\d{9}$", "民政部行政区划代码须为 9 位数字。")],
        help_text="民政部行政区划代码(9 位)。",
    )
    stat_code = models.CharField(
        "统计用区划代码",
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{12}$", "统计用区划代码须为 12 位数字。")],
        help_text="国家统计局统计用区划代码(12 位),与民政部代码相互独立。",
    )
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=4, choices=TownKind.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "镇(街道)"
        verbose_name_plural = "镇(街道)"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="town_unique_name_in_county"),
            *length_limits("offices_town", code=9, stat_code=12, name=50),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.code and self.county_id and not self.code.startswith(self.county.code):
            raise ValidationError({"code": "镇(街道)代码须以所属县(市、区)代码开头。"})


class Office(TrackedModel):
    """The civil-affairs office (民政办公室) of one town, usually a second sign on its social-affairs
    office; every record the portal keeps belongs to one office."""

    town = models.OneToOneField(
        Town, verbose_name="镇(街道)", on_delete=models.PROTECT, related_name="office"
    )
    name = models.CharField("名称", max_length=100)
    address = models.CharField("办公地址", max_length=200, blank=True)
    postcode = models.CharField(
        "邮政编码",
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", "邮政编码须为 6 位数字。")],
    )
    phone = models.CharField("办公电话", max_length=30, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系人电话", max_length=30, blank=True)
    sign_hung_on = models.DateField("民政办公室牌子增挂日期", null=True, blank=True)
    sign_photo = models.FileField(
        "牌子照片", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )
    seal_in_use_on = models.DateField("印章启用日期", null=True, blank=True)
    seal_photo = models.FileField(
        "印章印模照片", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )

    class Meta:
        verbose_name = "民政办"
        verbose_name_plural = "民政办"
        ordering = ["town__code"]
        permissions = [
            ("file_office", "填报本民政办资料"),
            ("assess_office", "考核本民政办"),
        ]
        constraints = length_limits(
            "offices_office",
            name=100,
            address=200,
            postcode=6,
            phone=30,
            contact_name=50,
            contact_phone=30,
        )

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("offices:office_detail", args=[self.town.code])


class OfficeYearFacts(YearlyOfficeRecord):
    """The year's service population and civil-affairs beneficiaries, which set the staffing norm."""

    service_population = models.PositiveIntegerField("服务人口(常住人口)")
    dibao_count = models.PositiveIntegerField("低保对象(人)", default=0)
    tekun_count = models.PositiveIntegerField("特困(五保、三无)供养对象(人)", default=0)
    youfu_count = models.PositiveIntegerField("优抚对象(人)", default=0)
    other_count = models.PositiveIntegerField("其他民政对象(人)", default=0)

    class Meta:
        verbose_name = "年度基本情况"
        verbose_name_plural = "年度基本情况"
        ordering = ["office", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="yearfacts_one_per_office_year"),
            _year_check("yearfacts_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}年基本情况"

    @property
    def beneficiary_total(self) -> int:
        return self.dibao_count + self.tekun_count + self.youfu_count + self.other_count


class Premises(YearlyOfficeRecord):
    """The office and service premises as they stood in a year: area, equipment, IT, emblem."""

    area_m2 = models.DecimalField(
        "面积(平方米)", max_digits=8, decimal_places=2, validators=[MinValueValidator(0.01, "面积须大于 0。")]
    )
    is_fixed = models.BooleanField("场所相对固定", default=True)
    address = models.CharField("场所地址", max_length=200, blank=True)
    equipment = models.JSONField("办公服务用品", default=list, blank=True)
    it_facilities = models.JSONField("信息化设施", default=list, blank=True)
    emblem_displayed = models.BooleanField("醒目位置悬挂民政标志", default=False)
    emblem_photo = models.FileField(
        "民政标志照片", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )
    photo = models.FileField(
        "场所照片", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )

    class Meta:
        verbose_name = "办公服务场所"
        verbose_name_plural = "办公服务场所"
        ordering = ["office", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="premises_one_per_office_year"),
            models.CheckConstraint(
                name="premises_area_positive",
                condition=Q(area_m2__gt=0),
                violation_error_message="面积须大于 0。",
            ),
            _year_check("premises_year_range"),
            *length_limits("offices_premises", address=200),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}年办公服务场所"

    def clean(self) -> None:
        super().clean()
        for field, choices in (("equipment", Equipment), ("it_facilities", ItFacility)):
            values = getattr(self, field) or []
            unknown = [v for v in values if v not in choices.values]
            if not isinstance(values, list) or unknown:
                raise ValidationError({field: f"不认识的清单项:{', '.join(map(str, unknown))}。"})

    @property
    def equipment_labels(self) -> list[str]:
        return [Equipment(v).label for v in self.equipment if v in Equipment.values]

    @property
    def it_labels(self) -> list[str]:
        return [ItFacility(v).label for v in self.it_facilities if v in ItFacility.values]


class PostedRule(YearlyOfficeRecord):
    """One of the six rules posted on the office wall, confirmed with a photo or scan each year."""

    kind = models.CharField("制度", max_length=20, choices=PostedRuleKind.choices)
    posted_on = models.DateField("上墙日期", null=True, blank=True)
    photo = models.FileField(
        "上墙照片或扫描件", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "上墙制度"
        verbose_name_plural = "上墙制度"
        ordering = ["office", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "kind"], name="postedrule_one_per_kind_year"),
            _year_check("postedrule_year_range"),
            *length_limits("offices_postedrule", note=200),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}年 {self.get_kind_display()}"

    @property
    def is_pdf(self) -> bool:
        return self.photo.name.lower().endswith(".pdf") if self.photo else False


class Plan(YearlyOfficeRecord):
    """The year's work plan or the development plan in force, as a document."""

    kind = models.CharField("类别", max_length=20, choices=PlanKind.choices)
    title = models.CharField("标题", max_length=200)
    adopted_on = models.DateField("制定日期", null=True, blank=True)
    summary = models.TextField("主要内容", max_length=CONTENT, blank=True)
    document = models.FileField(
        "文件", storage=evidence_storage, upload_to=evidence_upload_to, max_length=200, blank=True
    )

    class Meta:
        verbose_name = "计划与规划"
        verbose_name_plural = "计划与规划"
        ordering = ["office", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "kind"], name="plan_one_per_kind_year"),
            _year_check("plan_year_range"),
            *length_limits("offices_plan", title=200, summary=CONTENT),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}年 {self.get_kind_display()}"


class Budget(YearlyOfficeRecord):
    """The running budget the town guarantees its office for a year, and what was spent (元)."""

    guaranteed_funds = models.DecimalField(
        "保障办公经费(元)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0, "金额不能为负数。")],
    )
    spending = models.DecimalField(
        "实际支出(元)",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0, "金额不能为负数。")],
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "办公经费"
        verbose_name_plural = "办公经费"
        ordering = ["office", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="budget_one_per_office_year"),
            models.CheckConstraint(
                name="budget_amounts_not_negative",
                condition=Q(guaranteed_funds__gte=0) & Q(spending__gte=0),
                violation_error_message="金额不能为负数。",
            ),
            _year_check("budget_year_range"),
            *length_limits("offices_budget", note=200),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}年办公经费"


class InternalCheck(OfficeRecord):
    """The town's own regular check of how its office keeps its rules (section 七)."""

    checked_on = models.DateField("检查日期")
    checked_by = models.CharField("检查人", max_length=100)
    scope = models.CharField("检查内容", max_length=200)
    findings = models.TextField("发现问题", max_length=CONTENT, blank=True)
    follow_up = models.TextField("整改措施", max_length=CONTENT, blank=True)

    class Meta:
        verbose_name = "内部检查"
        verbose_name_plural = "内部检查"
        ordering = ["office", "-checked_on"]
        indexes = [models.Index(fields=["office", "checked_on"], name="internalcheck_office_date")]
        constraints = length_limits(
            "offices_internalcheck", checked_by=100, scope=200, findings=CONTENT, follow_up=CONTENT
        )

    def __str__(self) -> str:
        return f"{self.office} {self.checked_on:%Y-%m-%d} 内部检查"


__all__ = [
    "Budget",
    "County",
    "InternalCheck",
    "Office",
    "OfficeYearFacts",
    "Plan",
    "PostedRule",
    "Premises",
    "Town",
]
