"""Account pages: the administrator and the city bureau create and bind accounts in the portal."""

import pytest
from django.urls import reverse

from portal.choices import Role
from portal.models import User
from portal.permissions import Action, offices_for
from tests import factories

pytestmark = pytest.mark.django_db
NEW = reverse("portal:user_create")


def _form(**overrides) -> dict:
    data = {
        "username": "zhang_san",
        "full_name": "张三",
        "phone": "",
        "role": Role.TOWN,
        "office": "",
        "county": "",
        "is_active": "on",
        "password1": "Minzheng-2010!",
        "password2": "Minzheng-2010!",
    }
    data.update(overrides)
    return data


def test_city_creates_a_town_account_bound_to_an_office(world):
    client = factories.client_for(world.city)
    response = client.post(NEW, _form(office=world.office_b.pk))
    assert response.status_code == 302
    user = User.objects.get(username="zhang_san")
    assert user.office == world.office_b and user.role == Role.TOWN
    assert list(offices_for(user, Action.FILE)) == [world.office_b]
    assert user.history.get().history_user == world.city


def test_a_town_account_without_an_office_is_refused_in_chinese(world):
    client = factories.client_for(world.city)
    response = client.post(NEW, _form())
    assert response.status_code == 200
    assert "必须选择所属民政办" in response.content.decode()
    assert not User.objects.filter(username="zhang_san").exists()


def test_weak_or_mismatched_passwords_are_refused(world):
    client = factories.client_for(world.admin)
    body = client.post(
        NEW, _form(office=world.office_a.pk, password1="abc", password2="abc")
    ).content.decode()
    assert "密码太短" in body
    body = client.post(NEW, _form(office=world.office_a.pk, password2="Other-2010!")).content.decode()
    assert "两次输入的密码不一致" in body
    assert not User.objects.filter(username="zhang_san").exists()


def test_duplicate_username_is_refused(world):
    client = factories.client_for(world.admin)
    body = client.post(NEW, _form(username="TOWN_A", office=world.office_a.pk)).content.decode()
    assert "该用户名已被使用" in body


def test_city_cannot_create_city_or_admin_accounts(world):
    client = factories.client_for(world.city)
    response = client.post(NEW, _form(role=Role.ADMIN))
    assert response.status_code == 200
    assert not User.objects.filter(username="zhang_san").exists()
    assert "admin" not in [value for value, _ in response.context["form"].fields["role"].choices]


def test_editing_a_binding_moves_access(world):
    client = factories.client_for(world.city)
    url = reverse("portal:user_edit", args=[world.town_a.pk])
    data = _form(username="town_a", full_name="甲", office=world.office_c.pk, password1="", password2="")
    assert client.post(url, data).status_code == 302
    assert list(offices_for(world.town_a, Action.VIEW)) == [world.office_c]


def test_user_list_filters_and_scope(world):
    client = factories.client_for(world.city)
    body = client.get(reverse("portal:user_list")).content.decode()
    assert "town_a" in body and "county_a" in body
    assert ">admin<" not in body  # the city does not manage the administrator
    body = client.get(reverse("portal:user_list"), {"q": "town_c"}).content.decode()
    assert "town_c" in body and "town_a" not in body


def test_user_list_query_count_is_flat(world):
    client = factories.client_for(world.admin)
    url = reverse("portal:user_list")
    few = factories.count_queries(client, url)
    for i in range(40):
        factories.user(f"extra_{i:02d}", Role.TOWN, office_obj=world.office_a)
    assert factories.count_queries(client, url) == few


@pytest.mark.django_db
def test_createsuperuser_makes_the_first_administrator(monkeypatch):
    """A new installation starts with `manage.py createsuperuser` (docs/deploy.md)."""
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "First-admin-2010")
    call_command("createsuperuser", interactive=False, username="root", email="", verbosity=0)
    admin = User.objects.get(username="root")
    assert admin.role == Role.ADMIN and admin.is_superuser and admin.is_staff
    assert admin.office_id is None and admin.county_id is None
    assert admin.check_password("First-admin-2010")
