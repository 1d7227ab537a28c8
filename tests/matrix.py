"""The permission matrix's vocabulary: roles, the expected answer of each kind of page, and Row.

Each app lists its URLs in tests/<app>/matrix_rows.py as ROWS, and may define setup(world) to create
the objects its URLs point at; tests/test_permission_matrix.py runs every row for every role, on an
object of side "a" (南湖区 建设街道, town A's) and of side "c" (秀洲区 新城街道, town C's), by GET
and POST, and fails on any unexpected answer or write.

Roles: anonymous; town_a; town_b (town A's neighbour in the same county); town_c (other county);
county_a (inspector of A's county); county_c; city; admin.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ROLES = ("anonymous", "town_a", "town_b", "town_c", "county_a", "county_c", "city", "admin")
LOGIN = 302  # anonymous users are sent to the login page
SAFE_ONLY = 405  # read pages answer POST with 405
counter = itertools.count()

Expect = Callable[[str, str], int]


@dataclass
class Row:
    url: Callable[[Any, str], str]
    get: Expect
    post: Expect
    payload: Callable[[Any, str], dict] = lambda world, side: {}
    # Whether a POST with this (role, side, status) is meant to write.
    writes: Callable[[str, str, int], bool] = lambda role, side, status: False
    # Whether its 200 answer may be framed by the portal's own pages (X-Frame-Options SAMEORIGIN and
    # frame-ancestors 'self'); every other answer of every URL is DENY.
    framed: bool = False


def office(world, side: str):
    return world.office_a if side == "a" else world.office_c


def office_scope(role: str, side: str) -> int:
    """Reading a page of an office or its records."""
    if role == "anonymous":
        return LOGIN
    if role == "admin":
        return 403
    if role == "city":
        return 200
    sees = {"town_a": "a", "county_a": "a", "town_c": "c", "county_c": "c"}.get(role)
    return 200 if sees == side else 404


def office_file(ok: int) -> Expect:
    """Filing (creating, changing, deleting) an office's records: only its own town staff; others who
    can see the office get 403, those who cannot get 404."""

    def expect(role: str, side: str) -> int:
        seen = office_scope(role, side)
        if seen != 200:
            return seen
        return ok if role in ("town_a", "town_c") else 403

    return expect


def office_file_writes(role: str, side: str, status: int) -> bool:
    return role in ("town_a", "town_c") and role[-1] == side and status in (200, 302)


def county_scope(role: str, side: str) -> int:
    if role == "anonymous":
        return LOGIN
    if role == "city":
        return 200
    if role in ("county_a", "county_c"):
        return 200 if role[-1] == side else 404
    return 403


def managers_only(ok: int) -> Expect:
    def expect(role: str, side: str) -> int:
        if role == "anonymous":
            return LOGIN
        return ok if role in ("city", "admin") else 403

    return expect


def city_only(role: str, side: str) -> int:
    return LOGIN if role == "anonymous" else (200 if role == "city" else 403)


def every_user(ok: int) -> Expect:
    return lambda role, side: LOGIN if role == "anonymous" else ok


def always(status: int) -> Expect:
    return lambda role, side: status


def account_edit(ok: int) -> Expect:
    """Side a is town A's account (the city manages it); side c the administrator's (it does not)."""

    def expect(role: str, side: str) -> int:
        if role == "anonymous":
            return LOGIN
        if role == "admin":
            return ok
        if role == "city":
            return ok if side == "a" else 404
        return 403

    return expect
