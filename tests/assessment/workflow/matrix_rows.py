"""Permission-matrix rows of the town and county assessment pages (see tests/matrix.py).

Side a is 建设街道 (南湖区), side c 新城街道 (秀洲区), in the assessment year 2010 on the default
catalog. The year is opened on first use rather than in setup(), so the city supervision rows, which
may open the same year in their own setup, and these rows share one year whichever comes first.
Rows whose POST moves an assessment put it back, inside `url`, into the state the action starts from.
"""

import datetime as dt

from django.urls import reverse

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, Method, TaskState, YearState
from assessment.models import (
    Assessment,
    AssessmentYear,
    CatalogVersion,
    CountyResult,
    ItemScore,
    Programme,
    RectificationTask,
)
from assessment.workflow import services as workflow_services
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

YEAR = 2010


def setup(world) -> None:
    world.tc_assessment = {}


def _ensure(world) -> AssessmentYear:
    """The year 2010 with an assessment for both sides and a rectification task each."""
    if world.tc_assessment:
        return world.tc_assessment["year"]
    year = AssessmentYear.objects.filter(year=YEAR).first()
    if year is None:
        programme = Programme.objects.filter(start_year=YEAR).first() or catalog_services.programme_create(
            actor=world.city, name="规范化建设三年行动", start_year=YEAR
        )
        year = workflow_services.year_open(
            actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=YEAR)
        )
    world.tc_assessment["year"] = year
    for side in ("a", "c"):
        target = Assessment.objects.get(assessment_year=year, office=office(world, side))
        world.tc_assessment[side] = target
        item = year.catalog.items.get(code="A1")
        RectificationTask.objects.update_or_create(
            assessment=target,
            item=item,
            defaults={
                "office": target.office,
                "problem": "牌子照片未上传",
                "due_date": dt.date(2011, 3, 31),
                "state": TaskState.OPEN,
                "close_note": "",
            },
        )
    return year


def _reset(world, side: str, state: str) -> Assessment:
    """Put the side's assessment (and its year and county) back where an action starts from."""
    year = _ensure(world)
    AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.OPEN, confirmed_at=None)
    target = world.tc_assessment[side]
    CountyResult.objects.filter(assessment_year=year, county_id=target.office.town.county_id).update(
        state=CountyState.OPEN, submitted_at=None
    )
    Assessment.objects.filter(pk=target.pk).update(state=state, frozen_at=None)
    return target


# -- expectations ---------------------------------------------------------------------------------


def office_assess(ok: int):
    """Scoring, returning and approving an office's assessment: its county's inspector only; others
    who can see the office get 403, those who cannot 404."""

    def expect(role: str, side: str) -> int:
        seen = office_scope(role, side)
        if seen != 200:
            return seen
        return ok if role in ("county_a", "county_c") else 403

    return expect


def office_assess_writes(role: str, side: str, status: int) -> bool:
    return role in ("county_a", "county_c") and role[-1] == side and status in (200, 302)


def county_assess(ok: int):
    """Submitting a county's results: its inspector; the city sees the county but may not."""

    def expect(role: str, side: str) -> int:
        seen = county_scope(role, side)
        if seen != 200:
            return seen
        return ok if role in ("county_a", "county_c") else 403

    return expect


def portal_roles(ok: int):
    return lambda role, side: LOGIN if role == "anonymous" else (403 if role == "admin" else ok)


# -- urls -----------------------------------------------------------------------------------------


def _office_url(name: str, state: str | None = None):
    def url(world, side: str) -> str:
        if state is None:
            _ensure(world)
        else:
            _reset(world, side, state)
        return reverse(f"assessment:{name}", args=[YEAR, office(world, side).town.code])

    return url


def _approvable_url(world, side: str) -> str:
    target = _reset(world, side, AssessmentState.SUBMITTED)
    Assessment.objects.filter(pk=target.pk).update(visit_date=dt.date(2010, 10, 12))
    for score in ItemScore.objects.filter(assessment=target, item__method=Method.INSPECTOR).select_related(
        "item"
    ):
        ItemScore.objects.filter(pk=score.pk).update(inspector_points=score.item.points, not_applicable=False)
    return reverse("assessment:county_approve", args=[YEAR, office(world, side).town.code])


def _bulk_approvable_url(world, side: str) -> str:
    """The bulk approval of the side's town, put back where it can be approved (as for one town)."""
    _approvable_url(world, side)
    town = office(world, side).town
    return reverse("assessment:county_approve_many", args=[YEAR, town.county.code]) + f"?town={town.code}"


