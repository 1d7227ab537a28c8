"""Forms of the portal's own pages: accounts and passwords."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm

from offices.models import County, Office

from .choices import Role
from .models import User


class BootstrapMixin:
    """Gives every widget Bootstrap's classes, and marks invalid fields, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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


class PortalPasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    pass


class UserForm(BootstrapMixin, forms.Form):
    """Create or edit an account: who it is, its role and what it is bound to."""

    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": "用户名只能包含英文字母、数字和 _ . @ + -。"},
    )
    full_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    role = forms.ChoiceField(label="角色")
    office = forms.ModelChoiceField(
        label="所属民政办",
        queryset=Office.objects.select_related("town__county"),
        required=False,
        help_text="角色为镇(街道)工作人员时必选。",
    )
    county = forms.ModelChoiceField(
        label="所属县(市、区)",
        queryset=County.objects.all(),
        required=False,
        help_text="角色为县(市、区)考核人员时必选。",
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    password1 = forms.CharField(label="密码", widget=forms.PasswordInput, required=False, strip=False)
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput, required=False, strip=False)

    def __init__(self, *args, roles: list[Role], instance: User | None = None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["office"].label_from_instance = lambda o: f"{o.town.county} · {o.name}"
        if instance is None:
            self.fields["password1"].required = True
            self.fields["password2"].required = True
            self.fields["password1"].help_text = password_validation.password_validators_help_text_html()
        else:
            self.fields["username"].disabled = True
            self.fields["password1"].label = "重置密码"
            self.fields["password1"].help_text = "不修改密码请留空。"

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if self.instance is None and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该用户名已被使用。")
        return username

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.TOWN and not data.get("office"):
            self.add_error("office", "镇(街道)民政办工作人员必须选择所属民政办。")
        if role == Role.COUNTY and not data.get("county"):
            self.add_error("county", "县(市、区)考核人员必须选择所属县(市、区)。")
        if role != Role.TOWN:
            data["office"] = None
        if role != Role.COUNTY:
            data["county"] = None
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 or p2:
            if p1 != p2:
                self.add_error("password2", "两次输入的密码不一致。")
            else:
                probe = self.instance or User(
                    username=data.get("username", ""), full_name=data.get("full_name", "")
                )
                try:
                    password_validation.validate_password(p1, probe)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return data


def not_in_future(value):
    """For dates of things that have happened: a sign hung, a record filed, a birth."""
    from django.utils import timezone

    if value and value > timezone.localdate():
        raise forms.ValidationError("日期不能晚于今天。")
    return value


class RecordForm(BootstrapMixin, forms.ModelForm):
    """Base of every form that edits an office's record: carries the edit version the form was built
    from, so a save over somebody else's newer change is refused instead of overwriting it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Fields holding dates of past events; checked against today.
    past_dates: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version
        self._link_evidence()
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(
                    attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
                )
                if name in self.past_dates:
                    field.validators.append(not_in_future)

    def _link_evidence(self) -> None:
        """Point each evidence widget at the current file's preview and download pages."""
        from django.urls import reverse

        from .evidence import EvidenceField

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

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise forms.ValidationError("表单缺少版本信息,请刷新页面后重新填写。")
        return version
