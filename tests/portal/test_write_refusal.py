"""A write the database or a lock refused, which no page caught, answers in Chinese
(portal.middleware.WriteRefusalMiddleware): a locked record 409, a database too busy 503 with
Retry-After, and a constraint keeps one staff member once per office whatever path writes."""

import datetime as dt

import pytest
from django.db import IntegrityError, OperationalError, transaction

from core.locks import RecordLocked
from portal.middleware import WriteRefusalMiddleware
from tests import factories

pytestmark = pytest.mark.django_db


def _answer(world, rf, error: Exception, referer: str = "http://testserver/offices/"):
    request = rf.post("/offices/", HTTP_REFERER=referer)
    request.user = world.town_a
    return WriteRefusalMiddleware(lambda r: None).process_exception(request, error)


def test_a_locked_record_answers_the_chinese_409_with_the_reason(world, rf):
    response = _answer(world, rf, RecordLocked("2010年度考核已审定,资料已锁定。"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "资料已锁定,未保存" in html and "2010年度考核已审定,资料已锁定。" in html
    assert 'href="http://testserver/offices/"' in html  # back to the page the user came from


def test_a_back_link_to_another_site_is_not_offered(world, rf):
    response = _answer(world, rf, RecordLocked("已锁定。"), referer="https://evil.example/")
    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("database is locked"),
        type("SerializationFailure", (OperationalError,), {"pgcode": "40001"})("could not serialize"),
        type("Deadlock", (OperationalError,), {"pgcode": "40P01"})("deadlock detected"),
    ],
)
def test_a_database_too_busy_answers_503_with_retry_after_in_chinese(world, rf, error):
    response = _answer(world, rf, error)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "系统繁忙,请稍后重试" in response.content.decode()


def test_another_operational_error_is_left_to_the_500_page(world, rf):
    assert _answer(world, rf, OperationalError("no such table: x")) is None


def test_one_staff_member_once_per_office_whatever_path_writes(world):
    factories.staff(world.office_a, name="李明", birth_date=dt.date(1985, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.staff(world.office_a, name="李明", birth_date=dt.date(1985, 6, 1))
    # Another office may have its own 李明 of that birth date.
    factories.staff(world.office_b, name="李明", birth_date=dt.date(1985, 6, 1))
