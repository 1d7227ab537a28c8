"""Forms of the town's self-assessment, the county's scoring and the rectification tasks.

Each item of a catalog gets its own small form, prefixed with the item's code (``B5-points``), so an
error shows next to its item. The forms check what was typed; the services check the workflow."""

from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import UploadedFile

from assessment.choices import Method
from assessment.models import ItemScore
from core.evidence import EvidenceField
from core.forms import BootstrapMixin

NOTE_ROWS = 2


def _link_evidence(field: EvidenceField, label: str, pk: int, name: str, file) -> None:
    """Point an evidence widget at the current file's permission-checked preview and download."""
    from django.urls import reverse

    if not file:
        return
    args = [label, pk, name]
    field.widget.download_url = reverse("evidence_download", args=args)
    is_photo = not str(file.name).lower().endswith(".pdf")
    field.widget.preview_url = reverse("evidence_preview", args=args) if is_photo else ""


def _cleared(value):
    """An evidence field's cleaned value for the service: a new upload, "" to remove the current
    file (its box ticked), or None to keep it."""
    if value is False:
        return ""
    return value if isinstance(value, UploadedFile) else None


# -- the town's self-assessment ---------------------------------------------------------------------


class SelfNoteForm(BootstrapMixin, forms.Form):
    # The assessment's edit version the page was built from: a save over a newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label="自评总体说明",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="简要说明本年度规范化建设的总体情况、亮点和不足。",
    )


class SelfItemForm(BootstrapMixin, forms.Form):
    """The town's note and evidence for one item."""

    note = forms.CharField(
        label="自评说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": NOTE_ROWS})
    )
    # The allowed kinds and size are said once on the page, not under each of the items.
    evidence = EvidenceField(label="佐证材料", required=False, help_text="")

    def __init__(self, *args, score: ItemScore, **kwargs):
        kwargs.setdefault("prefix", score.item.code)
        kwargs.setdefault("initial", {"note": score.town_note, "evidence": score.town_evidence})
        super().__init__(*args, **kwargs)
        self.score = score
        _link_evidence(
            self.fields["evidence"], "assessment.itemscore", score.pk, "town_evidence", score.town_evidence
        )

    @property
    def evidence_value(self):
        return _cleared(self.cleaned_data.get("evidence"))


# -- the county's scoring ---------------------------------------------------------------------------


class VisitForm(BootstrapMixin, forms.Form):
    # The assessment's edit version the page was built from: a save over a newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    visit_date = forms.DateField(
        label="实地考核日期",
        required=False,
    )
    inspectors = forms.CharField(
        label="考核人员",
        required=False,
        max_length=200,
        help_text="参加实地考核人员的姓名,用顿号分隔。",
        error_messages={"max_length": "考核人员不能超过 %(limit_value)d 个字。"},
    )


class CountyItemForm(BootstrapMixin, forms.Form):
    """The inspector's entry for one item: the points of an on-site item, or an override of a score
    from records with its reason; and not applicable, with its reason."""

    points = forms.DecimalField(
        label="评分",
        required=False,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"}),
        error_messages={
            "invalid": "请输入数字。",
            "max_decimal_places": "最多保留 %(max)s 位小数。",
            "max_digits": "数字过长。",
        },
    )
    reason = forms.CharField(
        label="调整理由",
        required=False,
        max_length=300,
        error_messages={"max_length": "调整理由不能超过 %(limit_value)d 个字。"},
    )
    not_applicable = forms.BooleanField(label="标记为不适用", required=False)
    not_applicable_reason = forms.CharField(
        label="不适用理由",
        required=False,
        max_length=300,
        error_messages={"max_length": "不适用理由不能超过 %(limit_value)d 个字。"},
    )

    def __init__(self, *args, score: ItemScore, **kwargs):
        self.score = score
        self.by_records = score.item.method == Method.RECORDS
        kwargs.setdefault("prefix", score.item.code)
        kwargs.setdefault(
            "initial",
            {
                # 5.50 shows as 5.5; still a Decimal, so an untouched entry does not count as changed.
                "points": Decimal(_plain(score.inspector_points))
                if score.inspector_points is not None
                else None,
                "reason": score.override_reason,
                "not_applicable": score.not_applicable,
                "not_applicable_reason": score.not_applicable_reason,
            },
        )
        super().__init__(*args, **kwargs)
        points = self.fields["points"]
        points.widget.attrs["max"] = str(score.item.points)
        if self.by_records:
            points.label = "调整为"
            points.widget.attrs["placeholder"] = "不调整"
        else:
            points.label = f"评分(0–{_plain(score.item.points)})"

    def clean(self):
        data = super().clean()
        points = data.get("points")
        maximum = self.score.item.points
        if points is not None and not (Decimal(0) <= points <= maximum):
            self.add_error("points", f"得分须在 0 至 {_plain(maximum)} 分之间。")
        overrides = self.by_records and points is not None and points != self.score.computed_points
        if overrides and not (data.get("reason") or "").strip():
            self.add_error("reason", "调整自动计分须说明理由。")
        if not overrides:
            data["reason"] = ""
        if data.get("not_applicable") and not (data.get("not_applicable_reason") or "").strip():
            self.add_error("not_applicable_reason", "标记为不适用须说明理由。")
        return data


def _plain(value: Decimal) -> str:
    """6.00 → 6, 2.50 → 2.5: points as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class CommentForm(BootstrapMixin, forms.Form):
    """The county's comment when it returns or approves an assessment; whether one is needed is the
    service's rule."""

    comment = forms.CharField(
        label="意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "意见不能超过 %(limit_value)d 个字。"},
    )


class BulkApproveForm(CommentForm):
    """批量审定's confirmation: the towns the page offers to approve travel with the comment as hidden
    fields, so the POST approves what the page listed, not what the list shows by then."""

    town = forms.MultipleChoiceField(widget=forms.MultipleHiddenInput, required=False)

    def __init__(self, *args, towns: list[str], **kwargs) -> None:
        super().__init__(*args, initial={"town": towns}, **kwargs)
        self.fields["town"].choices = [(code, code) for code in towns]


# -- rectification ----------------------------------------------------------------------------------


class TaskCloseForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label="整改情况",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写整改情况。"},
        help_text="说明采取的整改措施和整改结果。",
    )
    evidence = EvidenceField(label="整改佐证材料", required=False)

    @property
    def evidence_value(self):
        return _cleared(self.cleaned_data.get("evidence"))
