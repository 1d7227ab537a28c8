"""Every URL of the portal, for every role, on an object of side a and of side c, by GET and POST:
the exact answer each must get, no write that is not meant, and the security headers (the Content
Security Policy among them) on every answer. See tests/matrix.py.

A new URL fails `test_every_url_is_in_the_matrix` until it has a row.
"""

import importlib
import itertools

import pytest
from django.apps import apps
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.choices import Role
from tests import factories
from tests.matrix import (
    ROLES,
    SAFE_ONLY,
    Row,
    account_edit,
    always,
    city_only,
    counter,
    county_scope,
    every_user,
    managers_only,
    office,
    office_scope,
)

# Apps whose URLs are listed in tests/<app>/matrix_rows.py.
ROW_MODULES = (
    "tests.offices.matrix_rows",
    "tests.duties.matrix_rows",
    "tests.staffing.matrix_rows",
    "tests.assessment.workflow.matrix_rows",
    "tests.assessment.workflow.matrix_rows_city",
    "tests.assessment.workflow.rectification_matrix_rows",
    "tests.assessment.reports.matrix_rows",
    "tests.assessment.corrections.matrix_rows",
)


def _new_user(world, side: str) -> dict:
    return {
        "username": f"matrix_{next(counter)}",
        "full_name": "矩阵测试",
        "role": Role.TOWN,
        "office": office(world, side).pk,
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


def _manager_writes(role: str, side: str, status: int) -> bool:
    return status == 302 and role in ("city", "admin")


PORTAL_ROWS: dict[str, Row] = {
    "home": Row(lambda w, s: reverse("home"), get=every_user(302), post=always(SAFE_ONLY)),
    # Open to anyone, load balancers included: it says only "ok" (tests/portal/test_health.py).
    "healthz": Row(lambda w, s: reverse("healthz"), get=always(200), post=always(SAFE_ONLY)),
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
        writes=_manager_writes,
    ),
    "portal:user_edit": Row(
        lambda w, s: reverse("portal:user_edit", args=[(w.town_a if s == "a" else w.admin).pk]),
        get=account_edit(200),
        post=account_edit(302),
        payload=_edit_user,
        writes=_manager_writes,
    ),
    "portal:security_log": Row(
        lambda w, s: reverse("portal:security_log"), get=managers_only(200), post=always(SAFE_ONLY)
    ),
    "offices:county_list": Row(
        lambda w, s: reverse("offices:county_list"), get=city_only, post=always(SAFE_ONLY)
    ),
    "offices:county_detail": Row(
        lambda w, s: reverse("offices:county_detail", args=[office(w, s).town.county.code]),
        get=county_scope,
        post=always(SAFE_ONLY),
    ),
    "object_history": Row(
        lambda w, s: reverse("object_history", args=["offices.budget", w.budgets[s].pk]),
        get=office_scope,
        post=always(SAFE_ONLY),
    ),
}


def _modules():
    return [importlib.import_module(name) for name in ROW_MODULES]


def _all_rows() -> dict[str, Row]:
    rows = dict(PORTAL_ROWS)
    for module in _modules():
        overlap = set(rows) & set(module.ROWS)
        assert not overlap, f"{module.__name__} repeats {overlap}"
        rows.update(module.ROWS)
    return rows


MATRIX = _all_rows()


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
    assert _url_names() == set(MATRIX), "add a row to the matrix for every new URL"


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
    for module in _modules():
        if hasattr(module, "setup"):
            module.setup(world)
    return world


# Every answer of every URL, redirects and refusals included, carries these (and a CSP).
SECURITY_HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, matrix_world):
    row = MATRIX[name]
    failures = []
    for role, side, method in itertools.product(ROLES, ("a", "c"), ("GET", "POST")):
        client = factories.client_for(matrix_world.roles()[role])
        url = row.url(matrix_world, side)
        if method == "GET":
            expected = row.get(role, side)
            response = client.get(url)
        else:
            expected = row.post(role, side)
            before = _fingerprint()
            response = client.post(url, row.payload(matrix_world, side))
            if _fingerprint() != before and not row.writes(role, side, response.status_code):
                failures.append(f"{role} POST {url} ({side}) wrote to the database")
        if response.status_code != expected:
            failures.append(f"{role} {method} {url} ({side}): {response.status_code}, expected {expected}")
        headers = dict(SECURITY_HEADERS)
        if row.framed and response.status_code == 200:
            headers["X-Frame-Options"] = "SAMEORIGIN"
            if "frame-ancestors 'self'" not in response.get("Content-Security-Policy", ""):
                failures.append(f"{role} {method} {url} ({side}): framed without frame-ancestors 'self'")
        missing = [header for header, value in headers.items() if response.get(header) != value]
        if "Content-Security-Policy" not in response:
            missing.append("Content-Security-Policy")
        if missing:
            failures.append(f"{role} {method} {url} ({side}): no {', '.join(missing)}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_is_for_staff_only(world):
    url = reverse("admin:index")
    for role in ("anonymous", "town_a", "county_a", "city"):
        response = factories.client_for(world.roles()[role]).get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
