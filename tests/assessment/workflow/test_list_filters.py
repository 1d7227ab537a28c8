"""The workflow's lists filtered and ordered through GET parameters: a county's towns of a year (and
the city's list of every town), and the rectification task lists of a county and of a town. Each
filter and order on hand-made data; nonsense ignored, never an error; the page links keep the
filters; the cost in queries does not grow with the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from assessment.choices import AssessmentState, Result, TaskState, WorkflowStep, YearState
from assessment.models import Assessment, AssessmentYear, RectificationTask, WorkflowEvent
from assessment.workflow.filters import TaskFilters, TownFilters
from tests import factories
from tests.assessment.workflow import city_helpers

pytestmark = pytest.mark.django_db
YEAR = 2010
NANHU = "330402"


def _today() -> dt.date:
    return timezone.localdate()


# -- a year's towns ---------------------------------------------------------------------------------


@pytest.fixture
def towns(world) -> dict[str, str]:
    """南湖区's towns of 2010 by role: two approved (95 合格, 55 不合格), one submitted and waiting
    for the county past its deadline, one returned; the rest in draft. The self-assessment is due in
    the future (so no town is late with it), the county's approval was due in 2010."""
    year = city_helpers.open_year(world, YEAR)
    AssessmentYear.objects.filter(pk=year.pk).update(self_assessment_due=_today() + dt.timedelta(days=30))
    codes = list(
        year.assessments.filter(office__town__county__code=NANHU)
        .order_by("office__town__code")
        .values_list("office__town__code", flat=True)
    )
    roles = {"passed": codes[3], "failed": codes[1], "waiting": codes[5], "returned": codes[7]}

    def move(code: str, **values) -> Assessment:
        Assessment.objects.filter(assessment_year=year, office__town__code=code).update(**values)
        return Assessment.objects.get(assessment_year=year, office__town__code=code)

    approved = AssessmentState.APPROVED
    move(
        roles["passed"],
        state=approved,
        total=Decimal(95),
        result=Result.PASS,
        visit_date=dt.date(2010, 11, 2),
    )
    move(
        roles["failed"],
        state=approved,
        total=Decimal(55),
        result=Result.FAIL,
        visit_date=dt.date(2010, 11, 9),
    )
    move(roles["waiting"], state=AssessmentState.SUBMITTED)
    move(roles["returned"], state=AssessmentState.RETURNED)
    # When each handed in its self-assessment, as the log keeps it.
    for code, day in ((roles["passed"], 1), (roles["failed"], 15), (roles["waiting"], 20)):
        event = WorkflowEvent.log(year.pk, WorkflowStep.SELF_SUBMIT, world.town_a, assessment=move(code))
        WorkflowEvent.objects.filter(pk=event.pk).update(at=dt.datetime(2010, 9, day, 9, tzinfo=dt.UTC))
    roles["all"] = codes
    return roles


def _county(client, **params) -> list[str]:
    response = client.get(reverse("assessment:county_overview", args=[YEAR, NANHU]), params)
    assert response.status_code == 200
    return [row.assessment.office.town.code for row in response.context["page"].object_list]


def test_the_towns_filter_by_state(world, towns):
    client = factories.client_for(world.county_a)
    assert _county(client, state="approved") == sorted([towns["passed"], towns["failed"]])
    assert _county(client, state="returned") == [towns["returned"]]
    assert len(_county(client, state="draft")) == len(towns["all"]) - 4


def test_the_towns_filter_by_result(world, towns):
    client = factories.client_for(world.county_a)
    assert _county(client, result="pass") == [towns["passed"]]
    assert _county(client, result="fail") == [towns["failed"]]
    # No result yet: every town not approved (on-site items unscored: 待评分).
    assert len(_county(client, result="none")) == len(towns["all"]) - 2


def test_the_towns_filter_by_deadline(world, towns):
    client = factories.client_for(world.county_a)
    assert _county(client, deadline="overdue") == [towns["waiting"]]
    assert len(_county(client, deadline="on_time")) == len(towns["all"]) - 1
    html = client.get(reverse("assessment:county_overview", args=[YEAR, NANHU])).content.decode()
    row = html[html.index(f'data-town="{towns["waiting"]}"') :]
    assert "审定逾期" in row[: row.index("</tr>")]
    # A year without deadlines offers no deadline filter, and nobody is late.
    AssessmentYear.objects.filter(year=YEAR).update(self_assessment_due=None, county_due=None)
    html = client.get(reverse("assessment:county_overview", args=[YEAR, NANHU])).content.decode()
    assert 'name="deadline"' not in html and 'data-testid="late"' not in html
    assert _county(client, deadline="overdue") == []


