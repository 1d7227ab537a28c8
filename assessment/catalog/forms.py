"""Forms of the city's configuration: programmes, copying a catalog, a catalog's pass mark and staffing
norm, and its items with their scoring rules. They check what a user typed, with the message next to
the field; whether the step is allowed at all (a locked catalog) is the services' rule."""

from decimal import Decimal

from django import forms

from assessment.choices import Method, Rule
from assessment.models import CatalogItem, CatalogVersion, Programme
from core.dates import year_problem
from core.forms import BootstrapMixin, RecordForm
from offices.choices import PostedRuleKind

POINTS_FIELD = {"max_digits": 6, "decimal_places": 2, "min_value": Decimal(0)}


class ProgrammeForm(BootstrapMixin, forms.ModelForm):
    """A new programme (规范化建设三年行动)."""

    class Meta:
        model = Programme
        fields = ["name", "start_year", "years", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "years": "默认三年:在行动期内每年考核一次,行动结束时各镇(街道)均应达到规范化建设标准。",
        }
        error_messages = {"start_year": {"unique": "该起始年度已有规范化建设行动。"}}


class CatalogCopyForm(BootstrapMixin, forms.Form):
    """Start a year's catalog from another year's."""

    source = forms.ModelChoiceField(
        label="复制自",
        queryset=CatalogVersion.objects.order_by("-year"),
        empty_label=None,
        error_messages={"required": "请选择要复制的考核细则。", "invalid_choice": "请选择要复制的考核细则。"},
    )
    year = forms.IntegerField(
        label="新年度",
        error_messages={"required": "请填写新考核细则的年度。", "invalid": "年度须为整数,如 2013。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].label_from_instance = lambda v: f"{v.year}年考核细则"

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if problem := year_problem(year):
            raise forms.ValidationError(problem)
        return year


# -- the pass mark and the staffing norm --------------------------------------------------------------


class CatalogForm(RecordForm):
    """The pass mark and the staffing norm of a catalog. The norm is edited as rows of "population up
    to / full-time staff", in rising order, and a last open-ended row for larger populations; one
    empty row is offered to add a band, and a row cleared entirely is removed."""

    top_staff = forms.IntegerField(
        label="超过以上人口的专职人数",
        min_value=1,
        max_value=99,
        error_messages={"required": "请填写最后一档的专职人数。", "min_value": "专职人数至少为 1 人。"},
    )
    band_rows = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=20)

    class Meta:
        model = CatalogVersion
        fields = ["pass_mark"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bands = list(self.instance.staffing_bands or [])
        bounded = [b for b in bands if b[0] is not None]
        if self.is_bound:
            try:
                count = max(0, min(20, int(self.data.get("band_rows", 0))))
            except (TypeError, ValueError):
                count = 0
        else:
            count = len(bounded) + 1
        self.initial.setdefault("band_rows", count)
        if bands and bands[-1][0] is None:
            self.initial.setdefault("top_staff", bands[-1][1])
        self.band_names: list[tuple[str, str]] = []
        for i in range(count):
            upper, staff = f"upper_{i}", f"staff_{i}"
            self.fields[upper] = forms.IntegerField(
                label=f"第 {i + 1} 档人口上限",
                required=False,
                min_value=1,
                error_messages={"min_value": "人口上限须大于 0。", "invalid": "请填写整数。"},
            )
            self.fields[staff] = forms.IntegerField(
                label=f"第 {i + 1} 档专职人数",
                required=False,
                min_value=1,
                max_value=99,
                error_messages={"min_value": "专职人数至少为 1 人。", "invalid": "请填写整数。"},
            )
            if i < len(bounded):
                self.initial.setdefault(upper, bounded[i][0])
                self.initial.setdefault(staff, bounded[i][1])
            self.band_names.append((upper, staff))
        self.fields["pass_mark"].help_text = "总分达到分数线且一票否决项目均达标,为合格(达到规范化建设标准)。"
        # The mixin styled the fields that existed before these rows were added.
        for name in [n for pair in self.band_names for n in pair]:
            self.fields[name].widget.attrs["class"] = "form-control"

    def band_fields(self) -> list[tuple]:
        """The bounded rows as (population field, staff field) pairs, for the template."""
        return [(self[u], self[s]) for u, s in self.band_names]

    def clean_pass_mark(self) -> Decimal:
        mark = self.cleaned_data["pass_mark"]
        if not Decimal(0) < mark <= Decimal(100):
            raise forms.ValidationError("合格分数线须大于 0 且不超过 100 分。")
        return mark

    def clean(self):
        data = super().clean()
        bands: list[list] = []
        previous_upper, previous_staff = 0, 0
        for upper_name, staff_name in self.band_names:
            if upper_name in self.errors or staff_name in self.errors:
                continue  # already told what is wrong with this row
            upper, staff = data.get(upper_name), data.get(staff_name)
            if upper is None and staff is None:
                continue  # an empty row: nothing to add, or a band removed
            if upper is None:
                self.add_error(upper_name, "请填写人口上限,或清空本行以删除该档。")
                continue
            if staff is None:
                self.add_error(staff_name, "请填写专职人数,或清空本行以删除该档。")
                continue
            if upper <= previous_upper:
                self.add_error(upper_name, f"人口上限须高于上一档({previous_upper:,} 人),按从小到大填写。")
            if staff < previous_staff:
                self.add_error(staff_name, f"专职人数不能少于上一档({previous_staff} 人)。")
            bands.append([upper, staff])
            previous_upper, previous_staff = max(previous_upper, upper), max(previous_staff, staff)
        top = data.get("top_staff")
        if top is not None:
            if top < previous_staff:
                self.add_error("top_staff", f"专职人数不能少于上一档({previous_staff} 人)。")
            bands.append([None, top])
        data["staffing_bands"] = bands
        return data

    def save(self, commit: bool = True) -> CatalogVersion:
        self.instance.staffing_bands = self.cleaned_data["staffing_bands"]
        return super().save(commit=commit)


# -- an item of a catalog ---------------------------------------------------------------------------

# The parameters each rule reads (see assessment.standard.rules): form field → key in `params`.
RULE_PARAMS: dict[str, dict[str, str]] = {
    Rule.PREMISES: {"min_area": "min_area"},
    Rule.BUDGET: {"min_amount": "min_amount"},
    Rule.CIVIL_SERVANT: {"min_civil_servants": "min"},
    Rule.INTERNAL_CHECKS: {"min_checks": "min"},
    Rule.EQUIPMENT: {"min_equipment": "min_items"},
    Rule.IT: {"min_it": "min_items"},
    Rule.POSTED_RULE: {"kind": "kind"},
}


PARAM_FIELDS = [name for names in RULE_PARAMS.values() for name in names]


def _json_number(value: Decimal | int) -> int | str:
    """Whole numbers stay numbers in the stored parameters; others keep their exact decimal text
    (the rules read them with Decimal(str(...)), never through a float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value.normalize())
    return value


class CatalogItemForm(RecordForm):
    """One item of a catalog: what is assessed, its points, how it is scored and, for items scored
    from records, the standard its rule checks (typed fields per rule, not raw parameters)."""

    min_area = forms.DecimalField(
        label="场所面积不少于(平方米)",
        required=False,
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="计分规则为“场所固定且面积达标”时填写。",
        error_messages={"min_value": "面积须大于 0。"},
    )
    min_amount = forms.DecimalField(
        label="办公经费最低标准(元)",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        help_text="计分规则为“办公经费不低于最低标准”时填写。",
        error_messages={"min_value": "金额不能为负数。"},
    )
    min_civil_servants = forms.IntegerField(
        label="公务员不少于(人)",
        required=False,
        min_value=1,
        max_value=20,
        help_text="计分规则为“公务员人数”时填写。",
        error_messages={"min_value": "至少为 1 人。"},
    )
    min_checks = forms.IntegerField(
        label="内部检查不少于(次/年)",
        required=False,
        min_value=1,
        max_value=52,
        help_text="计分规则为“内部检查次数”时填写。",
        error_messages={"min_value": "至少为 1 次。"},
    )
    min_equipment = forms.IntegerField(
        label="办公服务用品满分项数",
        required=False,
        min_value=1,
        help_text="计分规则为“办公服务用品清单”时填写:配备达到该项数得满分,不足按比例计分。",
        error_messages={"min_value": "至少为 1 项。"},
    )
    min_it = forms.IntegerField(
        label="信息化设施满分项数",
        required=False,
        min_value=1,
        help_text="计分规则为“信息化设施清单”时填写:具备达到该项数得满分,不足按比例计分。",
        error_messages={"min_value": "至少为 1 项。"},
    )
    kind = forms.ChoiceField(
        label="上墙制度",
        required=False,
        choices=[("", "—"), *PostedRuleKind.choices],
        help_text="计分规则为“制度上墙(当年照片)”时选择。",
    )

    class Meta:
        model = CatalogItem
        fields = ["section", "code", "text", "points", "method", "rule", "is_veto", "order"]
        help_texts = {
            "code": "本年度考核细则内唯一,如 C1。",
            "rule": "依据台账资料自动计分的项目须选择;现场评分的项目不选。",
            "is_veto": "一票否决:该项目未达标的,总分再高也不合格。",
            "order": "同一类别内按顺序、再按编号排列。",
        }
        error_messages = {
            "code": {"required": "请填写编号。"},
            "text": {"required": "请填写考核内容。"},
            "points": {"required": "请填写分值。"},
        }

    def __init__(self, *args, catalog: CatalogVersion, **kwargs):
        self.catalog = catalog
        super().__init__(*args, **kwargs)
        self.fields["rule"].required = False
        self.fields["rule"].choices = [("", "—(现场评分)"), *Rule.choices]
        self.fields["method"].choices = list(Method.choices)
        if not self.is_bound:
            params = self.instance.params or {}
            for name, key in RULE_PARAMS.get(self.instance.rule, {}).items():
                if key in params:
                    self.initial[name] = params[key]

    def param_groups(self) -> dict:
        """The standard of the chosen rule, and apart from it the other rules' (not saved)."""
        chosen = RULE_PARAMS.get(self["rule"].value() or "", {})
        others = [self[name] for name in PARAM_FIELDS if name not in chosen]
        return {
            "chosen": [self[name] for name in PARAM_FIELDS if name in chosen],
            "others": others,
            "others_invalid": any(field.errors for field in others),
        }

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if self.catalog.items.exclude(pk=self.instance.pk).filter(code=code).exists():
            raise forms.ValidationError(f"{self.catalog.year}年考核细则中已有编号为 {code} 的项目。")
        return code

    def clean_points(self) -> Decimal:
        points = self.cleaned_data["points"]
        if points < 0 or points > 100:
            raise forms.ValidationError("分值须在 0 至 100 分之间。")
        return points

    def clean(self):
        data = super().clean()
        method, rule = data.get("method"), data.get("rule") or ""
        if method == Method.RECORDS and not rule:
            self.add_error("rule", "依据台账资料计分的项目须选择计分规则。")
        if method == Method.INSPECTOR:
            data["rule"] = rule = ""
        params = {}
        for name, key in RULE_PARAMS.get(rule, {}).items():
            value = data.get(name)
            if value in (None, ""):
                if name not in self.errors:
                    self.add_error(name, f"计分规则“{Rule(rule).label}”须填写此项。")
                continue
            params[key] = _json_number(value)
        data["params"] = params
        return data

    def save(self, commit: bool = True) -> CatalogItem:
        self.instance.params = self.cleaned_data["params"]
        self.instance.rule = self.cleaned_data["rule"]
        return super().save(commit=commit)