def _county_url(name: str, submittable: bool = False):
    def url(world, side: str) -> str:
        year = _ensure(world)
        county = office(world, side).town.county
        if submittable:
            AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.OPEN)
            Assessment.objects.filter(assessment_year=year, office__town__county=county).update(
                state=AssessmentState.APPROVED
            )
            CountyResult.objects.filter(assessment_year=year, county=county).update(state=CountyState.OPEN)
        return reverse(f"assessment:{name}", args=[YEAR, county.code])

    return url


def _task_url(name: str):
    def url(world, side: str) -> str:
        _ensure(world)
        task = RectificationTask.objects.get(assessment=world.tc_assessment[side], item__code="A1")
        RectificationTask.objects.filter(pk=task.pk).update(
            state=TaskState.OPEN, close_note="", closed_at=None
        )
        code = office(world, side).town.code
        return reverse(f"assessment:{name}", args=[code] if name == "task_list" else [code, task.pk])

    return url


def _county_tasks_url(world, side: str) -> str:
    _ensure(world)
    return reverse("assessment:county_tasks", args=[office(world, side).town.county.code])


def _year_list_url(world, side: str) -> str:
    _ensure(world)
    return reverse("assessment:year_list")


def _score_payload(world, side: str) -> dict:
    return {"visit_date": "2010-10-12", "inspectors": "王明、李华", "B5-points": "3", "G2-points": "5"}


ROWS: dict[str, Row] = {
    "assessment:year_list": Row(_year_list_url, get=portal_roles(200), post=always(SAFE_ONLY)),
    "assessment:detail": Row(_office_url("detail"), get=office_scope, post=always(SAFE_ONLY)),
    "assessment:self_assess": Row(
        _office_url("self_assess", AssessmentState.DRAFT),
        get=office_file(200),
        post=office_file(302),
        payload=lambda w, s: {"note": "本年度规范化建设总体情况良好。", "A1-note": "牌子已于年初增挂。"},
        writes=office_file_writes,
    ),
    "assessment:self_submit": Row(
        _office_url("self_submit", AssessmentState.DRAFT),
        get=office_file(200),  # the question before the step
        post=office_file(302),
        writes=office_file_writes,
    ),
    "assessment:county_score": Row(
        _office_url("county_score", AssessmentState.SUBMITTED),
        get=office_assess(200),
        post=office_assess(302),
        payload=_score_payload,
        writes=office_assess_writes,
    ),
    "assessment:county_return": Row(
        _office_url("county_return", AssessmentState.SUBMITTED),
        get=office_assess(200),
        post=office_assess(302),
        payload=lambda w, s: {"comment": "请补充内部检查记录。"},
        writes=office_assess_writes,
    ),
    "assessment:county_approve": Row(
        _approvable_url,
        get=office_assess(200),
        post=office_assess(302),
        payload=lambda w, s: {"comment": "同意。"},
        writes=office_assess_writes,
    ),
    "assessment:county_approve_many": Row(
        _bulk_approvable_url,
        get=county_assess(200),  # the question before the step, listing the ticked town
        post=county_assess(302),
        payload=lambda w, s: {"town": office(w, s).town.code, "comment": "同意。"},
        writes=office_assess_writes,
    ),
    "assessment:county_reopen": Row(
        _office_url("county_reopen", AssessmentState.APPROVED),
        get=office_assess(200),
        post=office_assess(302),
        payload=lambda w, s: {"comment": "复核现场评分。"},
        writes=office_assess_writes,
    ),
    "assessment:county_overview": Row(
        _county_url("county_overview"), get=county_scope, post=always(SAFE_ONLY)
    ),
    "assessment:county_submit": Row(
        _county_url("county_submit", submittable=True),
        get=county_assess(200),
        post=county_assess(302),
        writes=office_assess_writes,
    ),
    "assessment:task_list": Row(_task_url("task_list"), get=office_scope, post=always(SAFE_ONLY)),
    "assessment:task_close": Row(
        _task_url("task_close"),
        get=office_file(200),
        post=office_file(302),
        payload=lambda w, s: {"note": "牌子照片已补拍上传。"},
        writes=office_file_writes,
    ),
    "assessment:county_tasks": Row(_county_tasks_url, get=county_scope, post=always(SAFE_ONLY)),
}
