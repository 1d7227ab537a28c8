"""Writes that serialise, through a real server: two requests sent at the same instant from two
threads against Django's live server, each thread on its own database connection. Each case gets
exactly one effect and no 5xx: simultaneous saves of one record, simultaneous confirms of one
import, two imports of the same file confirmed together.

They run on both databases the portal supports: on PostgreSQL (DATABASE_URL=postgres://...), and on
SQLite by default, where the test database is a WAL file with production's options (busy timeout,
BEGIN IMMEDIATE; see jiaxing_minzheng/settings.py), not Django's in-memory database, whose table
locks fail at once instead of waiting and which the live server would share as one connection."""

import datetime as dt
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from duties.models import DutyRecord
from offices.models import Premises
from tests.browser.conftest import reference_data  # noqa: F401 - reloads what each flush removes
from tests.core.spreadsheets import helpers as h

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 30


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test reads the 302 itself


class Browser:
    """A user's own HTTP client against the live server: its session and CSRF cookies sent as a
    browser sends them, redirects not followed."""

    def __init__(self, base: str, user) -> None:
        client = Client()
        client.force_login(user)
        self.base = base
        # A CSRF secret of our own, sent as the cookie and as the form's token, as a browser would.
        self.csrf = secrets.token_hex(16)
        self.cookies = f"sessionid={client.cookies['sessionid'].value}; csrftoken={self.csrf}"
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _open(self, request) -> tuple[int, str]:
        request.add_header("Cookie", self.cookies)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310
        return self._open(request)


def _at_once(*calls) -> list[tuple[int, str]]:
    """Run the calls in threads released together; their (status, body) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite has an in-memory test database")
def test_on_sqlite_the_server_writes_a_wal_file_not_memory():
    # What the cases below rely on: the live server's threads open connections of their own to a WAL
    # file, as production's processes do; an in-memory database would be one connection they share.
    assert not connection.is_in_memory_db()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_two_saves_of_one_record_at_the_same_instant_keep_one(world, live_server):
    premises = Premises.objects.create(office=world.office_a, year=2011, area_m2=Decimal(50), is_fixed=True)
    url = reverse("offices:premises_edit", args=[world.office_a.town.code, 2011])
    first, second = Browser(live_server.url, world.town_a), Browser(live_server.url, world.town_a)
    answers = _at_once(
        lambda: first.post(url, {"area_m2": "70", "is_fixed": "on", "version": premises.version}),
        lambda: second.post(url, {"area_m2": "80", "is_fixed": "on", "version": premises.version}),
    )
    statuses = sorted(status for status, _ in answers)
    assert all(status < 500 for status in statuses), answers
    saved = Premises.objects.get(pk=premises.pk)
    assert saved.version == premises.version + 1  # exactly one save
    assert statuses == [200, 302]  # the other sees the conflict page, nothing overwritten
    loser = next(body for status, body in answers if status == 200)
    assert 'data-testid="conflict"' in loser


def _duty_file() -> bytes:
    rows = [["日期", "职责", "标题", "工作内容"]]
    rows += [
        [f"2011-03-{1 + i % 28:02d}", str(1 + i % 14), f"走访记录{i:03d}", "入户走访。"] for i in range(ROWS)
    ]
    return h.xlsx_bytes(rows)


def _upload(user, url: str, content: bytes) -> str:
    client = Client()
    client.force_login(user)
    token, _ = h.submit(client, url, content)
    return token


def test_one_import_confirmed_twice_at_once_imports_once(world, live_server):
    url = reverse("duties:record_import", args=[world.office_a.town.code])
    token = _upload(world.town_a, url, _duty_file())
    first, second = Browser(live_server.url, world.town_a), Browser(live_server.url, world.town_a)
    answers = _at_once(
        lambda: first.post(url, {"action": "confirm", "token": token}),
        lambda: second.post(url, {"action": "confirm", "token": token}),
    )
    assert all(status < 500 for status, _ in answers), answers
    assert DutyRecord.objects.filter(office=world.office_a).count() == ROWS


def test_two_imports_of_the_same_file_confirmed_together_file_each_record_once(world, live_server):
    url = reverse("duties:record_import", args=[world.office_a.town.code])
    content = _duty_file()
    tokens = [_upload(world.town_a, url, content) for _ in range(2)]
    first, second = Browser(live_server.url, world.town_a), Browser(live_server.url, world.town_a)
    answers = _at_once(
        lambda: first.post(url, {"action": "confirm", "token": tokens[0]}),
        lambda: second.post(url, {"action": "confirm", "token": tokens[1]}),
    )
    assert all(status < 500 for status, _ in answers), answers
    assert DutyRecord.objects.filter(office=world.office_a).count() == ROWS  # never doubled
    # A third import of the same file skips what exists, and says so.
    client = Client()
    client.force_login(world.town_a)
    _, preview = h.submit(client, url, content)
    assert "表格中的内容与现有资料完全相同,没有需要导入的内容。" in preview.content.decode()
    assert dt.date(2011, 3, 1) in set(DutyRecord.objects.values_list("date", flat=True))
