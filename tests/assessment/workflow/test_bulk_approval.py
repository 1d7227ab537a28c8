"""批量审定: a county approves several of its towns at once. The service approves each as the single
approval would (rights, states, locks, history, log), all or none; the page asks first, listing each
ticked town with what approval does to it or why it is skipped, and approves exactly the towns it
offered; a town of another county is outside the inspector's scope. The cost in queries does not
grow with the number of towns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.choices import AssessmentState, CountyState, Method, WorkflowStep
from assessment.errors import WorkflowError
from assessment.models import Assessment, AssessmentYear, ItemScore, WorkflowEvent
from assessment.workflow import services
from portal.models import SecurityEvent
from tests import factories
from tests.assessment.workflow import city_helpers

pytestmark = pytest.mark.django_db
YEAR = 2010
NANHU = "330402"


@pytest.fixture
def year(world) -> AssessmentYear:
    return city_helpers.open_year(world, YEAR)


def _assessment(code: str) -> Assessment:
    return Assessment.objects.select_related("assessment_year__catalog", "office__town").get(
        assessment_year__year=YEAR, office__town__code=code
    )


def _ready(year: AssessmentYear, codes: list[str], *, visit: dt.date | None = dt.date(2010, 11, 3)) -> None:
    """The towns submitted, with every on-site item scored and (unless None) a visit date: what the
    county's scoring page leaves behind before approval."""
    Assessment.objects.filter(assessment_year=year, office__town__code__in=codes).update(
        state=AssessmentState.SUBMITTED, visit_date=visit
    )
    for item in year.catalog.items.filter(method=Method.INSPECTOR):
        ItemScore.objects.filter(
            assessment__assessment_year=year, assessment__office__town__code__in=codes, item=item
        ).update(inspector_points=item.points)


def _nanhu_towns(n: int) -> list[str]:
    return list(
        Assessment.objects.filter(assessment_year__year=YEAR, office__town__county__code=NANHU)
        .order_by("office__town__code")
        .values_list("office__town__code", flat=True)[:n]
    )


def _url(code: str = NANHU, towns: list[str] | None = None, **extra) -> str:
    url = reverse("assessment:county_approve_many", args=[YEAR, code])
    query = [f"town={t}" for t in towns or []] + [f"{k}={v}" for k, v in extra.items()]
    return url + ("?" + "&".join(query) if query else "")


def _states(codes: list[str]) -> dict[str, str]:
    return dict(
        Assessment.objects.filter(assessment_year__year=YEAR, office__town__code__in=codes).values_list(
            "office__town__code", "state"
        )
    )


def _history_marks() -> tuple:
    return (Assessment.history.count(), WorkflowEvent.objects.count())


# -- the service ------------------------------------------------------------------------------------


def test_bulk_approval_approves_each_chosen_town_with_history_and_log(world, year):
    chosen = _nanhu_towns(3)
    other = _nanhu_towns(4)[3]
    _ready(year, [*chosen, other])
    approved = services.county_approve_many(
        actor=world.county_a, assessments=[_assessment(c) for c in chosen], comment=" 资料齐全。 "
    )
    assert {a.office.town.code for a in approved} == set(chosen)
    assert all(a.state == AssessmentState.APPROVED for a in approved)  # the caller's objects show it
    assert _states([*chosen, other]) == {**dict.fromkeys(chosen, "approved"), other: "submitted"}
    for code in chosen:
        assessment = _assessment(code)
        assert assessment.approved_at is not None and assessment.county_comment == "资料齐全。"
        assert assessment.total is not None and assessment.result
        latest = assessment.history.order_by("-history_date", "-history_id").first()
        assert latest.state == AssessmentState.APPROVED and latest.history_user == world.county_a
        event = WorkflowEvent.objects.get(assessment=assessment, action=WorkflowStep.APPROVE)
        assert event.actor == world.county_a and event.comment == "资料齐全。"
    assert not WorkflowEvent.objects.filter(assessment__office__town__code=other).exists()


def test_bulk_approval_is_all_or_nothing_and_names_the_town_refused(world, year):
    chosen = _nanhu_towns(3)
    _ready(year, chosen)
    unscored = _assessment(chosen[1])
    ItemScore.objects.filter(assessment=unscored, item__code="G2").update(inspector_points=None)
    before = _history_marks()
    with pytest.raises(WorkflowError) as refused:
        services.county_approve_many(actor=world.county_a, assessments=[_assessment(c) for c in chosen])
    assert refused.value.messages == [f"{unscored.office.town.name}:还有 1 项现场评分项目未评分。"]
    assert set(_states(chosen).values()) == {AssessmentState.SUBMITTED}
    assert _history_marks() == before


