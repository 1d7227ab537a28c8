"""Login, lockout, idle sessions and password changes."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.choices import SecurityEventKind
from portal.models import SecurityEvent
from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def _login(client: Client, username: str, password: str, ip: str = "10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_in_chinese():
    response = Client().get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert "用户登录" in body and "嘉兴市镇(街道)民政工作规范化建设管理平台" in body
    assert 'lang="zh-Hans"' in body


def test_anonymous_users_are_sent_to_login():
    response = Client().get(reverse("offices:office_detail", args=[factories.TOWN_A]))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_successful_and_failed_logins_are_logged(world):
    client = Client()
    assert _login(client, "town_a", "wrong").status_code == 200
    response = _login(client, "town_a", factories.PASSWORD)
    assert response.status_code == 302
    kinds = list(SecurityEvent.objects.order_by("at").values_list("kind", "username", "ip_address"))
    assert kinds == [
        (SecurityEventKind.LOGIN_FAILED, "town_a", "10.1.1.1"),
        (SecurityEventKind.LOGIN, "town_a", "10.1.1.1"),
    ]


def test_wrong_password_shows_a_chinese_message(world):
    body = _login(Client(), "town_a", "wrong").content.decode()
    assert "用户名或密码不正确" in body


def test_lockout_is_per_username_and_address(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(Client(), "town_a", "wrong", ip="10.0.0.9")
    # The same username from the same address is refused even with the right password.
    locked = _login(Client(), "town_a", factories.PASSWORD, ip="10.0.0.9")
    assert locked.status_code in (403, 429)
    assert "暂时锁定" in locked.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, username="town_a").exists()
    # A colleague behind the same address, and the same person elsewhere, still get in.
    assert _login(Client(), "town_b", factories.PASSWORD, ip="10.0.0.9").status_code == 302
    assert _login(Client(), "town_a", factories.PASSWORD, ip="10.0.0.10").status_code == 302


def test_idle_session_expires_after_30_minutes(world, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    assert _login(client, "town_a", factories.PASSWORD).status_code == 302
    page = reverse("offices:office_detail", args=[factories.TOWN_A])
    assert client.get(page).status_code == 200
    # Every request pushes the expiry 30 minutes ahead ...
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)
    # ... and once 30 idle minutes have passed the session is gone.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_password_change_ends_the_other_sessions(world):
    here, elsewhere = Client(), Client()
    _login(here, "town_a", factories.PASSWORD)
    _login(elsewhere, "town_a", factories.PASSWORD, ip="10.2.2.2")
    response = here.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Jiaxing-2011-new",
            "new_password2": "Jiaxing-2011-new",
        },
    )
    assert response.status_code == 302
    page = reverse("offices:office_detail", args=[factories.TOWN_A])
    assert here.get(page).status_code == 200
    assert elsewhere.get(page).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=world.town_a).exists()


def test_password_change_applies_the_validators(world):
    client = factories.client_for(world.town_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "这个密码太常见了" in response.content.decode() or "全部为数字" in response.content.decode()


def test_logout_is_a_post_and_logged(world):
    client = Client()
    _login(client, "town_a", factories.PASSWORD)
    assert client.post(reverse("logout")).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGOUT, username="town_a").exists()
    assert client.get(reverse("home")).status_code == 302


def test_login_does_not_write_an_audit_row(world):
    before = world.town_a.history.count()
    _login(Client(), "town_a", factories.PASSWORD)
    world.town_a.refresh_from_db()
    assert world.town_a.last_login is not None
    assert world.town_a.history.count() == before
