"""The permissions module: which offices and counties each role reaches, and bindings taking effect."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from offices.models import Office
from portal.account_services import user_update
from portal.choices import Role, SecurityEventKind
from portal.models import SecurityEvent
from portal.permissions import Action, can, counties_for, get_office_or_deny, offices_for
from tests import factories

pytestmark = pytest.mark.django_db


def _codes(queryset) -> set[str]:
    return set(queryset.values_list("town__code", flat=True))


def test_town_staff_see_and_file_only_their_office(world):
    assert _codes(offices_for(world.town_a, Action.VIEW)) == {factories.TOWN_A}
    assert _codes(offices_for(world.town_a, Action.FILE)) == {factories.TOWN_A}
    assert not offices_for(world.town_a, Action.ASSESS).exists()
    assert can(world.town_a, Action.FILE, world.office_a)
    assert not can(world.town_a, Action.VIEW, world.office_b)


def test_county_inspector_sees_and_assesses_every_office_of_its_county_only(world):
    nanhu = set(Office.objects.filter(town__county__code="330402").values_list("town__code", flat=True))
    assert _codes(offices_for(world.county_a, Action.VIEW)) == nanhu
    assert _codes(offices_for(world.county_a, Action.ASSESS)) == nanhu
    assert not offices_for(world.county_a, Action.FILE).exists()
    assert list(counties_for(world.county_a).values_list("code", flat=True)) == ["330402"]
    assert not can(world.county_a, Action.VIEW, world.office_c)


def test_city_sees_everything_and_files_nothing(world):
    assert offices_for(world.city, Action.VIEW).count() == 72
    assert counties_for(world.city).count() == 7
    assert not offices_for(world.city, Action.FILE).exists()
    assert not offices_for(world.city, Action.ASSESS).exists()


def test_administrator_sees_no_office_records(world):
    assert not offices_for(world.admin, Action.VIEW).exists()
    with pytest.raises(PermissionDenied):
        get_office_or_deny(world.admin, Action.VIEW, town_code=factories.TOWN_A)


def test_records_inherit_access_through_their_office(world):
    record = factories.duty_record(world.office_a)
    assert can(world.town_a, Action.FILE, record)
    assert can(world.county_a, Action.VIEW, record)
    assert not can(world.town_b, Action.VIEW, record)
    assert not can(world.county_c, Action.VIEW, record)


def test_out_of_scope_is_404_and_logged_in_scope_without_right_is_403(world):
    with pytest.raises(Http404):
        get_office_or_deny(world.town_b, Action.VIEW, town_code=factories.TOWN_A)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.DENIED, user=world.town_b).exists()
    with pytest.raises(PermissionDenied):
        get_office_or_deny(world.county_a, Action.FILE, town_code=factories.TOWN_A)
    with pytest.raises(Http404):
        get_office_or_deny(world.city, Action.VIEW, town_code="999999999")


def test_rebinding_a_user_moves_their_access_at_once(world):
    user_update(actor=world.city, user=world.town_a, role=Role.TOWN, full_name="甲", office=world.office_c)
    assert _codes(offices_for(world.town_a, Action.VIEW)) == {factories.TOWN_C}
    user_update(
        actor=world.city,
        user=world.town_a,
        role=Role.COUNTY,
        full_name="甲",
        county=world.office_c.town.county,
    )
    assert not offices_for(world.town_a, Action.FILE).exists()
    assert (
        offices_for(world.town_a, Action.VIEW).count()
        == Office.objects.filter(town__county__code="330411").count()
    )


def test_deactivating_a_user_removes_their_access(world):
    user_update(
        actor=world.city,
        user=world.town_a,
        role=Role.TOWN,
        full_name="甲",
        office=world.office_a,
        is_active=False,
    )
    world.town_a.refresh_from_db()
    assert not offices_for(world.town_a, Action.VIEW).exists()


def test_city_manages_only_county_and_town_accounts(world):
    with pytest.raises(PermissionDenied):
        user_update(actor=world.city, user=world.admin, role=Role.ADMIN, full_name="管理员")
    with pytest.raises(PermissionDenied):
        user_update(actor=world.city, user=world.town_a, role=Role.CITY, full_name="甲")
    with pytest.raises(PermissionDenied):
        user_update(
            actor=world.town_a, user=world.town_b, role=Role.TOWN, full_name="乙", office=world.office_b
        )


def test_scope_queries_do_not_grow_with_the_city(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(offices_for(world.county_a, Action.VIEW))
    with django_assert_num_queries(1):
        list(offices_for(world.town_a, Action.VIEW))
