"""Forms of the portal's own pages: accounts and passwords."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm

from core.forms import BootstrapMixin
from portal.choices import Role
from portal.models import User


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
        queryset=None,
        required=False,
        help_text="角色为镇(街道)工作人员时必选。",
    )
    county = forms.ModelChoiceField(
        label="所属县(市、区)",
        queryset=None,
        required=False,
        help_text="角色为县(市、区)考核人员时必选。",
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    # Hashed, never stored as typed; the bound keeps the hasher from being fed megabytes.
    password1 = forms.CharField(
        label="密码", widget=forms.PasswordInput, required=False, strip=False, max_length=128
    )
    password2 = forms.CharField(
        label="确认密码", widget=forms.PasswordInput, required=False, strip=False, max_length=128
    )

    def __init__(self, *args, roles: list[Role], instance: User | None = None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        # The choices are the offices and counties an account can be bound to: the models its own
        # foreign keys name (the offices app builds on this one and is not imported here).
        office_model = User._meta.get_field("office").related_model
        county_model = User._meta.get_field("county").related_model
        self.fields["office"].queryset = office_model._default_manager.select_related("town__county")
        self.fields["county"].queryset = county_model._default_manager.all()
        self.fields["office"].label_from_instance = lambda o: f"{o.town.county} · {o.name}"
        # 72 offices: the page puts a search box above the list (static/js/select-search.js).
        self.fields["office"].widget.attrs["data-search"] = ""
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
