"""Forms of a correction (更正): the record's own form (the one its edit page uses, without its files),
what is wrong, the reason and the evidence; the fields naming a record to add; the decision.

The record's form checks the new values as an edit would, except for the lock: a locked year is the
reason for the correction. What it changes is kept as {field: {label, before, after, value}}."""

from functools import cache
from typing import Any

from django import forms
from django.db.models import Model

from core.evidence import PHOTOS_AND_DOCUMENTS, EvidenceField
from core.forms import BootstrapMixin, RecordForm
from portal.record_views import year_choices

from .kinds import RecordKind, changes_between

TEXT_ROWS = 3


@cache
def _correcting_form(form_class: type[RecordForm]) -> type[RecordForm]:
    """The record's form without its lock check (RecordForm._post_clean): everything else, the
    model's own validation included, stays as on the edit page."""

    def _post_clean(self) -> None:
        super(RecordForm, self)._post_clean()

    return type(f"Correcting{form_class.__name__}", (form_class,), {"_post_clean": _post_clean})


def record_form(kind: RecordKind, instance: Model, data=None) -> RecordForm:
    """The record's form, on a copy of the record (or the record to add), for the fields a correction
    may change."""
    form = _correcting_form(kind.form)(data, instance=instance, prefix="record")
    allowed = set(kind.fields())
    for name in list(form.fields):
        if name not in allowed:
            del form.fields[name]
    return form


def record_changes(kind: RecordKind, form: RecordForm, before: Model | None) -> dict[str, dict[str, Any]]:
    """What a valid record form changes (for a record to add: every field, and the ones naming it)."""
    names = kind.fields() if before is not None else [*kind.keys, *kind.fields()]
    return changes_between(before, form.instance, names)


class CorrectionForm(BootstrapMixin, forms.Form):
    problem = forms.CharField(
        label="存在问题",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        error_messages={"required": "请说明原资料存在的问题。"},
        help_text="说明原资料哪里有误,例如“办公场所面积少填了 20 平方米”。",
    )
    reason = forms.CharField(
        label="更正理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        error_messages={"required": "请填写更正理由。"},
        help_text="说明为什么应当更正,以及更正依据的材料。",
    )
    evidence = EvidenceField(
        label="佐证材料", allowed=PHOTOS_AND_DOCUMENTS, error_messages={"required": "请上传佐证材料。"}
    )


class KeyForm(BootstrapMixin, forms.Form):
    """The fields naming a record to add besides its office (年度, 类别, 职责), read from the address so
    the record's form can be built for them."""

    def __init__(self, *args, kind: RecordKind, **kwargs):
        super().__init__(*args, **kwargs)
        opts = kind.model._meta
        for name in kind.keys:
            if name == "year":
                self.fields[name] = forms.TypedChoiceField(
                    label="年度", choices=[(y, f"{y}年") for y in year_choices()], coerce=int
                )
            else:
                self.fields[name] = opts.get_field(name).formfield(required=True)
        # Added after BootstrapMixin styled the (no) declared fields: style these here.
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def keys(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DecideForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("approve", "批准更正"), ("reject", "驳回")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审核结果。"},
    )
    note = forms.CharField(
        label="审核意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
        help_text="驳回时必填。",
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
