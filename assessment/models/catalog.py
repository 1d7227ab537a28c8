"""The city's configuration: a programme of standardization (usually three years), and the catalog of
each year with its items, points, pass mark and staffing bands."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from assessment.choices import (
    Method,
    Rule,
    Section,
)
from core.models import YEAR_VALIDATORS, TrackedModel
from core.text import NOTE, length_limits

POINTS = {"max_digits": 6, "decimal_places": 2}


class Programme(TrackedModel):
    """A three-year programme (规范化建设三年行动): every town standardized by its end."""

    name = models.CharField("名称", max_length=100)
    start_year = models.PositiveSmallIntegerField("起始年度", validators=YEAR_VALIDATORS)
    years = models.PositiveSmallIntegerField(
        "年数", default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    note = models.TextField("说明", max_length=NOTE, blank=True)

    class Meta:
        verbose_name = "规范化建设行动"
        verbose_name_plural = "规范化建设行动"
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["start_year"], name="programme_one_per_start_year"),
            models.CheckConstraint(name="programme_years_positive", condition=Q(years__gte=1)),
            *length_limits("assessment_programme", name=100, note=NOTE),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def end_year(self) -> int:
        return self.start_year + self.years - 1

    @property
    def year_range(self) -> range:
        return range(self.start_year, self.end_year + 1)

    @property
    def names_its_years(self) -> bool:
        """Most names already say them (“……三年行动(2010—2012年)”); a label must not say them twice."""
        return str(self.start_year) in self.name and str(self.end_year) in self.name

    @property
    def label(self) -> str:
        """The name with the years, said once."""
        return self.name if self.names_its_years else f"{self.name}({self.start_year}–{self.end_year}年)"


def staffing_norm(bands, population: int) -> int:
    """The full-time staff a service population needs under `bands`, [[upper bound inclusive or None,
    staff], ...] in rising order; 0 without bands. The one implementation of the norm: it lives here,
    on the floor below the standard, because the catalog's own method may not import upwards; the
    standard (assessment.standard.thresholds) reads it from here."""
    for upper, staff in bands:
        if upper is None or population <= upper:
            return int(staff)
    return int(bands[-1][1]) if bands else 0


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
        return staffing_norm(self.staffing_bands, population)


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
    Method = Method  # templates compare with the choices, never with spelled values
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
            *length_limits("assessment_catalogitem", code=10, text=200),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"
