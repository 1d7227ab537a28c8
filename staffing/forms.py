"""Forms for the roster, director probation and training events. The database refuses impossible dates
too; these checks come first so the user reads the reason in Chinese next to the field."""

from django import forms

from core.dates import BIRTH, CAREER, DEADLINE, too_young
from core.forms import RecordForm

from .models import DirectorProbation, StaffMember, TrainingEvent


class StaffMemberForm(RecordForm):
    # A departure is recorded once it has happened: a future end date would drop the person from
    # today's roster early.
    date_rules = {"birth_date": BIRTH, "started_on": CAREER, "ended_on": CAREER}

    class Meta:
        model = StaffMember
        fields = [
            "name",
            "sex",
            "birth_date",
            "education",
            "employment_type",
            "is_full_time",
            "post",
            "social_work_qualified",
            "started_on",
            "ended_on",
            "phone",
        ]
        help_texts = {
            "started_on": "到本镇(街道)民政办公室工作的日期。",
            "ended_on": "调离、退休等离开民政办公室的日期;仍在岗请留空。",
        }
        error_messages = {
            "name": {"required": "请填写姓名。"},
            "sex": {"required": "请选择性别。"},
            "birth_date": {"required": "请填写出生日期。"},
            "education": {"required": "请选择学历。"},
            "employment_type": {"required": "请选择人员性质。"},
            "post": {"required": "请选择职务。"},
            "started_on": {"required": "请填写到岗日期。"},
        }

    def clean(self):
        data = super().clean()
        born, started, ended = data.get("birth_date"), data.get("started_on"), data.get("ended_on")
        if born and started and born >= started:
            self.add_error("birth_date", "出生日期须早于到岗日期。")
        elif problem := too_young(born, started):
            self.add_error("started_on", problem)
        if started and ended and ended <= started:
            self.add_error("ended_on", "离岗日期须晚于到岗日期。")
        return data

    similar_fields = ("name",)

    def similar_records(self) -> list[str]:
        # The same name with another birth date: a second person of that name, or the same person
        # with a mistyped date (the same name and birth date is refused outright).
        same_name = StaffMember.objects.filter(office_id=self.instance.office_id, name=self.instance.name)
        return [
            f"{p.name}({p.birth_date:%Y-%m-%d} 出生,{p.started_on:%Y-%m-%d} 到岗"
            + (f",{p.ended_on:%Y-%m-%d} 离岗)" if p.ended_on else ",在岗)")
            for p in same_name.exclude(pk=self.instance.pk).order_by("started_on")[:6]
        ]


class ProbationForm(RecordForm):
    # The probation may still be under way: its planned end lies ahead.
    date_rules = {"ends_on": DEADLINE}

    class Meta:
        model = DirectorProbation
        fields = ["place", "starts_on", "ends_on", "assessment"]
        help_texts = {
            "place": "见习所在的单位,如县(市、区)民政局或其他镇(街道)民政办公室。",
            "assessment": "见习期满后的鉴定意见,如“见习期满,考核合格”。",
        }
        error_messages = {
            "place": {"required": "请填写见习单位。"},
            "starts_on": {
                "required": "请填写见习开始日期。",
            },
            "ends_on": {"required": "请填写见习结束日期。"},
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return data


class TrainingEventForm(RecordForm):
    """Level and county are not fields: they follow from who records the event."""

    class Meta:
        model = TrainingEvent
        fields = ["kind", "title", "starts_on", "ends_on", "location", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "kind": {"required": "请选择培训类别。"},
            "title": {"required": "请填写培训名称。"},
            "starts_on": {"required": "请填写开始日期。"},
            "ends_on": {"required": "请填写结束日期。"},
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return data
