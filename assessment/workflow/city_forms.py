"""Forms of the city's steps on a year: opening it, drawing the spot-check sample, a comment on a
return or confirmation, and the city's own scores of a sampled town."""

from decimal import Decimal

from django import forms

from assessment.models import CatalogVersion, ItemScore, Programme
from core.dates import DEADLINE
from core.forms import BootstrapMixin

# -- opening a year ---------------------------------------------------------------------------------


class YearOpenForm(BootstrapMixin, forms.Form):
    """Open a year: the programme, the catalog (locked from then on), deadlines and the sample rate."""

    date_rules = {"self_assessment_due": DEADLINE, "county_due": DEADLINE}

    programme = forms.ModelChoiceField(
        label="规范化建设行动",
        queryset=Programme.objects.order_by("-start_year"),
        empty_label=None,
        error_messages={"required": "请选择规范化建设行动。"},
    )
    catalog = forms.ModelChoiceField(
        label="考核细则",
        queryset=CatalogVersion.objects.none(),
        empty_label=None,
        help_text="年度考核开启后,所用考核细则即锁定,该年度的结果始终按此版本计分。",
        error_messages={"required": "请选择考核细则;如无可用的,请先复制上一年度的考核细则。"},
    )
    self_assessment_due = forms.DateField(label="自评截止日期", required=False)
    county_due = forms.DateField(label="县级上报截止日期", required=False)
    sample_percent = forms.DecimalField(
        label="督查抽样比例(%)",
        initial=Decimal(10),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        help_text="每个县(市、区)按此比例抽取镇(街道),向上取整,至少 1 个。",
        error_messages={
            "required": "请填写抽样比例。",
            "min_value": "抽样比例须在 0.1% 至 100% 之间。",
            "max_value": "抽样比例须在 0.1% 至 100% 之间。",
        },
    )

    def __init__(self, *args, catalogs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog"].queryset = catalogs
        self.fields["catalog"].label_from_instance = self._catalog_label
        self.fields["programme"].label_from_instance = lambda p: p.label

    @staticmethod
    def _catalog_label(version: CatalogVersion) -> str:
        points = getattr(version, "points", None) or Decimal(0)
        warning = "" if points == 100 else ",须调整为 100 分"
        return f"{version.year}年考核细则(总分 {points.normalize():f} 分{warning})"

    def clean(self):
        data = super().clean()
        first, second = data.get("self_assessment_due"), data.get("county_due")
        if first and second and second < first:
            self.add_error("county_due", "县级上报截止日期不能早于自评截止日期。")
        if data.get("sample_percent") is not None:
            data["sample_rate"] = (data["sample_percent"] / 100).quantize(Decimal("0.001"))
        return data


# -- the city's steps on a year ---------------------------------------------------------------------


class SampleDrawForm(BootstrapMixin, forms.Form):
    seed = forms.CharField(
        label="抽样种子",
        required=False,
        max_length=64,
        help_text="留空由系统随机生成;填写以往的种子可重现同样的抽样结果。",
    )


class CommentForm(BootstrapMixin, forms.Form):
    """The comment of a return or a confirmation; whether one is required is the service's rule."""

    comment = forms.CharField(
        label="意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CityScoreForm(BootstrapMixin, forms.Form):
    """The city's points and note for each item of a sampled town, beside the county's. Items the
    county marked not applicable have no field: they are out of the total for both."""

    comment = forms.CharField(
        label="市级督查意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    visit_date = forms.DateField(
        label="督查日期",
        required=True,
        error_messages={"required": "请填写督查日期。"},
    )
    inspectors = forms.CharField(
        label="督查人员",
        max_length=200,
        help_text="参加实地督查的人员姓名,用顿号分隔。",
        error_messages={"required": "请填写督查人员。"},
    )
    difference_note = forms.CharField(
        label="市县评分差异说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="市级督查得分与县级审定得分相差超过本年度设定的分值时必填。",
    )
    # The assessment's edit version the page was built from: a save over a newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, scores: list[ItemScore], comment: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = scores
        self.initial.setdefault("comment", comment)
        # The first visit starts from the county's points: the city changes what it finds otherwise.
        fresh = all(s.city_points is None for s in scores) and not comment
        self.rows = []
        for score in scores:
            if score.not_applicable:
                self.rows.append((score, None, None))
                continue
            points_name, note_name = f"points_{score.pk}", f"note_{score.pk}"
            self.fields[points_name] = forms.DecimalField(
                label=f"{score.item.code} 市级评分",
                required=False,
                max_digits=6,
                decimal_places=2,
                min_value=Decimal(0),
                max_value=score.item.points,
                error_messages={
                    "min_value": "得分不能为负数。",
                    "max_value": f"得分不能超过分值 {score.item.points} 分。",
                    "invalid": "请填写数字。",
                    "max_decimal_places": "最多保留两位小数。",
                },
                widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control form-control-sm"}),
            )
            self.fields[note_name] = forms.CharField(
                label=f"{score.item.code} 督查说明",
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.initial.setdefault(points_name, score.final_points if fresh else score.city_points)
            self.initial.setdefault(note_name, score.city_note)
            self.rows.append((score, points_name, note_name))

    def table(self) -> list[tuple]:
        """(score, points field, note field) per item, fields None for items out of scope."""
        return [(s, self[p] if p else None, self[n] if n else None) for s, p, n in self.rows]

    def entries(self) -> list[tuple[ItemScore, Decimal | None, str]]:
        return [
            (s, self.cleaned_data.get(p), self.cleaned_data.get(n, ""))
            for s, p, n in self.rows
            if p is not None
        ]
