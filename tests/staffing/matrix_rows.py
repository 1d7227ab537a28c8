"""The staffing URLs in the permission matrix (see tests/matrix.py).

Office pages (the roster, probation) follow the office rules. Training pages have their own: side "a"
is a county training of 南湖区 (town A's county), side "c" one of 秀洲区. Towns see their county's
events but record none; an inspector records its own county's; the city sees all and records only
city-level events, so it gets 403 on editing a county's."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.matrix import (
    LOGIN,
    SAFE_ONLY,
    Row,
    always,
    counter,
    office,
    office_file,
    office_file_writes,
    office_scope,
)

from . import helpers

# Which side's county each role belongs to.
SIDE_OF = {"town_a": "a", "town_b": "a", "county_a": "a", "town_c": "c", "county_c": "c"}
RECORDERS = ("county_a", "county_c")


def setup(world) -> None:
    world.training = {}
    world.staff_targets = {}
    world.attendees = {side: helpers.person(office(world, side)) for side in ("a", "c")}
    world.fixed_events = {side: helpers.event(helpers.county_of(office(world, side))) for side in ("a", "c")}


# -- expectations ---------------------------------------------------------------------------------


def training_user(ok: int):
    """Pages every portal role but the administrator reads (the list)."""
    return lambda role, side: LOGIN if role == "anonymous" else (403 if role == "admin" else ok)


def training_creator(ok: int):
    """Creating an event: the inspectors (their county's) and the city (the city's)."""

    def expect(role: str, side: str) -> int:
        if role == "anonymous":
            return LOGIN
        return ok if role in (*RECORDERS, "city") else 403

    return expect


def training_creator_writes(role: str, side: str, status: int) -> bool:
    return role in (*RECORDERS, "city") and status == 302


def training_scope(role: str, side: str) -> int:
    """Seeing a county's event: its towns, its inspector and the city; others 404."""
    if role == "anonymous":
        return LOGIN
    if role == "admin":
        return 403
    if role == "city":
        return 200
    return 200 if SIDE_OF.get(role) == side else 404


def training_record(ok: int):
    """Changing a county's event or its attendance: its own inspector only; those who see it 403."""

    def expect(role: str, side: str) -> int:
        seen = training_scope(role, side)
        if seen != 200:
            return seen
        return ok if role in RECORDERS else 403

    return expect


def training_record_writes(role: str, side: str, status: int) -> bool:
    return role in RECORDERS and SIDE_OF[role] == side and status == 302


def spreadsheet(name: str, text: str) -> dict:
    """An upload of a small CSV file: a permitted POST reads it and redirects to the preview, which
    keeps it on disk only; nothing is written to the database before the user confirms."""
    return {"action": "upload", "file": SimpleUploadedFile(name, ("\ufeff" + text).encode())}


def _staff_file(world, side: str) -> dict:
    return spreadsheet(
        "名册.csv", "姓名,性别,出生日期,学历,人员性质,到岗日期\n王芳,女,1985-06-01,本科,公务员,2009-03-01\n"
    )


def _attendance_file(world, side: str) -> dict:
    person = world.attendees[side]
    return spreadsheet("参训人员.csv", f"镇(街道),姓名\n{person.office.town.name},{person.name}\n")


def overview(role: str, side: str) -> int:
    if role == "anonymous":
        return LOGIN
    return 200 if role in (*RECORDERS, "city") else 403


# -- urls -----------------------------------------------------------------------------------------


def _fresh_staff(world, side: str):
    """A new target for a row whose POST changes or deletes it (every role runs on the same world)."""
    world.staff_targets[side] = helpers.person(office(world, side))
    return world.staff_targets[side]


def _staff_url(name: str, fresh: bool = False):
    def url(world, side: str) -> str:
        code = office(world, side).town.code
        if name in ("staffing:staff_list", "staffing:staff_create"):
            return reverse(name, args=[code])
        target = _fresh_staff(world, side) if fresh else world.attendees[side]
        return reverse(name, args=[code, target.pk])

    return url


def _fresh_event_url(name: str):
    def url(world, side: str) -> str:
        world.training[side] = helpers.event(helpers.county_of(office(world, side)))
        return reverse(name, args=[world.training[side].pk])

    return url


