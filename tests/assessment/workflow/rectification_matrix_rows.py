"""Permission-matrix rows of the rectification pages added for the closed loop (see tests/matrix.py):
the county's verification and return of a task, and the city's rectification page of a year. The
town's and the county's task lists and the town's close page keep their rows in matrix_rows.py.

Side a is 建设街道 (南湖区), side c 新城街道 (秀洲区), in the assessment year 2010. Each side's
assessment has a task on item B1 (matrix_rows.py uses A1 for its own rows), put back inside `url`
into the state the step starts from: reported by the town, waiting for the county."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from assessment.catalog import services as catalog_services
from assessment.choices import TaskState
from assessment.models import Assessment, AssessmentYear, CatalogVersion, Programme, RectificationTask
from assessment.workflow import services as workflow_services
from tests.matrix import LOGIN, Row, always, city_only, office, office_scope

YEAR = 2010
CODE = "B1"


def _year(world) -> AssessmentYear:
    """The year 2010, opened here or by another module's rows, whichever comes first."""
    year = AssessmentYear.objects.filter(year=YEAR).first()
    if year is not None:
        return year
    programme = Programme.objects.filter(start_year=YEAR).first() or catalog_services.programme_create(
        actor=world.city, name="规范化建设三年行动", start_year=YEAR
    )
    return workflow_services.year_open(
        actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=YEAR)
    )


def _reported_task(world, side: str) -> RectificationTask:
    """The side's B1 task, reported put right by the town and not yet verified."""
    year = _year(world)
    target = Assessment.objects.get(assessment_year=year, office=office(world, side))
    task, _ = RectificationTask.objects.update_or_create(
        assessment=target,
        item=year.catalog.items.get(code=CODE),
        defaults={
            "office": target.office,
            "problem": "专职人员未达到配备标准",
            "due_date": dt.date(2011, 3, 31),
            "state": TaskState.CLOSED,
            "close_note": "已增配专职人员一名。",
            "closed_at": timezone.now(),
            "review_comment": "",
            "verified_at": None,
            "verified_by": None,
        },
    )
    return task


def _task_url(name: str):
    def url(world, side: str) -> str:
        task = _reported_task(world, side)
        return reverse(f"assessment:{name}", args=[office(world, side).town.code, task.pk])

    return url


def _rectification_url(world, side: str) -> str:
    _year(world)
    return reverse("supervision:rectification", args=[YEAR])


# -- expectations ---------------------------------------------------------------------------------


def office_assess(ok: int):
    """Verifying or returning an office's task: its county's inspector only; others who can see the
    office get 403, those who cannot 404."""

    def expect(role: str, side: str) -> int:
        seen = office_scope(role, side)
        if seen != 200:
            return seen
        return ok if role in ("county_a", "county_c") else 403

    return expect


def office_assess_writes(role: str, side: str, status: int) -> bool:
    return role in ("county_a", "county_c") and role[-1] == side and status in (200, 302)


def city_post(ok: int):
    return lambda role, side: LOGIN if role == "anonymous" else (ok if role == "city" else 403)


def city_writes(role: str, side: str, status: int) -> bool:
    return role == "city" and status == 302


ROWS: dict[str, Row] = {
    "assessment:task_verify": Row(
        _task_url("task_verify"),
        get=office_assess(200),
        post=office_assess(302),
        payload=lambda w, s: {"comment": "现场核实,已整改到位。"},
        writes=office_assess_writes,
    ),
    "assessment:task_send_back": Row(
        _task_url("task_send_back"),
        get=always(405),
        post=office_assess(302),
        payload=lambda w, s: {"reason": "请上传新增人员的聘用材料。"},
        writes=office_assess_writes,
    ),
    "supervision:rectification": Row(
        _rectification_url,
        get=city_only,
        post=city_post(302),
        payload=lambda w, s: {"due": (timezone.localdate() + dt.timedelta(days=30)).isoformat()},
        writes=city_writes,
    ),
}