def test_bulk_approval_refuses_a_town_not_submitted(world, year):
    chosen = _nanhu_towns(2)
    _ready(year, chosen)
    Assessment.objects.filter(assessment_year=year, office__town__code=chosen[0]).update(
        state=AssessmentState.DRAFT
    )
    with pytest.raises(WorkflowError, match="只有已提交的自评可以审定"):
        services.county_approve_many(actor=world.county_a, assessments=[_assessment(c) for c in chosen])
    assert _states(chosen) == {chosen[0]: "draft", chosen[1]: "submitted"}


def test_bulk_approval_refuses_a_town_of_another_county(world, year):
    mine, theirs = _nanhu_towns(1)[0], factories.TOWN_C
    _ready(year, [mine, theirs])
    before = _history_marks()
    with pytest.raises(PermissionDenied, match=world.office_c.town.name):
        services.county_approve_many(
            actor=world.county_a, assessments=[_assessment(mine), _assessment(theirs)]
        )
    assert set(_states([mine, theirs]).values()) == {AssessmentState.SUBMITTED}
    assert _history_marks() == before
    with pytest.raises(PermissionDenied):
        services.county_approve_many(actor=world.city, assessments=[_assessment(mine)])


def test_bulk_approval_is_refused_once_the_county_has_reported(world, year):
    chosen = _nanhu_towns(2)
    _ready(year, chosen)
    year.county_results.filter(county__code=NANHU).update(state=CountyState.SUBMITTED)
    with pytest.raises(WorkflowError, match="考核结果已上报市局"):
        services.county_approve_many(actor=world.county_a, assessments=[_assessment(c) for c in chosen])
    with pytest.raises(WorkflowError, match="请先勾选"):
        services.county_approve_many(actor=world.county_a, assessments=[])


def test_the_single_approval_still_says_its_refusal_without_a_town_name(world, year):
    code = _nanhu_towns(1)[0]
    _ready(year, [code], visit=None)
    with pytest.raises(WorkflowError) as refused:
        services.county_approve(actor=world.county_a, assessment=_assessment(code))
    assert refused.value.messages == ["请先填写实地考核日期。"]


# -- the page ---------------------------------------------------------------------------------------


def test_the_overview_offers_boxes_for_submitted_towns_to_the_county_only(world, year):
    chosen = _nanhu_towns(2)
    _ready(year, chosen)
    overview = reverse("assessment:county_overview", args=[YEAR, NANHU])
    html = factories.client_for(world.county_a).get(overview).content.decode()
    assert 'data-testid="bulk-approve"' in html and _url() in html
    assert html.count('type="checkbox" name="town"') == 2
    for code in chosen:
        assert f'name="town" value="{code}"' in html
    city = factories.client_for(world.city).get(overview).content.decode()
    assert 'name="town"' not in city and _url() not in city


def test_the_question_lists_each_town_with_what_happens_or_why_it_is_skipped(world, year):
    ready, pending, draft = _nanhu_towns(3)
    _ready(year, [ready, pending])
    ItemScore.objects.filter(assessment=_assessment(pending), item__code="G2").update(inspector_points=None)
    Assessment.objects.filter(pk=_assessment(draft).pk).update(state=AssessmentState.DRAFT)
    before = _history_marks()
    response = factories.client_for(world.county_a).get(_url(towns=[ready, pending, draft]))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="preview-rows"' in html
    rows = html[html.index('data-testid="preview-rows"') :]
    assert f'data-town="{ready}" data-skipped="0"' in rows
    assert f'data-town="{pending}" data-skipped="1"' in rows and "还有 1 项现场评分项目未评分:G2" in rows
    assert f'data-town="{draft}" data-skipped="1"' in rows and "只有已提交的自评可以审定" in rows
    assert "确认审定 1 个镇(街道)" in html and "2 个镇(街道)暂不能审定,将跳过" in html
    # Only the town that can be approved travels with the form.
    assert f'type="hidden" name="town" value="{ready}"' in html
    assert f'name="town" value="{pending}"' not in html and f'name="town" value="{draft}"' not in html
    assert _history_marks() == before  # asking writes nothing


def test_the_question_refuses_when_no_town_can_be_approved(world, year):
    code = _nanhu_towns(1)[0]
    html = factories.client_for(world.county_a).get(_url(towns=[code])).content.decode()
    assert "所勾选的镇(街道)均不能审定" in html and "disabled" in html[html.index("确认审定 0") - 200 :]
    empty = factories.client_for(world.county_a).get(_url()).content.decode()
    assert "没有勾选镇(街道)" in empty


