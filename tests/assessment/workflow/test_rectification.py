"""Closed-loop rectification (整改闭环): the town reports a task put right, the county verifies it or
sends it back with a comment the town reads, the city sets the year's due date and sees each county's
open, awaiting, verified and overdue tasks, and a task whose gap the records show mended says so.
Services first, then the pages, then the cost in queries."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessment.choices import TaskState, WorkflowStep, YearState
from assessment.errors import WorkflowError
from assessment.models import AssessmentYear, RectificationTask, WorkflowEvent
from assessment.workflow import rectification as services
from assessment.workflow import rectification_selectors as selectors
from assessment.workflow.filters import OVERDUE, TaskFilters
from offices.models import Office
from tests import factories
from tests.evidence_samples import jpeg_bytes

from . import city_helpers

pytestmark = pytest.mark.django_db
YEAR = 2010
COUNTY_A, COUNTY_C = "330402", "330411"


@pytest.fixture
def year(world) -> AssessmentYear:
    """2010 opened and confirmed (the confirmation's own work is tested with the workflow)."""
    opened = city_helpers.open_year(world, YEAR)
    AssessmentYear.objects.filter(pk=opened.pk).update(state=YearState.CONFIRMED, confirmed_at=timezone.now())
    opened.refresh_from_db()
    return opened


def _today() -> dt.date:
    return timezone.localdate()


def _task(year, office, code: str = "C1", *, state=TaskState.OPEN, due=None, **extra) -> RectificationTask:
    values = {"close_note": "已整改。"} if state != TaskState.OPEN else {}
    values.update(extra)
    return RectificationTask.objects.create(
        assessment=year.assessments.get(office=office),
        office=office,
        item=year.catalog.items.get(code=code),
        problem=f"{code} 未达标",
        due_date=due or _today() + dt.timedelta(days=30),
        state=state,
        **values,
    )


def _fresh(task: RectificationTask) -> RectificationTask:
    return RectificationTask.objects.select_related("office__town", "assessment", "item").get(pk=task.pk)


def _steps(task: RectificationTask) -> list[str]:
    return list(
        WorkflowEvent.objects.filter(assessment=task.assessment)
        .order_by("id")
        .values_list("action", flat=True)
    )


# -- the services -----------------------------------------------------------------------------------


def test_town_closes_and_county_verifies(world, year):
    task = _task(year, world.office_a)
    photo = SimpleUploadedFile("整改.jpg", jpeg_bytes(), content_type="image/jpeg")
    services.task_close(
        actor=world.town_a, task=_fresh(task), note=" 已调整办公用房至 90 平方米 ", evidence=photo
    )
    task = _fresh(task)
    assert task.state == TaskState.CLOSED and task.close_note == "已调整办公用房至 90 平方米"
    assert task.evidence and task.closed_at is not None
    assert task.history.first().history_user == world.town_a

    services.task_verify(actor=world.county_a, task=task, comment="现场核实,面积达标。")
    task = _fresh(task)
    assert task.state == TaskState.VERIFIED and task.review_comment == "现场核实,面积达标。"
    assert task.verified_by == world.county_a and task.verified_at is not None
    assert task.history.first().history_user == world.county_a
    assert _steps(task) == [WorkflowStep.CLOSE_TASK, WorkflowStep.VERIFY_TASK]
    event = WorkflowEvent.objects.get(action=WorkflowStep.VERIFY_TASK)
    assert event.actor == world.county_a and event.assessment_year == year


def test_sent_back_closed_again_and_verified(world, year):
    task = _task(year, world.office_a)
    services.task_close(actor=world.town_a, task=_fresh(task), note="已租用新场所。")
    with pytest.raises(WorkflowError, match="退回时须填写意见"):
        services.task_send_back(actor=world.county_a, task=_fresh(task), comment="  ")
    services.task_send_back(actor=world.county_a, task=_fresh(task), comment="租赁合同未上传。")
    task = _fresh(task)
    assert task.state == TaskState.OPEN and task.review_comment == "租赁合同未上传。"
    assert task.closed_at is None and task.close_note == "已租用新场所。"  # the earlier report is kept
    services.task_close(actor=world.town_a, task=task, note="已上传租赁合同。")
    services.task_verify(actor=world.county_a, task=_fresh(task))
    task = _fresh(task)
    assert (
        task.state == TaskState.VERIFIED
        and task.review_comment == ""
        and task.close_note == "已上传租赁合同。"
    )
    assert _steps(task) == [
        WorkflowStep.CLOSE_TASK,
        WorkflowStep.REOPEN_TASK,
        WorkflowStep.CLOSE_TASK,
        WorkflowStep.VERIFY_TASK,
    ]
    assert WorkflowEvent.objects.get(action=WorkflowStep.REOPEN_TASK).comment == "租赁合同未上传。"


def test_who_may_take_each_step(world, year):
    task = _task(year, world.office_a)
    for outsider in (world.town_b, world.town_c, world.county_a, world.city):
        with pytest.raises(PermissionDenied):
            services.task_close(actor=outsider, task=_fresh(task), note="已整改")
    services.task_close(actor=world.town_a, task=_fresh(task), note="已整改")
    for outsider in (world.town_a, world.county_c, world.city, world.admin):
        with pytest.raises(PermissionDenied):
            services.task_verify(actor=outsider, task=_fresh(task))
        with pytest.raises(PermissionDenied):
            services.task_send_back(actor=outsider, task=_fresh(task), comment="不行")
    for outsider in (world.county_a, world.town_a):
        with pytest.raises(PermissionDenied):
            services.rectification_due_set(actor=outsider, year=year, due=_today())
    assert _fresh(task).state == TaskState.CLOSED


def test_each_step_starts_from_its_state(world, year):
    task = _task(year, world.office_a)
    with pytest.raises(WorkflowError, match="尚未由镇"):
        services.task_verify(actor=world.county_a, task=_fresh(task))
    with pytest.raises(WorkflowError, match="尚未由镇"):
        services.task_send_back(actor=world.county_a, task=_fresh(task), comment="x")
    with pytest.raises(WorkflowError, match="请填写整改情况"):
        services.task_close(actor=world.town_a, task=_fresh(task), note=" ")
    services.task_close(actor=world.town_a, task=_fresh(task), note="已整改")
    with pytest.raises(WorkflowError, match="正在等待县级验收"):
        services.task_close(actor=world.town_a, task=_fresh(task), note="再次提交")
    services.task_verify(actor=world.county_a, task=_fresh(task))
    with pytest.raises(WorkflowError, match="县级已验收"):
        services.task_verify(actor=world.county_a, task=_fresh(task))
    with pytest.raises(WorkflowError, match="县级已验收"):
        services.task_send_back(actor=world.county_a, task=_fresh(task), comment="再看看")
    with pytest.raises(WorkflowError, match="县级已验收"):
        services.task_close(actor=world.town_a, task=_fresh(task), note="x")


def test_two_verifications_of_one_task_apply_once(world, year):
    task = _task(year, world.office_a, state=TaskState.CLOSED)
    first, second = _fresh(task), _fresh(task)  # two inspectors open the same task
    services.task_verify(actor=world.county_a, task=first)
    with pytest.raises(WorkflowError, match="县级已验收"):
        services.task_verify(actor=world.county_a, task=second, comment="我也验收")
    assert WorkflowEvent.objects.filter(action=WorkflowStep.VERIFY_TASK).count() == 1
    assert _fresh(task).review_comment == ""
    assert task.history.filter(state=TaskState.VERIFIED).count() == 1


def test_a_step_from_an_outdated_copy_is_refused(world, year):
    """The task went back and forth while a page stood open: the same state, a newer task."""
    task = _task(year, world.office_a, state=TaskState.CLOSED)
    stale = _fresh(task)
    services.task_send_back(actor=world.county_a, task=_fresh(task), comment="补充照片")
    services.task_close(actor=world.town_a, task=_fresh(task), note="已补充照片")
    with pytest.raises(WorkflowError, match="已被他人处理"):
        services.task_verify(actor=world.county_a, task=stale)
    assert _fresh(task).state == TaskState.CLOSED


def test_the_city_sets_the_due_date_of_the_years_unverified_tasks(world, year):
    open_task = _task(year, world.office_a, due=dt.date(2011, 3, 31))
    closed = _task(year, world.office_b, state=TaskState.CLOSED, due=dt.date(2011, 3, 31))
    verified = _task(year, world.office_c, state=TaskState.VERIFIED, due=dt.date(2011, 3, 31))
    town_page = _fresh(open_task)  # the town's close page, open while the city changes the date
    due = _today() + dt.timedelta(days=60)
    assert services.rectification_due_set(actor=world.city, year=year, due=due) == 2
    year.refresh_from_db()
    assert year.rectification_due == due and year.history.first().history_user == world.city
    for task in (open_task, closed):
        assert _fresh(task).due_date == due
        assert task.history.first().history_user == world.city and task.history.first().due_date == due
    assert _fresh(verified).due_date == dt.date(2011, 3, 31)
    # the town's page from before the change cannot write the old date back
    with pytest.raises(WorkflowError, match="已被他人处理"):
        services.task_close(actor=world.town_a, task=town_page, note="已整改")
    assert services.rectification_due_set(actor=world.city, year=year, due=due) == 0  # nothing moved
    with pytest.raises(WorkflowError, match="不能早于今天"):
        services.rectification_due_set(actor=world.city, year=year, due=_today() - dt.timedelta(days=1))


def test_an_open_year_keeps_the_date_for_its_confirmation(world, year):
    AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.OPEN)
    year.refresh_from_db()
    due = _today() + dt.timedelta(days=100)
    assert services.rectification_due_set(actor=world.city, year=year, due=due) == 0
    year.refresh_from_db()
    assert year.rectification_due == due