ROWS: dict[str, Row] = {
    "staffing:staff_list": Row(_staff_url("staffing:staff_list"), get=office_scope, post=always(SAFE_ONLY)),
    "staffing:staff_create": Row(
        _staff_url("staffing:staff_create"),
        get=office_file(200),
        post=office_file(302),
        payload=lambda w, s: helpers.staff_payload(name=f"矩阵{next(counter)}"),
        writes=office_file_writes,
    ),
    "staffing:staff_edit": Row(
        _staff_url("staffing:staff_edit", fresh=True),
        get=office_file(200),
        post=office_file(302),
        payload=lambda w, s: helpers.staff_edit_payload(w.staff_targets[s], phone="0573-88888888"),
        writes=office_file_writes,
    ),
    "staffing:staff_delete": Row(
        _staff_url("staffing:staff_delete", fresh=True),
        get=office_file(200),
        post=office_file(302),
        writes=office_file_writes,
    ),
    "staffing:probation_edit": Row(
        _staff_url("staffing:probation_edit", fresh=True),
        get=office_file(200),
        post=office_file(302),
        payload=lambda w, s: helpers.probation_payload(),
        writes=office_file_writes,
    ),
    "staffing:training_list": Row(
        lambda w, s: reverse("staffing:training_list"), get=training_user(200), post=always(SAFE_ONLY)
    ),
    "staffing:training_create": Row(
        lambda w, s: reverse("staffing:training_create"),
        get=training_creator(200),
        post=training_creator(302),
        payload=lambda w, s: helpers.event_payload(title=f"矩阵培训{next(counter)}"),
        writes=training_creator_writes,
    ),
    "staffing:training_detail": Row(
        lambda w, s: reverse("staffing:training_detail", args=[w.fixed_events[s].pk]),
        get=training_scope,
        post=always(SAFE_ONLY),
    ),
    "staffing:training_edit": Row(
        _fresh_event_url("staffing:training_edit"),
        get=training_record(200),
        post=training_record(302),
        payload=lambda w, s: helpers.event_edit_payload(w.training[s], location="新地点"),
        writes=training_record_writes,
    ),
    "staffing:training_delete": Row(
        _fresh_event_url("staffing:training_delete"),
        get=training_record(200),
        post=training_record(302),
        writes=training_record_writes,
    ),
    "staffing:training_attendance": Row(
        _fresh_event_url("staffing:training_attendance"),
        get=training_record(200),
        post=training_record(302),
        payload=lambda w, s: {"staff": [w.attendees[s].pk]},
        writes=training_record_writes,
    ),
    "staffing:training_overview": Row(
        lambda w, s: reverse("staffing:training_overview"), get=overview, post=always(SAFE_ONLY)
    ),
    "staffing:staff_export": Row(
        lambda w, s: reverse("staffing:staff_export", args=[office(w, s).town.code, "xlsx"]),
        get=office_scope,
        post=always(SAFE_ONLY),
    ),
    "staffing:staff_import": Row(
        lambda w, s: reverse("staffing:staff_import", args=[office(w, s).town.code]),
        get=office_file(200),
        post=office_file(302),
        payload=_staff_file,
    ),
    "staffing:staff_import_template": Row(
        lambda w, s: reverse("staffing:staff_import_template", args=[office(w, s).town.code]),
        get=office_file(200),
        post=always(SAFE_ONLY),
    ),
    "staffing:attendance_export": Row(
        lambda w, s: reverse("staffing:attendance_export", args=[w.fixed_events[s].pk, "csv"]),
        get=training_scope,
        post=always(SAFE_ONLY),
    ),
    "staffing:attendance_import": Row(
        lambda w, s: reverse("staffing:attendance_import", args=[w.fixed_events[s].pk]),
        get=training_record(200),
        post=training_record(302),
        payload=_attendance_file,
    ),
    "staffing:attendance_import_template": Row(
        lambda w, s: reverse("staffing:attendance_import_template", args=[w.fixed_events[s].pk]),
        get=training_record(200),
        post=always(SAFE_ONLY),
    ),
}
