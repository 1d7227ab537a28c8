import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from staffing.models import TrainingAttendance, TrainingEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_end_date_must_follow_start_date():
    office = factories.office(factories.TOWN_A)
    _refused(lambda: factories.staff(office, started_on=dt.date(2010, 5, 1), ended_on=dt.date(2010, 4, 30)))
    _refused(lambda: factories.staff(office, started_on=dt.date(2010, 5, 1), ended_on=dt.date(2010, 5, 1)))
    factories.staff(office, started_on=dt.date(2010, 5, 1), ended_on=dt.date(2011, 5, 1))


def test_birth_date_before_start_date():
    office = factories.office(factories.TOWN_A)
    _refused(lambda: factories.staff(office, birth_date=dt.date(2011, 1, 1), started_on=dt.date(2010, 5, 1)))


def test_county_training_names_its_county_and_city_training_none():
    county = factories.county("330402")
    base = {
        "kind": "periodic",
        "title": "培训",
        "starts_on": dt.date(2010, 4, 1),
        "ends_on": dt.date(2010, 4, 2),
    }
    _refused(lambda: TrainingEvent.objects.create(level="county", **base))
    _refused(lambda: TrainingEvent.objects.create(level="city", county=county, **base))
    TrainingEvent.objects.create(level="county", county=county, **base)
    TrainingEvent.objects.create(level="city", **base)


def test_training_cannot_end_before_it_starts():
    _refused(
        lambda: TrainingEvent.objects.create(
            level="city",
            kind="initial",
            title="初任培训",
            starts_on=dt.date(2010, 4, 2),
            ends_on=dt.date(2010, 4, 1),
        )
    )


def test_one_attendance_per_person_and_event():
    office = factories.office(factories.TOWN_A)
    person = factories.staff(office)
    event = TrainingEvent.objects.create(
        level="city",
        kind="initial",
        title="初任培训",
        starts_on=dt.date(2010, 4, 1),
        ends_on=dt.date(2010, 4, 1),
    )
    TrainingAttendance.objects.create(event=event, staff=person)
    _refused(lambda: TrainingAttendance.objects.create(event=event, staff=person))
