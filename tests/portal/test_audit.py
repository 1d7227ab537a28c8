"""The audit trail: who changed what and when, before and after; readable, never editable."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from offices.models import Budget
from portal.choices import Role
from portal.models import CountyUserObjectPermission, OfficeUserObjectPermission, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    user = factories.user("root", Role.ADMIN)
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user


def _budget_form(office, funds: str) -> dict:
    return {"office": office.pk, "year": 2010, "guaranteed_funds": funds, "spending": "0", "note": ""}


def test_admin_create_change_delete_keep_who_when_and_values(superuser):
    office = factories.office(factories.TOWN_A)
    client = factories.client_for(superuser)
    assert client.post(reverse("admin:offices_budget_add"), _budget_form(office, "30000")).status_code == 302
    budget = Budget.objects.get(office=office, year=2010)
    change = reverse("admin:offices_budget_change", args=[budget.pk])
    assert client.post(change, _budget_form(office, "45000.50")).status_code == 302
    assert (
        client.post(reverse("admin:offices_budget_delete", args=[budget.pk]), {"post": "yes"}).status_code
        == 302
    )

    rows = list(Budget.history.filter(id=budget.pk).order_by("history_date"))
    assert [r.history_type for r in rows] == ["+", "~", "-"]
    assert [r.guaranteed_funds for r in rows] == [Decimal("30000"), Decimal("45000.50"), Decimal("45000.50")]
    assert {r.history_user for r in rows} == {superuser}
    assert all(r.history_date is not None for r in rows)


def test_object_history_page_shows_before_and_after(world):
    budget = factories.budget(world.office_a, 2010, "30000")
    budget.guaranteed_funds = Decimal("52000")
    budget._history_user = world.town_a
    budget.save()
    url = reverse("object_history", args=["offices.budget", budget.pk])
    body = factories.client_for(world.county_a).get(url).content.decode()
    assert "保障办公经费(元)" in body and "30000.00" in body and "52000" in body
    assert "town_a" in body
    assert factories.client_for(world.city).get(url).status_code == 200
    assert factories.client_for(world.county_c).get(url).status_code == 404
    assert factories.client_for(world.town_b).get(url).status_code == 404
    # History is read-only: there is nothing to post to.
    assert factories.client_for(world.city).post(url).status_code == 405


def test_history_of_a_deleted_record_stays_readable_in_scope(world):
    budget = factories.budget(world.office_a, 2011)
    pk = budget.pk
    budget.delete()
    url = reverse("object_history", args=["offices.budget", pk])
    body = factories.client_for(world.county_a).get(url).content.decode()
    assert "已删除" in body
    assert factories.client_for(world.county_c).get(url).status_code == 404


def test_office_activity_lists_changes_across_records(world):
    factories.budget(world.office_a, 2010)
    factories.duty_record(world.office_a)
    factories.duty_record(world.office_b)
    url = reverse("offices:office_history", args=[factories.TOWN_A])
    body = factories.client_for(world.county_a).get(url).content.decode()
    assert "办公经费" in body and "工作台账" in body
    assert "共 2 条" in body


def test_office_activity_query_count_is_flat(world):
    client = factories.client_for(world.county_a)
    url = reverse("offices:office_history", args=[factories.TOWN_A])
    # The page costs one query per kind of record shown (at most ten), never one per row.
    factories.duty_record(world.office_a)
    factories.budget(world.office_a, 2009)
    few = factories.count_queries(client, url)
    for year in range(2010, 2060):  # interleaved, so every page shows both kinds as before
        factories.duty_record(world.office_a, title=f"台账 {year}")
        factories.budget(world.office_a, year)
    assert factories.count_queries(client, url) == few


def test_object_permission_tables_are_not_editable_in_the_admin():
    registered = admin.site._registry
    assert OfficeUserObjectPermission not in registered
    assert CountyUserObjectPermission not in registered


def test_non_superuser_staff_cannot_grant_themselves_more(world):
    staff = world.admin
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    client = factories.client_for(staff)
    url = reverse("admin:portal_user_change", args=[staff.pk])
    form = client.get(url).context["adminform"].form
    assert {"is_superuser", "user_permissions", "groups"} <= set(
        client.get(url).context["adminform"].readonly_fields
    )
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions")
    }
    data.update(
        {"is_superuser": "on", "role": Role.ADMIN, "date_joined_0": "2010-01-01", "date_joined_1": "00:00:00"}
    )
    client.post(url, data)
    assert not User.objects.get(pk=staff.pk).is_superuser


def test_attachment_changes_appear_in_the_office_activity_and_history(world):
    from duties.models import DutyRecordAttachment
    from tests.duties.helpers import attachment

    record = factories.duty_record(world.office_a)
    added = attachment(record, actor=world.town_a)
    pk = added.pk
    record.delete()  # the record and its attachment are gone; their history stays readable
    activity = factories.client_for(world.county_a).get(
        reverse("offices:office_history", args=[factories.TOWN_A])
    )
    assert "台账附件" in activity.content.decode()
    url = reverse("object_history", args=["duties.dutyrecordattachment", pk])
    assert factories.client_for(world.county_a).get(url).status_code == 200
    assert factories.client_for(world.county_c).get(url).status_code == 404
    assert not DutyRecordAttachment.objects.filter(pk=pk).exists()