# -- the selectors ----------------------------------------------------------------------------------


def test_overdue_tasks_are_counted_per_county(world, year):
    past = _today() - dt.timedelta(days=1)
    _task(year, world.office_a, "A1", due=past)  # open, overdue
    late = timezone.now()
    _task(year, world.office_a, "B1", state=TaskState.CLOSED, due=past, closed_at=late)  # reported late
    _task(year, world.office_a, "G1", state=TaskState.CLOSED, due=past, closed_at=late - dt.timedelta(days=9))
    # ...the last one reported in time, waiting for the county: not the town's delay
    _task(year, world.office_a, "C1", state=TaskState.VERIFIED, due=past)  # verified: not overdue
    _task(year, world.office_b, "C1")  # open, not yet due
    _task(year, world.office_c, "C1", due=past)
    _task(year, world.office_c, "A1", state=TaskState.CLOSED)
    rows = {row.county.code: row for row in selectors.county_counts(year)}
    assert len(rows) == 7
    a, c = rows[COUNTY_A], rows[COUNTY_C]
    assert (a.total, a.open, a.closed, a.verified, a.overdue) == (5, 2, 2, 1, 2)
    assert (c.total, c.open, c.closed, c.verified, c.overdue) == (2, 1, 1, 0, 1)
    assert all(r.total == 0 for code, r in rows.items() if code not in (COUNTY_A, COUNTY_C))
    totals = selectors.city_totals(list(rows.values()))
    assert (totals.total, totals.overdue) == (7, 3)
    county = world.office_a.town.county
    assert selectors.task_counts(selectors.county_tasks(county=county)) == {
        "total": 5,
        "open": 2,
        "closed": 2,
        "verified": 1,
        "overdue": 2,
    }
    assert selectors.county_tasks(county=county, filters=TaskFilters(deadline=OVERDUE)).count() == 2
    assert selectors.county_tasks(county=county).first().state == TaskState.CLOSED  # to verify first


