"""One date policy for every date a person types, on a page or in a spreadsheet: what each kind of
date admits, and the message when it doesn't. Forms (core/forms.py), the imports
(core/spreadsheets/importing.py `RowCheck.date`) and the date pickers' min/max all ask these rules,
so a date one path refuses is refused by every path, with the same words.

The portal records the work of a programme that began with the 2009 policy: a record of work done,
a visit or a payment happened between then and today; a deadline may lie ahead, within the
programme's planning horizon; a birth date is that of somebody of working age."""

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils import timezone

FIRST_YEAR = 2009
PROGRAMME_START = dt.date(FIRST_YEAR, 1, 1)
# China's minimum working age; staff are at least this old on the day they start.
WORKING_AGE = 16
# Staff born earlier than this would have been over 65 when the policy began: no working age.
EARLIEST_BIRTH = dt.date(1944, 1, 1)
# A career in the office may have begun long before the policy (a transferred veteran), but not
# before anyone of working age in 2009 could have started work.
EARLIEST_CAREER = EARLIEST_BIRTH.replace(year=EARLIEST_BIRTH.year + WORKING_AGE)
# Deadlines are set at most this many years ahead (a rectification due next year, say).
PLANNING_YEARS = 2


# The ways a date is typed, as the import (core/spreadsheets/cells.py) reads them; strptime takes
# 5 for 05, and full-width digits. The date picker sends the first.
TYPED_FORMATS = ["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y年%m月%d号", "%Y%m%d"]


INVALID = "请输入有效日期,如 2012-12-05、2012.12.5、2012/12/5 或 2012年12月5日。"


class TypedDateInput(forms.DateInput):
    """A date picker whose typed text is read as the import reads a cell: full-width digits and
    punctuation (２０１２－１２－０５, 2012。12。5) made ordinary first."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).replace("。", ".").strip()
        return value


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (a negative number: later); 29 February → 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class DateRule:
    """What one kind of date admits: from `earliest` to `latest` (each a function of today), and
    why, in the words the message uses."""

    kind: str  # the kind of date, as the message names it
    earliest: Callable[[dt.date], dt.date]
    latest: Callable[[dt.date], dt.date]
    why: str

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or timezone.localdate()
        return self.earliest(today), self.latest(today)

    def admits(self, today: dt.date | None = None) -> str:
        first, last = self.bounds(today)
        return f"{self.kind}须在{_day(first)}至{_day(last)}之间({self.why})"

    def problem(self, value: dt.date, today: dt.date | None = None) -> str | None:
        """The message for a date outside the rule, or None."""
        first, last = self.bounds(today)
        if first <= value <= last:
            return None
        return f"日期 {value.isoformat()} 超出范围:{self.admits(today)}。"

    def validate(self, value: dt.date | None) -> None:
        """A form field validator."""
        if value is not None and (message := self.problem(value)):
            raise forms.ValidationError(message, code="date_range")

    def widget(self, **attrs: str) -> forms.DateInput:
        """A date picker that offers only the admitted days (the browser's hint; the validator is
        the check)."""
        first, last = self.bounds()
        attrs = {"type": "date", "min": first.isoformat(), "max": last.isoformat(), **attrs}
        return TypedDateInput(attrs=attrs, format="%Y-%m-%d")

    def apply(self, field: forms.Field, **attrs: str) -> None:
        """Give a form's date field this rule: the picker's range and the validator, and the ways
        people write a date in Chinese, as the import reads them."""
        kept = {"class": field.widget.attrs["class"]} if field.widget.attrs.get("class") else {}
        field.widget = self.widget(**kept, **attrs)
        field.input_formats = TYPED_FORMATS
        if field.error_messages.get("invalid") == forms.DateField.default_error_messages["invalid"]:
            field.error_messages["invalid"] = (
                "请输入有效日期,如 2012-12-05、2012.12.5、2012/12/5 或 2012年12月5日。"
            )
        if self.validate not in field.validators:
            field.validators.append(self.validate)


# Work done, a rule posted, a check held, a visit, a payment: since the policy, and not in the future.
WORK = DateRule(
    "工作日期",
    lambda today: PROGRAMME_START,
    lambda today: today,
    f"记录的是{FIRST_YEAR}年政策实施以来已经发生的事",
)
# The day a person came to or left the office.
CAREER = DateRule(
    "到岗、离岗日期",
    lambda today: EARLIEST_CAREER,
    lambda today: today,
    "不能晚于今天",
)
BIRTH = DateRule(
    "出生日期",
    lambda today: EARLIEST_BIRTH,
    lambda today: years_before(today, WORKING_AGE),
    f"工作人员须年满{WORKING_AGE}周岁",
)
# A deadline or the planned end of something under way.
DEADLINE = DateRule(
    "期限",
    lambda today: PROGRAMME_START,
    lambda today: dt.date(today.year + PLANNING_YEARS, 12, 31),
    f"最远可定到{PLANNING_YEARS}年后的年底",
)


def programme_years(today: dt.date | None = None) -> list[int]:
    """Years a record or an assessment may be for, newest first: from the policy's first year to
    next year (an office plans next year's budget and training before it begins)."""
    today = today or timezone.localdate()
    return list(range(today.year + 1, FIRST_YEAR - 1, -1))


def too_young(birth: dt.date | None, started: dt.date | None) -> str | None:
    """The message when a person would start work below working age, or None."""
    if birth and started and started < years_before(birth, -WORKING_AGE):
        return f"到岗时须年满{WORKING_AGE}周岁,请检查出生日期和到岗日期。"
    return None


def year_problem(year: int, today: dt.date | None = None) -> str | None:
    """The message for a year outside the programme years, or None."""
    years = programme_years(today)
    if years[-1] <= year <= years[0]:
        return None
    return f"年度须在 {years[-1]} 至 {years[0]} 之间(政策实施以来,最远到明年)。"
