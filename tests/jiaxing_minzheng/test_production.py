"""Production settings, as the bureau's servers run them: `check --deploy` is clean, HTTPS is
enforced with HSTS, cookies are Secure/HttpOnly/SameSite, every answer has the security headers;
and the pieces operations rely on: /healthz, one log line per request, the client's address."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from portal.security import client_ip
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path) -> dict[str, str]:
    key_file = tmp_path / "backup-signing.key"
    key_file.write_text(secrets.token_hex(32) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "jiaxing_minzheng.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "minzheng.example.gov.cn,testserver",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://minzheng.example.gov.cn",
            "DJANGO_BEHIND_PROXY": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
            "EVIDENCE_ROOT": str(tmp_path / "evidence"),
            "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
            "BACKUP_SIGNING_KEY_FILE": str(key_file),
        }
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603


def test_the_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_does_fail_on_development_settings(tmp_path):
    env = production_env(tmp_path)
    env["DJANGO_DEBUG"] = "true"
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


# Requests as nginx forwards them, answered by the production settings in their own process.
PROBE = """
import json
import django
django.setup()
from django.test import Client
c = Client()
https = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https"}
plain = c.get("/accounts/login/")
health = c.get("/healthz")
page = c.get("/accounts/login/", **https)
cookie = page.cookies["csrftoken"]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "health": health.status_code,
    "page": page.status_code,
    "headers": {k: page.get(k, "") for k in (
        "Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options",
        "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy")},
    "cookie": {k: cookie[k] for k in ("secure", "httponly", "samesite")},
}))
"""


def test_production_answers_with_https_hsts_and_safe_cookies(tmp_path):
    env = production_env(tmp_path)
    # As a deployment does: migrate and collect the static files (the pages name their hashed copies).
    for step in (["migrate"], ["collectstatic"]):
        done = run(["manage.py", *step, "--noinput", "--verbosity", "0"], env)
        assert done.returncode == 0, done.stderr
    result = run(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Plain HTTP is sent to HTTPS; the health probe of a load balancer is not.
    assert seen["plain"] == [301, "https://testserver/accounts/login/"]
    assert seen["health"] == 200
    assert seen["page"] == 200
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert seen["cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}


@pytest.mark.django_db
def test_the_session_cookie_is_secure_httponly_and_samesite(world, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = factories.client_for(world.town_a).get("/", secure=True)
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_healthz_answers_ok_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down_and_tells_nothing_more(caplog):
    refused = OperationalError('connection to server at "10.0.0.5", port 5432 failed: password')
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=refused):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "10.0.0.5" in caplog.text  # the reason goes to the server's log, not to the caller


@pytest.mark.django_db
def test_one_log_line_per_request_with_user_status_and_time(world, caplog):
    client = factories.client_for(world.town_a)
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get(f"/offices/{world.office_a.town.code}/staff/?q=张三")
        Client().get("/offices/counties/")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.request"]
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"request GET /offices/{world.office_a.town.code}/staff/ 200 ")
    assert "user=town_a ip=127.0.0.1" in lines[0]
    assert "张三" not in lines[0]  # searches stay out of the log
    assert lines[1].startswith("request GET /offices/counties/ 302 ") and "user=-" in lines[1]
    assert all(r.created for r in caplog.records)  # the formatter prints the time


@pytest.mark.django_db
def test_security_events_log_one_line_each(world, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        Client().post("/accounts/login/", {"username": "town_a", "password": "wrong"})
        factories.client_for(world.town_a).get(f"/offices/{world.office_c.town.code}/")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert any(line.startswith("security login_failed user=town_a ip=127.0.0.1") for line in lines), lines
    assert any(line.startswith("security denied user=town_a") for line in lines), lines


def test_the_client_address_comes_from_nginx_only_behind_the_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.3.4.5")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"  # a client cannot choose its address
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "10.3.4.5"
    garbled = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="<script>")
    assert client_ip(garbled) == "127.0.0.1"