def test_a_task_whose_gap_the_records_show_mended(world, year):
    mended = _task(year, world.office_a, "C1")
    still_open = _task(year, world.office_b, "C1")
    on_site = _task(year, world.office_a, "G2")  # scored by the inspector: the records cannot tell
    factories.premises(world.office_a, year=_today().year, area="90")
    factories.premises(world.office_b, year=YEAR, area="90")  # the assessed year's records do not count
    tasks = list(selectors.county_tasks(county=world.office_a.town.county))
    assert selectors.mended(tasks) == {mended.pk}
    assert selectors.mended(tasks, year=YEAR) == {still_open.pk}
    assert on_site.pk not in selectors.mended(tasks, year=YEAR)
    RectificationTask.objects.filter(pk=mended.pk).update(state=TaskState.VERIFIED, close_note="已整改")
    assert selectors.mended(list(selectors.county_tasks(county=world.office_a.town.county))) == set()


# -- the pages --------------------------------------------------------------------------------------


def _urls(task: RectificationTask) -> dict[str, str]:
    code = task.office.town.code
    return {
        name: reverse(f"assessment:{name}", args=[code, task.pk])
        for name in ("task_close", "task_verify", "task_send_back")
    } | {"list": reverse("assessment:task_list", args=[code])}


def test_the_loop_through_the_pages(world, year):
    task = _task(year, world.office_a)
    urls = _urls(task)
    town, county = factories.client_for(world.town_a), factories.client_for(world.county_a)
    assert urls["task_close"] in town.get(urls["list"]).content.decode()
    response = town.post(urls["task_close"], {"note": "已调整办公用房。"})
    assert response.status_code == 302 and response["Location"] == urls["list"]
    assert "等待县级验收" in town.get(urls["task_close"]).content.decode()

    county_list = reverse("assessment:county_tasks", args=[COUNTY_A])
    listing = county.get(county_list).content.decode()
    assert urls["task_verify"] in listing and "待县级验收" in listing
    review = county.get(urls["task_verify"]).content.decode()
    assert "已调整办公用房。" in review and urls["task_send_back"] in review

    refused = county.post(urls["task_send_back"], {"reason": ""})
    assert refused.status_code == 200 and "退回时须填写意见" in refused.content.decode()
    assert _fresh(task).state == TaskState.CLOSED
    response = county.post(urls["task_send_back"], {"reason": "请上传新场所照片。"})
    assert response.status_code == 302 and response["Location"] == f"{county_list}?state=closed"
    assert _fresh(task).state == TaskState.OPEN

    listing = town.get(urls["list"]).content.decode()
    assert 'data-testid="send-back-comment"' in listing and "请上传新场所照片。" in listing
    close_page = town.get(urls["task_close"]).content.decode()
    assert "请上传新场所照片。" in close_page and "已调整办公用房。</textarea>" in close_page
    town.post(urls["task_close"], {"note": "已上传新场所照片。"})

    response = county.post(urls["task_verify"], {"comment": "同意验收。"})
    assert response.status_code == 302
    task = _fresh(task)
    assert task.state == TaskState.VERIFIED and task.verified_by == world.county_a
    assert 'data-testid="read-only"' in county.get(urls["task_verify"]).content.decode()
    again = county.post(urls["task_verify"], {"comment": "再验"})
    assert again.status_code == 200 and "县级已验收" in again.content.decode()
    assert "经县级验收" in town.get(urls["task_close"]).content.decode()


