"""The staffing services on their own: they check again what the views check, so a caller that
forgets (a command, a future page) still cannot record for another county."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from offices.models import Office
from staffing import services
from staffing.models import TrainingAttendance, TrainingEvent
from tests import factories

from . import helpers

pytestmark = pytest.mark.django_db


def test_event_create_takes_level_from_the_county_given(world):
    county = helpers.county_of(world.office_a)
    event = services.training_event_create(
        actor=world.county_a,
        event=TrainingEvent(kind="periodic", title="t", starts_on="2010-01-01", ends_on="2010-01-01"),
        county=county,
    )
    assert (event.level, event.county, event.version) == ("county", county, 1)


@pytest.mark.parametrize(
    ("role", "side"), [("county_a", "c"), ("city", "a"), ("town_a", "a"), ("county_a", None)]
)
def test_event_create_refuses_who_may_not_record(world, role, side):
    county = None if side is None else helpers.county_of(world.office_a if side == "a" else world.office_c)
    event = TrainingEvent(kind="periodic", title="t", starts_on="2010-01-01", ends_on="2010-01-01")
    with pytest.raises(PermissionDenied):
        services.training_event_create(actor=world.roles()[role], event=event, county=county)
    assert not TrainingEvent.objects.exists()


def test_event_update_and_delete_refuse_the_city_on_county_events(world):
    event = helpers.event(helpers.county_of(world.office_a))
    with pytest.raises(PermissionDenied):
        services.training_event_update(actor=world.city, event=event, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.training_event_delete(actor=world.city, event=event)
    assert TrainingEvent.objects.filter(pk=event.pk).exists()


def test_attendance_set_is_limited_to_the_offices_the_actor_records_for(world):
    event = helpers.event(helpers.county_of(world.office_a))
    theirs = helpers.person(world.office_c)
    # Even if a caller passes every office, another county's staff are refused, all or nothing.
    with pytest.raises(ValidationError):
        services.training_attendance_set(
            actor=world.county_a, event=event, offices=Office.objects.all(), staff_ids=[theirs.pk]
        )
    assert not TrainingAttendance.objects.exists()


def test_attendance_set_reports_what_changed(world):
    event = helpers.event(None)
    a, b, c = (helpers.person(world.office_a) for _ in range(3))
    helpers.attend(event, a, b)
    change = services.training_attendance_set(
        actor=world.city,
        event=event,
        offices=Office.objects.filter(pk=world.office_a.pk),
        staff_ids=[b.pk, c.pk],
    )
    assert (change.added, change.removed) == (1, 1)
    assert set(event.attendances.values_list("staff_id", flat=True)) == {b.pk, c.pk}
    again = services.training_attendance_set(
        actor=world.city,
        event=event,
        offices=Office.objects.filter(pk=world.office_a.pk),
        staff_ids=[b.pk, c.pk],
    )
    assert (again.added, again.removed) == (0, 0)


def test_staff_member_save_names_the_actor(world):
    member = factories.staff(world.office_a)
    member.phone = "123"
    services.staff_member_save(actor=world.town_a, staff=member, expected_version=1)
    assert member.history.order_by("-history_date").first().history_user == world.town_a
