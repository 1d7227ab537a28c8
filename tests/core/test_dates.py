"""The date policy (core/dates.py): what each kind of date admits, said the same way everywhere."""

import datetime as dt

import pytest
from django import forms

from core.dates import BIRTH, CAREER, DEADLINE, WORK, programme_years, too_young, year_problem, years_before

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("rule", "first", "last"),
    [
        (WORK, dt.date(2009, 1, 1), TODAY),
        (CAREER, dt.date(1960, 1, 1), TODAY),
        (BIRTH, dt.date(1944, 1, 1), dt.date(2010, 11, 30)),
        (DEADLINE, dt.date(2009, 1, 1), dt.date(2028, 12, 31)),
    ],
)
def test_each_rule_admits_its_range_and_nothing_outside(rule, first, last):
    assert rule.bounds(TODAY) == (first, last)
    assert rule.problem(first, TODAY) is None
    assert rule.problem(last, TODAY) is None
    assert rule.problem(first - dt.timedelta(days=1), TODAY)
    assert rule.problem(last + dt.timedelta(days=1), TODAY)


def test_the_message_names_the_date_the_range_and_why():
    assert WORK.problem(dt.date(1, 1, 1), TODAY) == (
        "日期 0001-01-01 超出范围:工作日期须在2009年1月1日至2026年11月30日之间"
        "(记录的是2009年政策实施以来已经发生的事)。"
    )
    assert BIRTH.problem(dt.date(2015, 3, 1), TODAY) == (
        "日期 2015-03-01 超出范围:出生日期须在1944年1月1日至2010年11月30日之间(工作人员须年满16周岁)。"
    )


def test_29_february_a_year_earlier_is_the_28th_not_an_error():
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    assert years_before(dt.date(2023, 2, 28), -1) == dt.date(2024, 2, 28)


def test_a_form_field_gets_the_picker_range_and_the_validator():
    field = forms.DateField()
    WORK.apply(field)
    assert field.widget.attrs["min"] == "2009-01-01"
    assert field.widget.input_type == "date"
    with pytest.raises(forms.ValidationError):
        field.clean("9999-12-31")
    assert field.clean("2010-05-01") == dt.date(2010, 5, 1)


def test_working_age_on_the_first_day():
    assert too_young(dt.date(1990, 5, 1), dt.date(2006, 4, 30))
    assert too_young(dt.date(1990, 5, 1), dt.date(2006, 5, 1)) is None
    assert too_young(None, dt.date(2006, 5, 1)) is None


def test_programme_years_run_from_2009_to_next_year():
    years = programme_years(TODAY)
    assert (years[0], years[-1]) == (2027, 2009)
    assert year_problem(2027, TODAY) is None
    assert year_problem(2008, TODAY) == "年度须在 2009 至 2027 之间(政策实施以来,最远到明年)。"
    assert year_problem(2100, TODAY)


@pytest.mark.parametrize(
    "typed",
    [
        "2010-08-01",
        "2010.8.1",
        "2010/8/1",
        "2010年8月1日",
        "２０１０－０８－０１",
        "2010。8。1",
        " 20100801 ",
    ],
)
def test_every_date_field_reads_a_date_as_the_import_does(typed):
    field = forms.DateField()
    WORK.apply(field)
    value = field.widget.value_from_datadict({"d": typed}, {}, "d")
    assert field.clean(value) == dt.date(2010, 8, 1)


@pytest.mark.django_db
def test_a_record_typed_with_a_chinese_date_is_saved_and_a_wrong_one_explained(world):
    from django.urls import reverse

    from duties.models import Duty, DutyRecord
    from tests import factories

    client = factories.client_for(world.town_a)
    url = reverse("duties:record_create", args=[world.office_a.town.code])
    data = {"duty": Duty.objects.get(number=3).pk, "title": "八一走访", "version": ""}
    response = client.post(url, {**data, "date": "2012年12月5日"})
    assert response.status_code == 302
    assert DutyRecord.objects.get().date == dt.date(2012, 12, 5)
    response = client.post(url, {**data, "title": "另一次", "date": "12月5日"})
    assert response.context["form"].errors["date"] == [
        "请输入有效日期,如 2012-12-05、2012.12.5、2012/12/5 或 2012年12月5日。"
    ]


def test_a_blank_choice_says_what_to_do():
    from duties.forms import DutyRecordForm
    from staffing.forms import StaffMemberForm

    assert StaffMemberForm().fields["sex"].choices[0] == ("", "请选择")
    assert "---------" not in str(StaffMemberForm()["education"])
    assert DutyRecordForm().fields["duty"].empty_label == "请选择职责"
