"""Every URL of the portal, for every role, on an object in town A's scope and one in town C's
(another county), by GET and POST: the exact answer each must get, and no write that is not meant.

Roles: anonymous; town A; town B (same county as A); town C (other county); the inspector of A's
county; the inspector of C's county; the city bureau; the administrator.

A new URL fails `test_every_url_is_in_the_matrix` until it has a row here.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jiaxing_minzheng.choices import Role
from tests import factories

ROLES = ("anonymous", "town_a", "town_b", "town_c", "county_a", "county_c", "city", "admin")
LOGIN = 302  # anonymous users are sent to the login page
SAFE_ONLY = 405  # read pages answer POST with 405


def office_scope(role: str, side: str) -> int:
    """A page of an office or its records: who sees side A (南湖区 建设街道) and side C (秀洲区 新城街道)."""
    if role == "anonymous":
        return LOGIN
    if role == "admin":
        return 403
    if role == "city":
        return 200
    sees = {"town_a": "a", "county_a": "a", "town_c": "c", "county_c": "c"}.get(role)
    return 200 if sees == side else 404


def county_scope(role: str, side: str) -> int:
    if role == "anonymous":
        return LOGIN
    if role == "city":
        return 200
    if role in ("county_a", "county_c"):
        return 200 if role[-1] == side else 404
    return 403


def managers_only(ok: int) -> Callable[[str, str], int]:
    def expect(role: str, side: str) -> int:
        if role == "anonymous":
            return LOGIN
        return ok if role in ("city", "admin") else 403

    return expect


def city_only(role: str, side: str) -> int:
    return LOGIN if role == "anonymous" else (200 if role == "city" else 403)


def every_user(ok: int) -> Callable[[str, str], int]:
    return lambda role, side: LOGIN if role == "anonymous" else ok


def always(status: int) -> Callable[[str, str], int]:
    return lambda role, side: status


def account_edit(ok: int) -> Callable[[str, str], int]:
    """Side A is town A's account (the city manages it); side C is the administrator's (it does not)."""

    def expect(role: str, side: str) -> int:
        if role == "anonymous":
            return LOGIN
        if role == "admin":
            return ok
        if role == "city":
            return ok if side == "a" else 404
        return 403

    return expect


@dataclass
class Row:
    url: Callable[[Any, str], str]
    get: Callable[[str, str], int]
    post: Callable[[str, str], int]
    payload: Callable[[Any, str], dict] = lambda world, side: {}
    # (role, side) pairs whose POST is meant to write
    writes: Callable[[str, str, int], bool] = lambda role, side, status: False


def _office(world, side: str):
    return world.office_a if side == "a" else world.office_c


_counter = itertools.count()


def _new_user(world, side: str) -> dict:
    return {
        "username": f"matrix_{next(_counter)}",
        "full_name": "矩阵测试",
        "role": Role.TOWN,
        "office": _office(world, side).pk,
        "is_active": "on",
        "password1": "Matrix-pass-2010",
        "password2": "Matrix-pass-2010",
    }


def _edit_user(world, side: str) -> dict:
    account = world.town_a if side == "a" else world.admin
    return {
        "full_name": account.full_name,
        "role": account.role,
        "office": account.office_id or "",
        "is_active": "on",
    }


MATRIX: dict[str, Row] = {
    "home": Row(lambda w, s: reverse("home"), get=every_user(302), post=always(SAFE_ONLY)),
    "login": Row(
        lambda w, s: reverse("login"),
        get=lambda r, s: 200 if r == "anonymous" else 302,
        post=lambda r, s: 200 if r == "anonymous" else 302,
    ),
    "logout": Row(lambda w, s: reverse("logout"), get=always(405), post=always(302)),
    "password_change": Row(
        lambda w, s: reverse("password_change"), get=every_user(200), post=every_user(200)
    ),
    "portal:user_list": Row(
        lambda w, s: reverse("portal:user_list"), get=managers_only(200), post=always(SAFE_ONLY)
    ),
    "portal:user_create": Row(
        lambda w, s: reverse("portal:user_create"),
        get=managers_only(200),
        post=managers_only(302),
        payload=_new_user,
        writes=lambda role, side, status: status == 302 and role in ("city", "admin"),
    ),
    "portal:user_edit": Row(
        lambda w, s: reverse("portal:user_edit", args=[(w.town_a if s == "a" else w.admin).pk]),
        get=account_edit(200),
        post=account_edit(302),
        payload=_edit_user,
        writes=lambda role, side, status: status == 302 and role in ("city", "admin"),
    ),
    "portal:security_log": Row(
        lambda w, s: reverse("portal:security_log"), get=managers_only(200), post=always(SAFE_ONLY)
    ),
    "offices:county_list": Row(
        lambda w, s: reverse("offices:county_list"), get=city_only, post=always(SAFE_ONLY)
    ),
    "offices:county_detail": Row(
        lambda w, s: reverse("offices:county_detail", args=[_office(w, s).town.county.code]),
        get=county_scope,
        post=always(SAFE_ONLY),
    ),
    "offices:office_detail": Row(
        lambda w, s: reverse("offices:office_detail", args=[_office(w, s).town.code]),
        get=office_scope,
        post=always(SAFE_ONLY),
    ),
    "offices:office_history": Row(
        lambda w, s: reverse("offices:office_history", args=[_office(w, s).town.code]),
        get=office_scope,
        post=always(SAFE_ONLY),
    ),
    "object_history": Row(
        lambda w, s: reverse("object_history", args=["offices.budget", w.budgets[s].pk]),
        get=office_scope,
        post=always(SAFE_ONLY),
    ),
}


def _url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: staff only, covered by test_admin_is_for_staff_only
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    assert _url_names() == set(MATRIX), "add a row to MATRIX for every new URL"


def _fingerprint() -> tuple:
    """The newest audit row of every tracked table and the object-permission rows: any write moves it."""
    marks = []
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            marks.append(model.objects.aggregate(m=Max("history_id"))["m"])
        elif model._meta.label in ("portal.OfficeUserObjectPermission", "portal.CountyUserObjectPermission"):
            marks.append(model.objects.count())
    return tuple(marks)


@pytest.fixture
def matrix_world(world):
    world.budgets = {"a": factories.budget(world.office_a, 2010), "c": factories.budget(world.office_c, 2010)}
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, matrix_world):
    row = MATRIX[name]
    failures = []
    for role, side, method in itertools.product(ROLES, ("a", "c"), ("GET", "POST")):
        user = matrix_world.roles()[role]
        client = factories.client_for(user)
        url = row.url(matrix_world, side)
        if method == "GET":
            expected = row.get(role, side)
            status = client.get(url).status_code
        else:
            expected = row.post(role, side)
            before = _fingerprint()
            status = client.post(url, row.payload(matrix_world, side)).status_code
            if _fingerprint() != before and not row.writes(role, side, status):
                failures.append(f"{role} POST {url} ({side}) wrote to the database")
        if status != expected:
            failures.append(f"{role} {method} {url} ({side}): {status}, expected {expected}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_is_for_staff_only(world):
    url = reverse("admin:index")
    for role in ("anonymous", "town_a", "county_a", "city"):
        response = factories.client_for(world.roles()[role]).get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