def test_the_towns_sort_by_score_state_and_submission(world, towns):
    client = factories.client_for(world.county_a)
    assert _county(client, sort="-score")[:2] == [towns["passed"], towns["failed"]]
    assert _county(client, sort="score")[-1] == towns["passed"]
    by_state = _county(client, sort="state")
    assert by_state[-2:] == sorted([towns["passed"], towns["failed"]])  # approved last
    assert by_state.index(towns["waiting"]) < by_state.index(towns["returned"])
    submitted = [towns["passed"], towns["failed"], towns["waiting"]]
    assert _county(client, sort="submitted")[:3] == submitted
    # Descending: the latest first, and the towns that never submitted still last.
    assert _county(client, sort="-submitted")[:3] == submitted[::-1]
    assert _county(client, sort="-visit")[:2] == [towns["failed"], towns["passed"]]
    assert _county(client, sort="-town") == sorted(towns["all"], reverse=True)


def test_the_towns_filters_combine_and_nonsense_is_ignored(world, towns):
    client = factories.client_for(world.county_a)
    assert _county(client, state="approved", result="pass") == [towns["passed"]]
    assert _county(client, state="bogus", result="?", deadline="soon", sort="-name", page="x") == towns["all"]
    html = client.get(
        reverse("assessment:county_overview", args=[YEAR, NANHU]), {"state": "approved", "sort": "-score"}
    ).content.decode()
    # The headings keep the filters and go back to the first page; "清除条件" drops them.
    assert "?state=approved&amp;sort=score" in html and "清除条件" in html
    assert TownFilters.from_query(QueryDict("state=bogus&sort=-nothing&county=1")) == TownFilters()


def test_the_city_lists_every_town_by_county_and_keeps_filters_in_page_links(world, towns):
    client = factories.client_for(world.city)
    url = reverse("supervision:year_towns", args=[YEAR])
    response = client.get(url)
    assert response.status_code == 200 and response.context["page"].paginator.count == 72
    by_county = client.get(url, {"county": NANHU})
    assert by_county.context["page"].paginator.count == len(towns["all"])
    approved = client.get(url, {"county": NANHU, "state": "approved", "sort": "-score"})
    codes = [r.assessment.office.town.code for r in approved.context["page"].object_list]
    assert codes == [towns["passed"], towns["failed"]]
    html = client.get(url, {"state": "draft", "sort": "-town"}).content.decode()
    assert "?state=draft&amp;sort=-town&amp;page=2" in html  # 68 towns in draft: two pages
    assert client.get(url, {"county": "999999"}).context["page"].paginator.count == 72  # ignored
    assert factories.client_for(world.county_a).get(url).status_code == 403


def test_the_town_lists_cost_the_same_for_few_and_many_towns(world, towns):
    client = factories.client_for(world.city)
    url = reverse("supervision:year_towns", args=[YEAR])
    params = {"result": "none", "sort": "-submitted", "deadline": "on_time"}
    many = factories.count_queries(client, url, **params)
    Assessment.objects.filter(assessment_year__year=YEAR).exclude(office__town__county__code=NANHU).delete()
    assert factories.count_queries(client, url, **params) == many
    county = factories.client_for(world.county_a)
    overview = reverse("assessment:county_overview", args=[YEAR, NANHU])
    full = factories.count_queries(county, overview, **params)
    Assessment.objects.filter(assessment_year__year=YEAR, office__town__code__in=towns["all"][2:]).delete()
    assert factories.count_queries(county, overview, **params) == full


# -- rectification tasks ----------------------------------------------------------------------------


@pytest.fixture
def tasks(world) -> dict[str, RectificationTask]:
    """Tasks of a confirmed 2010 and of a confirmed 2011, in town A, town B and town C."""
    made = {}
    for year_number in (2010, 2011):
        year = city_helpers.open_year(world, year_number, start_year=2010)
        AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.CONFIRMED)
    past, soon = _today() - dt.timedelta(days=10), _today() + dt.timedelta(days=20)

    def task(key, year_number, office, code, **values) -> None:
        year = AssessmentYear.objects.get(year=year_number)
        values.setdefault("due_date", soon)
        made[key] = RectificationTask.objects.create(
            assessment=year.assessments.get(office=office),
            office=office,
            item=year.catalog.items.get(code=code),
            problem=f"{code} 未达标",
            **values,
        )

    task("late", 2010, world.office_a, "C1", due_date=past)
    task("sent_back", 2010, world.office_a, "B1", review_comment="照片不清晰。")
    task(
        "reported",
        2010,
        world.office_b,
        "A1",
        state=TaskState.CLOSED,
        close_note="已整改。",
        closed_at=timezone.now() - dt.timedelta(days=2),
    )
    task(
        "verified",
        2010,
        world.office_b,
        "C1",
        state=TaskState.VERIFIED,
        close_note="已整改。",
        review_comment="验收通过。",
        due_date=past,
    )
    task("next_year", 2011, world.office_a, "D1", due_date=_today() + dt.timedelta(days=90))
    task("elsewhere", 2010, world.office_c, "C1", due_date=past)
    return made


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [t.pk for t in response.context["page"].object_list]


def _county_tasks(client, **params) -> list[int]:
    return _ids(client.get(reverse("assessment:county_tasks", args=[NANHU]), params))