def test_who_opens_the_verification_pages(world, year):
    task = _task(year, world.office_a, state=TaskState.CLOSED)
    urls = _urls(task)
    refusals = {world.county_c: 404, world.town_a: 403, world.town_b: 404, world.city: 403, world.admin: 403}
    for user, status in refusals.items():
        client = factories.client_for(user)
        assert client.get(urls["task_verify"]).status_code == status, user
        assert client.post(urls["task_verify"]).status_code == status, user
        assert client.post(urls["task_send_back"], {"reason": "x"}).status_code == status, user
    assert _fresh(task).state == TaskState.CLOSED
    assert factories.client_for(world.county_a).get(urls["task_verify"]).status_code == 200
    assert factories.client_for(world.county_a).get(urls["task_send_back"]).status_code == 405
    other = _task(year, world.office_c, state=TaskState.CLOSED)
    wrong_office = reverse("assessment:task_verify", args=[world.office_a.town.code, other.pk])
    assert factories.client_for(world.county_a).get(wrong_office).status_code == 404
    assert _fresh(other).state == TaskState.CLOSED


def test_the_county_list_filters_and_shows_the_mended_flag(world, year):
    past = _today() - dt.timedelta(days=3)
    late = _task(year, world.office_a, "C1", due=past)
    waiting = _task(year, world.office_b, "C1", state=TaskState.CLOSED)
    done = _task(year, world.office_b, "A1", state=TaskState.VERIFIED, due=past)
    factories.premises(world.office_a, year=_today().year, area="90")
    client = factories.client_for(world.county_a)
    url = reverse("assessment:county_tasks", args=[COUNTY_A])

    def shown(**params) -> set[int]:
        html = client.get(url, params).content.decode()
        return {t.pk for t in (late, waiting, done) if f'data-task="{t.pk}"' in html}

    assert shown() == {late.pk, waiting.pk, done.pk}
    assert shown(state=TaskState.CLOSED) == {waiting.pk}
    assert shown(overdue="1") == {late.pk}
    assert shown(year="2011") == {late.pk, waiting.pk, done.pk}  # no such year: not filtered
    assert shown(year=str(YEAR), state=TaskState.VERIFIED) == {done.pk}
    html = client.get(url).content.decode()
    row = html[html.index(f'data-task="{late.pk}"') :]
    assert (
        "台账显示已整改" in row[: row.index("</tr>")] and 'data-testid="overdue"' in row[: row.index("</tr>")]
    )
    assert html.count('data-testid="mended"') == 1
    town_list = factories.client_for(world.town_a).get(_urls(late)["list"]).content.decode()
    assert "台账显示已整改" in town_list
    assert factories.client_for(world.city).get(url).status_code == 200
    assert factories.client_for(world.county_c).get(url).status_code == 404


