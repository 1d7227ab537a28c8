"""Builders for the staffing tests: training events, attendance and valid form payloads."""

import datetime as dt
import itertools

from offices.models import County, Office
from staffing.choices import TrainingKind, TrainingLevel
from staffing.models import StaffMember, TrainingAttendance, TrainingEvent
from tests import factories

_names = itertools.count()


def event(county: County | None = None, *, year: int = 2010, **overrides) -> TrainingEvent:
    """A county's training when `county` is given, else a city training."""
    values = {
        "level": TrainingLevel.COUNTY if county is not None else TrainingLevel.CITY,
        "county": county,
        "kind": TrainingKind.PERIODIC,
        "title": f"{county.name if county else '全市'}{year}年民政业务培训",
        "starts_on": dt.date(year, 4, 20),
        "ends_on": dt.date(year, 4, 21),
        "location": "会议室",
    }
    values.update(overrides)
    return TrainingEvent.objects.create(**values)


def county_of(office: Office) -> County:
    return office.town.county


def attend(training: TrainingEvent, *people: StaffMember) -> None:
    for person in people:
        TrainingAttendance.objects.create(event=training, staff=person)


def person(office: Office, **overrides) -> StaffMember:
    """A staff member with a name of its own (names show on pages, so tests can look for them)."""
    overrides.setdefault("name", f"人员{next(_names):03d}")
    return factories.staff(office, **overrides)


def staff_payload(**overrides) -> dict:
    """A valid staff form submission."""
    values = {
        "name": "李明",
        "sex": "F",
        "birth_date": "1985-06-01",
        "education": "bachelor",
        "employment_type": "institution",
        "is_full_time": "on",
        "post": "staff",
        "started_on": "2009-03-01",
        "ended_on": "",
        "phone": "0573-82000000",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def staff_edit_payload(member: StaffMember, **overrides) -> dict:
    """The edit form as shown for `member`, with changes."""
    values = {
        "name": member.name,
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat(),
        "education": member.education,
        "employment_type": member.employment_type,
        "post": member.post,
        "started_on": member.started_on.isoformat(),
        "ended_on": member.ended_on.isoformat() if member.ended_on else "",
        "phone": member.phone,
        "version": member.version,
    }
    if member.is_full_time:
        values["is_full_time"] = "on"
    values.update(overrides)
    return values


def probation_payload(**overrides) -> dict:
    values = {
        "place": "南湖区民政局",
        "starts_on": "2010-03-01",
        "ends_on": "2010-05-31",
        "assessment": "见习期满,考核合格。",
    }
    values.update(overrides)
    return values


def event_payload(**overrides) -> dict:
    values = {
        "kind": "periodic",
        "title": "2011年镇(街道)民政业务培训",
        "starts_on": "2011-04-20",
        "ends_on": "2011-04-21",
        "location": "区民政局会议室",
        "content": "低保政策。",
    }
    values.update(overrides)
    return values


def event_edit_payload(training: TrainingEvent, **overrides) -> dict:
    values = {
        "kind": training.kind,
        "title": training.title,
        "starts_on": training.starts_on.isoformat(),
        "ends_on": training.ends_on.isoformat(),
        "location": training.location,
        "content": training.content,
        "version": training.version,
    }
    values.update(overrides)
    return values