def test_confirming_approves_exactly_the_chosen_towns(world, year):
    towns = _nanhu_towns(4)
    _ready(year, towns)
    chosen = towns[:2]
    client = factories.client_for(world.county_a)
    response = client.post(_url(towns=towns), {"town": chosen, "comment": "同意。"})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:county_overview", args=[YEAR, NANHU])
    assert _states(towns) == {**dict.fromkeys(chosen, "approved"), **dict.fromkeys(towns[2:], "submitted")}
    assert WorkflowEvent.objects.filter(action=WorkflowStep.APPROVE).count() == 2
    page = client.get(response["Location"]).content.decode()
    names = "、".join(_assessment(c).office.town.name for c in chosen)
    assert f"已审定 2 个镇(街道):{names}。" in page


def test_confirming_a_town_that_cannot_be_approved_approves_none(world, year):
    towns = _nanhu_towns(2)
    _ready(year, towns)
    Assessment.objects.filter(pk=_assessment(towns[1]).pk).update(state=AssessmentState.RETURNED)
    client = factories.client_for(world.county_a)
    response = client.post(_url(), {"town": towns})
    page = client.get(response["Location"]).content.decode()
    assert "未审定任何镇(街道)。" in page and _assessment(towns[1]).office.town.name in page
    assert _states(towns) == {towns[0]: "submitted", towns[1]: "returned"}


def test_a_town_of_another_county_is_out_of_scope(world, year):
    mine = _nanhu_towns(1)[0]
    _ready(year, [mine, factories.TOWN_C])
    client = factories.client_for(world.county_a)
    denied = SecurityEvent.objects.count()
    assert client.get(_url(towns=[mine, factories.TOWN_C])).status_code == 404
    assert client.post(_url(), {"town": [mine, factories.TOWN_C]}).status_code == 404
    assert SecurityEvent.objects.count() == denied + 2  # each refusal is in the security log
    assert set(_states([mine, factories.TOWN_C]).values()) == {AssessmentState.SUBMITTED}
    # The other county's own page: outside county A's scope; the city and the towns never approve.
    other = _url(code=world.office_c.town.county.code)
    assert client.post(other, {"town": [factories.TOWN_C]}).status_code == 404
    assert factories.client_for(world.city).post(_url(), {"town": [mine]}).status_code == 403
    assert factories.client_for(world.town_a).post(_url(), {"town": [mine]}).status_code == 403
    assert _states([mine])[mine] == AssessmentState.SUBMITTED


def test_all_lists_every_submitted_town(world, year):
    towns = _nanhu_towns(3)
    _ready(year, towns[:2])
    html = factories.client_for(world.county_a).get(_url(all=1)).content.decode()
    rows = html[html.index('data-testid="preview-rows"') :]
    assert rows.count("data-town=") == 2 and f'data-town="{towns[2]}"' not in rows


# -- the cost in queries ----------------------------------------------------------------------------


def _queries(client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in (200, 302), response.status_code
    return len(captured.captured_queries)


def test_bulk_approval_costs_the_same_for_2_towns_as_for_10(world, year):
    towns = _nanhu_towns(12)
    _ready(year, towns)
    client = factories.client_for(world.county_a)
    client.get(_url(towns=towns[:1]))  # warm caches
    ask_two = _queries(client, "get", _url(towns=towns[:2]))
    ask_ten = _queries(client, "get", _url(towns=towns[2:12]))
    assert ask_ten == ask_two
    two = _queries(client, "post", _url(), {"town": towns[:2]})
    ten = _queries(client, "post", _url(), {"town": towns[2:12]})
    assert _states(towns) == dict.fromkeys(towns, AssessmentState.APPROVED)
    assert ten == two, (two, ten)


def test_the_service_costs_a_fixed_number_of_queries(world, year, django_assert_num_queries):
    towns = _nanhu_towns(12)
    _ready(year, towns)
    two = [_assessment(c) for c in towns[:2]]
    ten = [_assessment(c) for c in towns[2:12]]
    with CaptureQueriesContext(connection) as first:
        services.county_approve_many(actor=world.county_a, assessments=two)
    with django_assert_num_queries(len(first.captured_queries)):
        services.county_approve_many(actor=world.county_a, assessments=ten)
    assert Assessment.objects.filter(total__gt=Decimal(0), state=AssessmentState.APPROVED).count() == 12
