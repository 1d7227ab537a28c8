"""The account-wide login throttle (portal/throttle.py), on top of axes' per-address lock, and the
start-up warning about a proxy the settings do not trust (portal/checks.py)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.checks import run_checks
from django.db.models import F, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.choices import SecurityEventKind
from portal.models import SecurityEvent
from portal.throttle import ThrottleRules, account_delay
from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def _login(username: str, password: str, ip: str):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _wait(seconds: float) -> None:
    """Let time pass: the throttle reads the security log, so move every row into the past."""
    SecurityEvent.objects.update(at=F("at") - dt.timedelta(seconds=seconds))


def _failures(username: str = "town_a") -> int:
    return SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username=username).count()


def _throttle_refusals(username: str = "town_a") -> int:
    return SecurityEvent.objects.filter(
        kind=SecurityEventKind.LOCKED_OUT, username=username, detail__startswith="账号限速"
    ).count()


def test_forty_wrong_passwords_from_ten_addresses_delay_the_account(world, settings):
    assert (settings.LOGIN_THROTTLE_FAILURES, settings.AXES_FAILURE_LIMIT) == (10, 5)
    answers = [_login("town_a", "wrong", ip=f"10.9.0.{n % 10}") for n in range(40)]

    # Ten passwords were checked; the thirty attempts after them were refused unchecked.
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert [a.status_code for a in answers[10:]] == [429] * 30
    refused = answers[-1].content.decode()
    assert "暂停登录" in refused and "1 分钟" in refused and "15 分钟" in refused
    assert _failures() == 10 and _throttle_refusals() == 30
    # The refusals did not count against the addresses: none of them is locked by axes.
    assert AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] == 10

    # The right password from a new address waits too (it is not even checked) ...
    assert _login("town_a", factories.PASSWORD, ip="10.8.0.1").status_code == 429
    # ... and works once the delay is over.
    _wait(61)
    assert _login("town_a", factories.PASSWORD, ip="10.8.0.1").status_code == 302
    # A successful login starts the count afresh.
    assert account_delay("town_a").failures == 0
    assert _login("town_a", "wrong", ip="10.9.0.1").status_code == 200


def test_the_delay_doubles_with_each_further_failure_up_to_a_bound(world, settings):
    settings.LOGIN_THROTTLE_FAILURES = 3
    settings.LOGIN_THROTTLE_BASE_SECONDS = 60
    settings.LOGIN_THROTTLE_MAX_SECONDS = 300
    for n in range(3):
        _login("town_a", "wrong", ip=f"10.9.1.{n}")
    waits = []
    for n in range(6):
        waits.append(account_delay("town_a").wait_seconds)
        # Hammering during the delay changes nothing: refused attempts are not failures.
        for _ in range(5):
            assert _login("town_a", "wrong", ip=f"10.9.2.{n}").status_code == 429
        assert account_delay("town_a").wait_seconds <= waits[-1]
        _wait(waits[-1] + 1)
        assert _login("town_a", "wrong", ip=f"10.9.3.{n}").status_code == 200
    assert [pytest.approx(w, abs=2) for w in waits] == [60, 120, 240, 300, 300, 300]
    assert _failures() == 9

    # However many failures, the wait never exceeds the bound, and then the password works.
    assert account_delay("town_a").wait_seconds <= 300
    assert _login("town_a", factories.PASSWORD, ip="10.9.4.1").status_code == 429
    _wait(301)
    assert _login("town_a", factories.PASSWORD, ip="10.9.4.1").status_code == 302


def test_the_delay_rules():
    rules = ThrottleRules(
        failures=10, window=dt.timedelta(hours=24), base_seconds=60, max_seconds=900, known_address_days=30
    )
    assert [rules.delay_after(n) for n in (0, 9, 10, 11, 12, 13, 14, 15, 1000)] == [
        0,
        0,
        60,
        120,
        240,
        480,
        900,
        900,
        900,
    ]


def test_failures_older_than_the_window_do_not_count(world, settings):
    settings.LOGIN_THROTTLE_FAILURES = 3
    settings.LOGIN_THROTTLE_WINDOW_HOURS = 1
    for n in range(3):
        _login("town_a", "wrong", ip=f"10.9.5.{n}")
    assert account_delay("town_a").wait_seconds > 0
    now = timezone.now() + dt.timedelta(hours=1, seconds=1)
    assert account_delay("town_a", now=now).failures == 0


def test_the_per_address_lock_still_works(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        _login("town_a", "wrong", ip="10.7.0.1")
    locked = _login("town_a", factories.PASSWORD, ip="10.7.0.1")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "暂时锁定" in body and "暂停登录" not in body
    # Trying again and again from the locked address is refused unchecked: no failures are added,
    # so the account as a whole is not delayed by it, and the user gets in from elsewhere.
    for _ in range(20):
        assert _login("town_a", "wrong", ip="10.7.0.1").status_code == 429
    assert _failures() == 5
    assert account_delay("town_a").wait_seconds == 0
    assert _login("town_a", factories.PASSWORD, ip="10.7.0.2").status_code == 302


def test_an_address_the_user_signed_in_from_is_not_delayed(world):
    assert _login("town_a", factories.PASSWORD, ip="10.1.1.1").status_code == 302
    for n in range(10):
        _login("town_a", "wrong", ip=f"10.9.6.{n}")
    assert _login("town_a", factories.PASSWORD, ip="10.9.9.9").status_code == 429
    assert _login("town_a", factories.PASSWORD, ip="10.1.1.1").status_code == 302


def test_an_unknown_username_is_delayed_like_a_real_one(world):
    """The answer does not tell whether an account exists."""
    for n in range(10):
        assert _login("nobody", "wrong", ip=f"10.9.7.{n}").status_code == 200
    assert _login("nobody", "wrong", ip="10.9.7.99").status_code == 429


def test_without_axes_the_login_page_says_how_long_to_wait(world, settings):
    settings.AXES_ENABLED = False
    for n in range(10):
        _login("town_a", "wrong", ip=f"10.9.8.{n}")
    response = _login("town_a", factories.PASSWORD, ip="10.9.8.99")
    assert response.status_code == 200
    body = response.content.decode()
    assert "暂停登录" in body and "1 分钟后再试" in body
    assert _failures() == 10 and _throttle_refusals() == 1


def _portal_checks() -> list[str]:
    return [e.id for e in run_checks() if e.id.startswith("portal.W")]


def test_the_check_warns_behind_a_proxy_that_is_not_trusted(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.EVIDENCE_X_ACCEL_PREFIX = ""
    settings.BEHIND_PROXY = False
    assert _portal_checks() == ["portal.W001"]
    settings.BEHIND_PROXY = True
    assert _portal_checks() == []


def test_the_check_warns_when_downloads_go_through_nginx(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.EVIDENCE_X_ACCEL_PREFIX = "/_evidence/"
    settings.BEHIND_PROXY = False
    assert _portal_checks() == ["portal.W001"]


def test_the_check_is_quiet_without_a_proxy(settings):
    # Development, and `make serve`: plain HTTP, no redirect to HTTPS, no X-Accel-Redirect.
    settings.BEHIND_PROXY = False
    settings.EVIDENCE_X_ACCEL_PREFIX = ""
    settings.SECURE_SSL_REDIRECT = False
    for debug in (True, False):
        settings.DEBUG = debug
        assert _portal_checks() == []
    settings.DEBUG = True
    settings.SECURE_SSL_REDIRECT = True
    assert _portal_checks() == []


def test_a_proxy_header_from_the_loopback_address_is_reported_once(settings, caplog, monkeypatch):
    from django.test import RequestFactory

    from portal import security

    monkeypatch.setattr(security, "_proxy_warned", False)
    settings.BEHIND_PROXY = False
    proxied = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.3.4.5")
    with caplog.at_level("WARNING", logger="portal.security"):
        assert security.client_ip(proxied) == "127.0.0.1"  # the header is still not believed
        security.client_ip(proxied)
        security.client_ip(RequestFactory().get("/", REMOTE_ADDR="10.3.4.5", HTTP_X_REAL_IP="10.9.9.9"))
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["security proxy_untrusted"]
