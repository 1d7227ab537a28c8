"""Forms of the subsidy pages: the programme's award standard with its score tiers, the counties'
matching subsidies (all of them on the city's page, one on a county's), and marking a part of the
payments paid. They only read and check what was typed; the rules (who may do what, locks, a paid part
never changing) live in assessment.subsidies.services."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from assessment.choices import MatchingKind
from core.dates import WORK
from offices.models import County

TIER_ROWS = 4
MONEY_FIELD = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal(0)}


def _money(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control", "inputmode": "decimal"}),
        **MONEY_FIELD,
    )


class StandardForm(forms.Form):
    """The city's award per standardized town and up to four higher tiers by score."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    city_award = _money("市级奖补基本标准(元/镇)")
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i in range(TIER_ROWS):
            self.fields[f"tier_min_{i}"] = forms.DecimalField(
                label=f"第 {i + 1} 档:得分不低于",
                required=False,
                max_digits=5,
                decimal_places=2,
                validators=[MinValueValidator(0), MaxValueValidator(100)],
                widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control"}),
            )
            self.fields[f"tier_amount_{i}"] = _money(f"第 {i + 1} 档:奖补金额(元/镇)", required=False)

    def tier_rows(self) -> list[tuple]:
        return [(self[f"tier_min_{i}"], self[f"tier_amount_{i}"]) for i in range(TIER_ROWS)]

    def clean(self) -> dict:
        data = super().clean()
        tiers, seen = [], set()
        for i in range(TIER_ROWS):
            minimum, amount = data.get(f"tier_min_{i}"), data.get(f"tier_amount_{i}")
            if minimum is None and amount is None:
                continue
            if minimum is None or amount is None:
                self.add_error(
                    f"tier_min_{i}" if minimum is None else f"tier_amount_{i}",
                    "分档须同时填写最低得分和金额。",
                )
                continue
            if minimum in seen:
                self.add_error(f"tier_min_{i}", "分档的最低得分不能重复。")
                continue
            seen.add(minimum)
            tiers.append((minimum, amount))
        data["tiers"] = sorted(tiers)
        return data


def _kind_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "未设定"), *MatchingKind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


def _value_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=3,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"step": "0.001", "class": "form-control form-control-sm"}),
    )


def value_error(kind: str, value: Decimal | None) -> str:
    """What is wrong with a matching's value for its kind ("" when nothing)."""
    if kind and value is None:
        return "请填写配套金额或比例。"
    if kind == MatchingKind.AMOUNT and value is not None and value != value.quantize(Decimal("0.01")):
        return "金额最多保留两位小数(分)。"
    if kind == MatchingKind.SHARE and value is not None and value > 10:
        return "比例为市级奖补的倍数,如 0.5 即 50%,不能超过 10。"
    return ""


class MatchingForm(forms.Form):
    """Every county's matching subsidy (the city's page): a kind (or none) and its value, one row per
    county, with the version each row was shown at."""

    def __init__(self, *args, counties: list[County], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.counties = counties
        for county in counties:
            self.fields[f"kind_{county.code}"] = _kind_field(f"{county.name}配套方式")
            self.fields[f"value_{county.code}"] = _value_field(f"{county.name}配套金额或比例")
            self.fields[f"version_{county.code}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )

    def rows(self) -> list[tuple]:
        """(county, kind field, value field, version field, the rule in force in words, its
        matching row) per county."""
        bases = getattr(self, "bases", {})
        matchings = getattr(self, "matchings", {})
        return [
            (
                c,
                self[f"kind_{c.code}"],
                self[f"value_{c.code}"],
                self[f"version_{c.code}"],
                bases.get(c.code, "未设定"),
                matchings.get(c.code),
            )
            for c in self.counties
        ]

    def clean(self) -> dict:
        data = super().clean()
        entries = []
        for county in self.counties:
            kind, value = data.get(f"kind_{county.code}") or "", data.get(f"value_{county.code}")
            error = value_error(kind, value)
            if error:
                self.add_error(f"value_{county.code}", error)
            entries.append((county, kind, value if kind else None, data.get(f"version_{county.code}")))
        data["entries"] = entries
        return data


class CountyMatchingForm(forms.Form):
    """One county's matching subsidy (the county's own page): a kind (or none) and its value."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = _kind_field("配套方式")
    value = _value_field("配套金额(元/镇)或比例")

    def clean(self) -> dict:
        data = super().clean()
        kind, value = data.get("kind") or "", data.get("value")
        error = value_error(kind, value)
        if error:
            self.add_error("value", error)
        data["kind"], data["value"] = kind, value if kind else None
        return data


class MarkPaidForm(forms.Form):
    """The date and the document (资金下达文号) under which payments were made."""

    paid_on = forms.DateField(
        label="拨付日期",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    document_no = forms.CharField(
        label="拨付文号",
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "如 嘉民〔2011〕18号"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        WORK.apply(self.fields["paid_on"])

    def clean_document_no(self) -> str:
        value = self.cleaned_data["document_no"].strip()
        if not value:
            raise forms.ValidationError("请填写拨付文号。")
        return value
