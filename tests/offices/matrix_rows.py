"""Permission-matrix rows for the office pages and the evidence downloads (see tests/matrix.py)."""

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offices.choices import PlanKind
from offices.models import Budget, InternalCheck, Office, OfficeYearFacts, Plan, PostedRule, Premises
from tests.evidence_samples import docx_bytes, jpeg_bytes, mark_converted
from tests.matrix import (
    LOGIN,
    SAFE_ONLY,
    Row,
    always,
    county_scope,
    office,
    office_file,
    office_file_writes,
    office_scope,
)

YEAR = 2011


def setup(world) -> None:
    world.photos = {}
    for side in ("a", "c"):
        premises = Premises(office=office(world, side), year=2009, area_m2=Decimal("80"))
        premises.photo.save("room.jpg", ContentFile(jpeg_bytes()), save=False)
        premises.save()
        world.photos[side] = premises
    # A Word document with its PDF made, for the pages that show an Office document in the browser.
    world.documents = {}
    for side in ("a", "c"):
        plan = Plan(office=office(world, side), year=2009, kind=PlanKind.ANNUAL, title="年度工作计划")
        plan.document.save("plan.docx", ContentFile(docx_bytes()), save=False)
        plan.save()
        mark_converted(plan.document.name)
        world.documents[side] = plan


def _code(world, side: str) -> str:
    return office(world, side).town.code


def _version(model, **lookup) -> str:
    found = model.objects.filter(**lookup).first()
    return str(found.version) if found else ""


def _read(name: str, *args) -> Row:
    return Row(
        lambda w, s: reverse(name, args=[_code(w, s), *args]), get=office_scope, post=always(SAFE_ONLY)
    )


def _edit(name: str, payload, *args) -> Row:
    return Row(
        lambda w, s: reverse(name, args=[_code(w, s), *args]),
        get=office_file(200),
        post=office_file(302),
        payload=payload,
        writes=office_file_writes,
    )


def _profile(w, s) -> dict:
    target = office(w, s)
    return {"address": "人民路 1 号", "phone": "0573-1234567", "version": _version(Office, pk=target.pk)}


def _facts(w, s) -> dict:
    return {
        "service_population": 40000,
        "dibao_count": 1,
        "tekun_count": 1,
        "youfu_count": 1,
        "other_count": 0,
        "version": _version(OfficeYearFacts, office=office(w, s), year=YEAR),
    }


def _premises(w, s) -> dict:
    return {"area_m2": "75", "is_fixed": "on", "version": _version(Premises, office=office(w, s), year=YEAR)}


def _rule(w, s) -> dict:
    return {
        "posted_on": "2011-01-10",
        "version": _version(PostedRule, office=office(w, s), year=YEAR, kind="service_guide"),
    }


def _plan(w, s) -> dict:
    return {"title": "年度计划", "version": _version(Plan, office=office(w, s), year=YEAR, kind="annual")}


def _budget(w, s) -> dict:
    return {
        "guaranteed_funds": "30000",
        "spending": "100",
        "version": _version(Budget, office=office(w, s), year=YEAR),
    }


def _check_payload(w, s) -> dict:
    version = str(w.last_check.version) if getattr(w, "last_check", None) else ""
    return {"checked_on": "2011-05-01", "checked_by": "镇社会事务办", "scope": "制度执行", "version": version}


def _fresh_check_url(name: str):
    def url(w, s) -> str:
        w.last_check = InternalCheck.objects.create(
            office=office(w, s), checked_on=dt.date(2011, 3, 1), checked_by="检查组", scope="台账"
        )
        return reverse(name, args=[_code(w, s), w.last_check.pk])

    return url


def _new_check_url(w, s) -> str:
    w.last_check = None
    return reverse("offices:check_create", args=[_code(w, s)])


def _evidence(name: str) -> Row:
    return Row(
        lambda w, s: reverse(name, args=["offices.premises", w.photos[s].pk, "photo"]),
        get=office_scope,
        post=always(SAFE_ONLY),
    )