def test_the_city_page_sets_the_due_date_and_counts_the_counties(world, year):
    past = _today() - dt.timedelta(days=1)
    _task(year, world.office_a, "A1", due=past)
    _task(year, world.office_c, "A1", state=TaskState.CLOSED)
    url = reverse("supervision:rectification", args=[YEAR])
    client = factories.client_for(world.city)
    html = client.get(url).content.decode()
    row = html[html.index(f'data-county="{COUNTY_A}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-count="overdue"><a' in row and f"{COUNTY_A}/tasks/?year={YEAR}&amp;overdue=1" in row
    assert (
        reverse("supervision:rectification", args=[YEAR])
        in client.get(reverse("supervision:differences", args=[YEAR])).content.decode()
    )

    refused = client.post(url, {"due": (_today() - dt.timedelta(days=1)).isoformat()})
    assert refused.status_code == 200 and "不能早于今天" in refused.content.decode()
    assert client.post(url, {"due": "不是日期"}).status_code == 200
    due = _today() + dt.timedelta(days=45)
    response = client.post(url, {"due": due.isoformat()})
    assert response.status_code == 302
    assert "2 项未验收的整改任务随之调整" in client.get(response["Location"]).content.decode()
    assert set(RectificationTask.objects.values_list("due_date", flat=True)) == {due}
    for user in (world.county_a, world.town_a, world.admin):
        assert factories.client_for(user).get(url).status_code == 403
    assert client.get(reverse("supervision:rectification", args=[2030])).status_code == 404


# -- the cost in queries ----------------------------------------------------------------------------


def _tasks_for_offices(year, offices, codes=("A1", "B1", "C1")) -> None:
    for office in offices:
        for code in codes:
            if not RectificationTask.objects.filter(office=office, item__code=code).exists():
                _task(year, office, code)


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("assessment:county_tasks", args=[COUNTY_A]),
        lambda w: reverse("assessment:task_list", args=[factories.TOWN_A]),
        lambda w: reverse("supervision:rectification", args=[YEAR]),
    ],
    ids=["county", "town", "city"],
)
def test_task_pages_cost_a_fixed_number_of_queries(world, year, url):
    user = world.city if "supervision" in url(world) else world.county_a
    client = factories.client_for(user)
    _tasks_for_offices(year, [world.office_a], codes=["C1"])
    few = factories.count_queries(client, url(world))
    _tasks_for_offices(year, Office.objects.filter(town__county__code__in=[COUNTY_A, COUNTY_C]))
    RectificationTask.objects.filter(office=world.office_a, item__code="A1").update(
        state=TaskState.CLOSED, close_note="已整改"
    )
    assert RectificationTask.objects.count() > 10
    assert factories.count_queries(client, url(world)) == few
