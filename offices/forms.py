"""Forms for what an office files about itself. Messages are in Chinese; dates of past events may not
lie in the future; evidence is checked by content (core.evidence)."""

from django import forms

from core.evidence import PHOTOS, PHOTOS_AND_DOCUMENTS, EvidenceField
from core.forms import RecordForm

from .choices import Equipment, ItFacility
from .models import Budget, InternalCheck, Office, OfficeYearFacts, Plan, PostedRule, Premises


class OfficeProfileForm(RecordForm):
    sign_photo = EvidenceField(label="牌子照片", allowed=PHOTOS, required=False)
    seal_photo = EvidenceField(label="印章印模照片", allowed=PHOTOS, required=False)

    class Meta:
        model = Office
        fields = [
            "address",
            "postcode",
            "phone",
            "contact_name",
            "contact_phone",
            "sign_hung_on",
            "sign_photo",
            "seal_in_use_on",
            "seal_photo",
        ]


class YearFactsForm(RecordForm):
    class Meta:
        model = OfficeYearFacts
        fields = ["service_population", "dibao_count", "tekun_count", "youfu_count", "other_count"]
        help_texts = {"service_population": "本镇(街道)常住人口,用于核定专职人员配备标准。"}


class PremisesForm(RecordForm):
    equipment = forms.MultipleChoiceField(
        label="办公服务用品", choices=Equipment.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    it_facilities = forms.MultipleChoiceField(
        label="信息化设施", choices=ItFacility.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    photo = EvidenceField(label="场所照片", allowed=PHOTOS, required=False)
    emblem_photo = EvidenceField(label="民政标志照片", allowed=PHOTOS, required=False)

    class Meta:
        model = Premises
        fields = [
            "area_m2",
            "is_fixed",
            "address",
            "equipment",
            "it_facilities",
            "emblem_displayed",
            "emblem_photo",
            "photo",
        ]
        help_texts = {"area_m2": "办公和服务场所合计使用面积,标准一般不少于 60 平方米。"}
        error_messages = {"area_m2": {"min_value": "面积须大于 0。"}}

    def clean_area_m2(self):
        area = self.cleaned_data.get("area_m2")
        if area is not None and area <= 0:
            raise forms.ValidationError("面积须大于 0。")
        return area


class PostedRuleForm(RecordForm):
    photo = EvidenceField(label="上墙照片或扫描件", allowed=PHOTOS_AND_DOCUMENTS, required=False)

    class Meta:
        model = PostedRule
        fields = ["posted_on", "photo", "note"]


class PlanForm(RecordForm):
    document = EvidenceField(label="文件", allowed=PHOTOS_AND_DOCUMENTS, required=False)

    class Meta:
        model = Plan
        fields = ["title", "adopted_on", "summary", "document"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class BudgetForm(RecordForm):
    class Meta:
        model = Budget
        fields = ["guaranteed_funds", "spending", "note"]
        error_messages = {
            "guaranteed_funds": {"min_value": "金额不能为负数。"},
            "spending": {"min_value": "金额不能为负数。"},
        }


class InternalCheckForm(RecordForm):
    class Meta:
        model = InternalCheck
        fields = ["checked_on", "checked_by", "scope", "findings", "follow_up"]
        widgets = {
            "findings": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }
