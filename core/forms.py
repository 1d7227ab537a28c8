"""Form bases every app uses: Bootstrap classes on every widget, and the base of every form that edits
an office's record (the edit version it was built from, every date held to the date policy)."""

from django import forms
from django.core.exceptions import ValidationError

from core.dates import WORK, DateRule

BLANK = "---------"
CHOOSE = "请选择"


def _blank_choice(field: forms.Field) -> bool:
    choices = getattr(field, "choices", None)
    if choices is None or isinstance(field, forms.ModelChoiceField):
        return False
    return any(value in ("", None) and label == BLANK for value, label in choices)


def _say_choose(field: forms.Field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = CHOOSE
    else:
        field.choices = [
            (v, CHOOSE if v in ("", None) and label == BLANK else label) for v, label in field.choices
        ]


class BootstrapMixin:
    """Gives every widget Bootstrap's classes, and marks invalid fields, so templates stay plain; holds
    every date field to the date policy (core/dates.py)."""

    # The rule of each date field that is not a record of work done: every other date field is held
    # to WORK (since the policy began, not in the future).
    date_rules: dict[str, DateRule] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                self.date_rules.get(name, WORK).apply(field)
            if getattr(field, "empty_label", None) == BLANK or _blank_choice(field):
                # Django's "---------" means nothing to a user: say what to do.
                _say_choose(field)
            if getattr(field, "max_length", None) and "max_length" not in field.error_messages:
                # Django's own words are clumsy ("确保该变量包含不超过 5000 字符"): say it plainly.
                label = str(field.label or "此项").replace("%", "%%")
                field.error_messages["max_length"] = (
                    f"“{label}”最多 %(limit_value)d 个字,现有 %(show_value)d 个,请删减后再保存。"
                )
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = ""
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        # Mark fields in error only after validation: touching `errors` in __init__ would validate
        # before subclasses finish setting up their fields.
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


class RecordForm(BootstrapMixin, forms.ModelForm):
    """Base of every form that edits an office's record: carries the edit version the form was built
    from, so a save over somebody else's newer change is refused instead of overwriting it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version
        self._link_evidence()

    def _link_evidence(self) -> None:
        """Point each evidence widget at the current file's preview and download pages."""
        from django.urls import reverse

        from core.evidence import EvidenceField

        if not self.instance.pk:
            return
        label = self.instance._meta.label_lower
        for name, field in self.fields.items():
            current = getattr(self.instance, name, None)
            if not isinstance(field, EvidenceField) or not current:
                continue
            args = [label, self.instance.pk, name]
            field.widget.download_url = reverse("evidence_download", args=args)
            is_photo = not str(current.name).lower().endswith(".pdf")
            field.widget.preview_url = reverse("evidence_preview", args=args) if is_photo else ""

    def _post_clean(self) -> None:
        # After the instance carries the form's values: refuse a change to a locked year here, as a
        # message on the form, before the save's own guard would refuse it (core/locks.py).
        super()._post_clean()
        if not self.errors:
            # The form leaves out the office (the page sets it), and Django then skips the unique
            # constraints that name it: check them all here, so a double is a message, not an error.
            from django.db.models import UniqueConstraint

            for constraint in self.instance._meta.constraints:
                if isinstance(constraint, UniqueConstraint):
                    try:
                        constraint.validate(type(self.instance), self.instance)
                    except ValidationError as error:
                        self._update_errors(error)
        if not self.errors:
            from core.locks import problems, stored

            reason = problems([(stored(self.instance), self.instance)])[0]
            if reason:
                self.add_error(None, reason)
        if not self.errors:
            self._warn_similar()

    # -- a record like one already filed ------------------------------------------------------------
    # The same record twice is refused by a database constraint (above). One that is merely like an
    # existing one (the same name with another birth date, the same work on the same day under
    # another title) may be a double typed differently, or may be real: the form asks once, and
    # saves when the user ticks that it is not a double.

    CONFIRM_SIMILAR = "confirm_similar"
    # The fields "like" is judged by: an edit that leaves them alone is not asked again.
    similar_fields: tuple[str, ...] = ()

    def similar_records(self) -> list[str]:
        """Descriptions of filed records this one looks like; a subclass says what "like" means."""
        return []

    def _warn_similar(self) -> None:
        if self.data.get(self.CONFIRM_SIMILAR) in ("on", "1", "true", "True"):
            return
        if self.instance.pk and not set(self.similar_fields) & set(self.changed_data):
            return
        found = self.similar_records()
        if not found:
            return
        self.fields[self.CONFIRM_SIMILAR] = forms.BooleanField(
            label="我已核对,不是重复登记,仍然保存",
            required=False,
            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        )
        listed = ";".join(found[:5]) + ("等" if len(found) > 5 else "")
        self.add_error(
            None,
            ValidationError(
                f"本办已有相似的资料,可能是重复登记:{listed}。请核对;如确认不是重复,"
                "请勾选下方“我已核对,不是重复登记,仍然保存”后再保存。",
                code="similar",
            ),
        )

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise forms.ValidationError("表单缺少版本信息,请刷新页面后重新填写。")
        return version


def show_refusal(form: forms.BaseForm, error: ValidationError, field: str | None = None) -> None:
    """Show a service's refusal on the form: next to the field it concerns, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error.messages)