def test_the_county_tasks_filter_by_state_deadline_year_and_town(world, tasks):
    client = factories.client_for(world.county_a)
    pk = {key: t.pk for key, t in tasks.items()}
    assert set(_county_tasks(client, state="open")) == {pk["late"], pk["sent_back"], pk["next_year"]}
    assert _county_tasks(client, deadline="overdue") == [pk["late"]]
    assert _county_tasks(client, overdue="1") == [pk["late"]]  # the city's links say it so
    assert pk["late"] not in _county_tasks(client, deadline="on_time")
    assert len(_county_tasks(client, deadline="on_time")) == 4
    assert _county_tasks(client, year="2011") == [pk["next_year"]]
    assert set(_county_tasks(client, town=world.office_b.town.code)) == {pk["reported"], pk["verified"]}
    assert pk["elsewhere"] not in _county_tasks(client)


def test_the_county_tasks_filter_by_result(world, tasks):
    client = factories.client_for(world.county_a)
    assert _county_tasks(client, result="sent_back") == [tasks["sent_back"].pk]
    assert _county_tasks(client, result="mended") == []
    factories.premises(world.office_a, year=_today().year, area="90")  # C1 (premises) now met
    assert _county_tasks(client, result="mended") == [tasks["late"].pk]


def test_the_county_tasks_sort(world, tasks):
    client = factories.client_for(world.county_a)
    by_due = _county_tasks(client, sort="due")
    dues = [RectificationTask.objects.get(pk=pk).due_date for pk in by_due]
    assert dues == sorted(dues)
    assert _county_tasks(client, sort="-due")[0] == tasks["next_year"].pk
    assert _county_tasks(client, sort="-year")[0] == tasks["next_year"].pk
    by_town = _county_tasks(client, sort="-town")
    assert {by_town[0], by_town[1]} == {tasks["reported"].pk, tasks["verified"].pk}  # town B after A
    assert _county_tasks(client, sort="closed")[0] == tasks["reported"].pk  # no report date: last
    assert _county_tasks(client, sort="state")[-1] == tasks["verified"].pk
    # The list's own order by default: the reported task, waiting for the county, first.
    assert _county_tasks(client)[0] == tasks["reported"].pk


def _many_tasks(world) -> None:
    """An open task for every other item of 2010 in four towns of 南湖区 (some 80 tasks)."""
    year = AssessmentYear.objects.get(year=2010)
    items = list(year.catalog.items.exclude(code__in=["C1", "B1", "A1"]).order_by("code"))
    offices = [
        a.office
        for a in year.assessments.filter(office__town__county__code=NANHU).select_related("office")[:4]
    ]
    for office in offices:
        for item in items:
            RectificationTask.objects.get_or_create(
                assessment=year.assessments.get(office=office),
                item=item,
                defaults={"office": office, "problem": "未达标", "due_date": _today()},
            )


def test_the_task_lists_ignore_nonsense_and_keep_filters_in_page_links(world, tasks):
    client = factories.client_for(world.county_a)
    everything = _county_tasks(client)
    assert _county_tasks(
        client, state="lost", deadline="x", year="abc", town="1", result="?", sort="-id"
    ) == (everything)
    assert _county_tasks(client, year="1999") == everything
    _many_tasks(world)
    html = client.get(
        reverse("assessment:county_tasks", args=[NANHU]), {"state": "open", "sort": "due"}
    ).content.decode()
    assert "?state=open&amp;sort=due&amp;page=2" in html


def test_the_town_task_list_filters_and_sorts(world, tasks):
    client = factories.client_for(world.town_a)
    url = reverse("assessment:task_list", args=[world.office_a.town.code])
    assert _ids(client.get(url, {"deadline": "overdue"})) == [tasks["late"].pk]
    assert _ids(client.get(url, {"year": "2011"})) == [tasks["next_year"].pk]
    assert _ids(client.get(url, {"result": "sent_back"})) == [tasks["sent_back"].pk]
    assert _ids(client.get(url, {"sort": "-due"}))[0] == tasks["next_year"].pk
    html = client.get(url, {"state": "verified"}).content.decode()
    assert "没有符合条件的整改任务。" in html
    assert TaskFilters.from_query(QueryDict("town=x&year=2010&sort=due"), years=[2011]) == TaskFilters(
        sort="due"
    )


def test_the_filtered_task_lists_cost_a_fixed_number_of_queries(world, tasks):
    client = factories.client_for(world.county_a)
    url = reverse("assessment:county_tasks", args=[NANHU])
    factories.premises(world.office_a, year=_today().year, area="90")  # the late C1: mended
    asked = [{"result": "mended", "sort": "-closed"}, {"deadline": "on_time", "town": factories.TOWN_A}]
    few = [factories.count_queries(client, url, **params) for params in asked]
    _many_tasks(world)
    assert RectificationTask.objects.count() > 60
    assert [factories.count_queries(client, url, **params) for params in asked] == few
