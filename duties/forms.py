"""Forms of the duty sheet, the duty records and their evidence files. Messages are in Chinese and
stand next to the field they concern; a record's date may not lie in the future; evidence files are
checked by content (core.evidence)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from core.evidence import PHOTOS_AND_DOCUMENTS, EvidenceField, EvidenceMultipleInput, allowed_help
from core.forms import BootstrapMixin, RecordForm

from .models import DutyRecord, DutySheetEntry
from .selectors import duty_list

# More files than this in one go is a mistake (a whole folder picked), not evidence of one record.
MAX_FILES_PER_UPLOAD = 20


class DutySheetEntryForm(RecordForm):
    """An office's 工作职责、工作标准和工作要求 for one duty, or why the duty does not apply."""

    class Meta:
        model = DutySheetEntry
        fields = ["responsibilities", "standard", "requirements", "not_applicable", "not_applicable_reason"]
        widgets = {
            "responsibilities": forms.Textarea(attrs={"rows": 3}),
            "standard": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "standard": "适用的职责必填:做到什么程度算达标。",
            "requirements": "适用的职责必填:怎么做、何时做、留存哪些台账。",
            "not_applicable": "本镇(街道)没有这项工作时勾选(例如没有库区入迁移民),考核时不计此项。",
            "not_applicable_reason": "勾选“不适用”时必填。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        duty = self.instance.duty
        self.fields["responsibilities"].help_text = format_html("职责原文:{}", duty.text)
        if self.instance.pk is None and not self.is_bound:
            # A new entry starts from the policy's words, which most offices adopt as they are.
            self.fields["responsibilities"].initial = duty.text

    def clean(self):
        data = super().clean()
        if data.get("not_applicable"):
            if not (data.get("not_applicable_reason") or "").strip():
                self.add_error("not_applicable_reason", "标记为不适用时须说明原因。")
        else:
            if not (data.get("standard") or "").strip():
                self.add_error("standard", "适用的职责须填写工作标准。")
            if not (data.get("requirements") or "").strip():
                self.add_error("requirements", "适用的职责须填写工作要求。")
        return data


class DutyRecordForm(RecordForm):
    """A piece of work done under a duty: when, what, and under which duty."""

    class Meta:
        model = DutyRecord
        fields = ["duty", "date", "title", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "date": "工作开展的日期,不能晚于今天。",
            "content": "做了什么、涉及多少对象、结果如何。照片和文件保存后在台账详情页上传。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty"].queryset = duty_list()
        self.fields["duty"].empty_label = "请选择职责"

    similar_fields = ("duty", "date", "title")

    def similar_records(self) -> list[str]:
        # The same duty on the same day under another title: often the same work typed twice (the
        # same title is refused outright), sometimes two visits of one day.
        record = self.instance
        same_day = DutyRecord.objects.filter(
            office_id=record.office_id, duty_id=record.duty_id, date=record.date
        )
        return [f"{r.date:%Y-%m-%d}“{r.title}”" for r in same_day.exclude(pk=record.pk).order_by("pk")[:6]]


class MultipleEvidenceField(EvidenceField):
    """Several evidence files at once, each checked like a single one; an error names its file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", EvidenceMultipleInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if not uploads:
            if self.required:
                raise ValidationError("请选择要上传的文件。", code="required")
            return []
        if len(uploads) > MAX_FILES_PER_UPLOAD:
            raise ValidationError(f"一次最多上传 {MAX_FILES_PER_UPLOAD} 个文件。", code="too_many")
        cleaned, errors = [], []
        for upload in uploads:
            name = getattr(upload, "name", "")
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as error:
                errors.extend(f"{name}:{message}" for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class AttachmentUploadForm(BootstrapMixin, forms.Form):
    """Evidence files for one duty record. Not a RecordForm: it creates several attachments, none of
    which exists yet, so there is no instance and no edit version to carry."""

    files = MultipleEvidenceField(label="证据文件", allowed=PHOTOS_AND_DOCUMENTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read the limit now rather than at import, so the text always states the limit in force.
        self.fields["files"].help_text = (
            f"{allowed_help(PHOTOS_AND_DOCUMENTS)}可一次选择多个文件(最多 {MAX_FILES_PER_UPLOAD} 个);"
            "其中任何一个不符合要求时,全部不保存。"
        )