def _document(name: str, **options) -> Row:
    return Row(
        lambda w, s: reverse(name, args=["offices.plan", w.documents[s].pk, "document"]),
        get=office_scope,
        post=always(SAFE_ONLY),
        **options,
    )


def county_import(ok: int):
    """An inspector imports for the towns of its own county; the city reads counties but files
    nothing (403), as do towns and the administrator; another county's inspector gets 404."""

    def expect(role: str, side: str) -> int:
        if role == "anonymous":
            return LOGIN
        if role in ("county_a", "county_c"):
            return ok if role[-1] == side else 404
        return 403

    return expect


def _county_code(w, s) -> str:
    return office(w, s).town.county.code


def _county_file(name: str, text: str):
    def payload(w, s) -> dict:
        content = ("\ufeff" + text.format(town=office(w, s).town.name)).encode()
        return {"action": "upload", "file": SimpleUploadedFile(name, content)}

    return payload


def _county_import_rows(kind: str, text: str) -> dict[str, Row]:
    return {
        f"offices:county_{kind}_import": Row(
            lambda w, s: reverse(f"offices:county_{kind}_import", args=[_county_code(w, s)]),
            get=county_import(200),
            post=county_import(302),
            payload=_county_file(f"{kind}.csv", text),
        ),
        f"offices:county_{kind}_import_template": Row(
            lambda w, s: reverse(f"offices:county_{kind}_import_template", args=[_county_code(w, s)]),
            get=county_import(200),
            post=always(SAFE_ONLY),
        ),
    }


ROWS: dict[str, Row] = {
    "offices:county_export": Row(
        lambda w, s: reverse("offices:county_export", args=[_county_code(w, s), "csv"]),
        get=county_scope,
        post=always(SAFE_ONLY),
    ),
    **_county_import_rows(
        "staff",
        "镇(街道),姓名,性别,出生日期,学历,人员性质,到岗日期\n{town},王芳,女,1985-06-01,本科,公务员,2009-03-01\n",
    ),
    **_county_import_rows("record", "镇(街道),日期,职责,标题\n{town},2010-06-01,3,走访慰问\n"),
    "offices:office_detail": _read("offices:office_detail"),
    "offices:office_history": _read("offices:office_history"),
    "offices:profile_edit": _edit("offices:profile_edit", _profile),
    "offices:facts_list": _read("offices:facts_list"),
    "offices:facts_edit": _edit("offices:facts_edit", _facts, YEAR),
    "offices:premises_list": _read("offices:premises_list"),
    "offices:premises_edit": _edit("offices:premises_edit", _premises, YEAR),
    "offices:rules": _read("offices:rules"),
    "offices:rule_edit": _edit("offices:rule_edit", _rule, YEAR, "service_guide"),
    "offices:plans": _read("offices:plans"),
    "offices:plan_edit": _edit("offices:plan_edit", _plan, YEAR, "annual"),
    "offices:budget_list": _read("offices:budget_list"),
    "offices:budget_edit": _edit("offices:budget_edit", _budget, YEAR),
    "offices:check_list": _read("offices:check_list"),
    "offices:check_create": Row(
        _new_check_url,
        get=office_file(200),
        post=office_file(302),
        payload=_check_payload,
        writes=office_file_writes,
    ),
    "offices:check_edit": Row(
        _fresh_check_url("offices:check_edit"),
        get=office_file(200),
        post=office_file(302),
        payload=_check_payload,
        writes=office_file_writes,
    ),
    "offices:check_delete": Row(
        _fresh_check_url("offices:check_delete"),
        get=office_file(200),
        post=office_file(302),
        writes=office_file_writes,
    ),
    "evidence_download": _evidence("evidence_download"),
    "evidence_preview": _evidence("evidence_preview"),
    "evidence_view": _document("evidence_view"),
    # The one answer the portal's own pages may frame (the PDF in the page above).
    "evidence_rendition": _document("evidence_rendition", framed=True),
}
