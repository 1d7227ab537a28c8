"""以奖代补: the city's award standard with its score tiers, each county's matching subsidy, and the
payments due to towns. Amounts are in 元, Decimal with two places, never float."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from assessment.choices import (
    MatchingKind,
)
from assessment.models.catalog import POINTS, Programme
from core.models import YEAR_VALIDATORS, TrackedModel
from core.text import NOTE, length_limits

# -- award subsidies (以奖代补) and the background export of the reports ------------------------------
# The city pays each town a one-time award in the first confirmed year of a programme in which the
# town is 合格, and each county adds its matching subsidy (配套补助). Amounts are in 元, Decimal with
# two places, never float; assessment/subsidies/amounts.py computes them.

MONEY = {"max_digits": 12, "decimal_places": 2}


MONEY_VALIDATORS = [MinValueValidator(Decimal(0))]


class SubsidyStandard(TrackedModel):
    """The award standard of a programme (以奖代补标准): the city's one-time award per standardized
    town, optionally raised by score tiers (SubsidyTier)."""

    programme = models.OneToOneField(
        Programme, verbose_name="规范化建设行动", on_delete=models.CASCADE, related_name="subsidy_standard"
    )
    city_award = models.DecimalField("市级奖补基本标准(元/镇)", validators=MONEY_VALIDATORS, **MONEY)
    note = models.TextField("说明", max_length=NOTE, blank=True)

    class Meta:
        verbose_name = "以奖代补标准"
        verbose_name_plural = "以奖代补标准"
        constraints = [
            models.CheckConstraint(name="subsidystandard_award_not_negative", condition=Q(city_award__gte=0)),
            *length_limits("assessment_subsidystandard", note=NOTE),
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
    # The county sets its own standard; once the city locks it, only the city can unlock it.
    locked = models.BooleanField("市局已锁定", default=False)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)

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
    # The city's award and the county's matching are paid by different treasuries: each has its own
    # flag, date and document number (文号). `paid` is the city's award.
    paid = models.BooleanField("市级奖补已拨付", default=False)
    paid_on = models.DateField("市级奖补拨付日期", null=True, blank=True)
    document_no = models.CharField("市级奖补拨付文号", max_length=100, blank=True)
    county_paid = models.BooleanField("县级配套已拨付", default=False)
    county_paid_on = models.DateField("县级配套拨付日期", null=True, blank=True)
    county_document_no = models.CharField("县级配套拨付文号", max_length=100, blank=True)
    # A correction that turned this town's pass into a fail after payment: the city decides what to do.
    # Written by the corrections only, cut to fit (assessment/corrections/services.py).
    review_note = models.TextField("待市局处理事项", max_length=NOTE, blank=True)

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
                name="payment_county_paid_needs_date_and_document",
                condition=Q(county_paid=False)
                | (Q(county_paid_on__isnull=False) & ~Q(county_document_no="")),
                violation_error_message="标记县级配套已拨付须填写拨付日期和文号。",
            ),
            models.CheckConstraint(
                name="payment_amounts_not_negative",
                condition=Q(city_amount__gte=0) & Q(county_amount__gte=0),
            ),
            *length_limits(
                "assessment_payment",
                county_basis=100,
                document_no=100,
                county_document_no=100,
                review_note=NOTE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}年以奖代补"

    @property
    def total(self) -> Decimal:
        return self.city_amount + self.county_amount
