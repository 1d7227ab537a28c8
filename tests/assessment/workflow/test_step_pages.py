"""Irreversible steps ask first, unsaved scores are never lost, and states are honest: 提交, 审定,
上报, 抽样, 确认 and 退回 each show what they will do and what is unfinished before they happen; the
scoring page saves its edits with the approval; an assessment with unscored on-site items shows
待评分."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.choices import AssessmentState, CountyState, Method
from assessment.models import Assessment, ItemScore
from assessment.workflow import services
from tests import factories
from tests.assessment.workflow import city_helpers

pytestmark = pytest.mark.django_db
YEAR = 2010


@pytest.fixture
def year(world):
    return city_helpers.open_year(world, YEAR)


def _assessment(office) -> Assessment:
    return Assessment.objects.select_related("assessment_year__catalog", "office__town__county").get(
        assessment_year__year=YEAR, office=office
    )


def _url(name: str, office) -> str:
    return reverse(f"assessment:{name}", args=[YEAR, office.town.code])


def _score_form(assessment, **points) -> dict:
    data = {"visit_date": "2010-11-03", "inspectors": "王明", "version": assessment.version}
    for score in ItemScore.objects.filter(
        assessment=assessment, item__method=Method.INSPECTOR
    ).select_related("item"):
        data[f"{score.item.code}-points"] = str(points.get(score.item.code, score.item.points))
    return data


def test_submitting_asks_first_and_says_what_is_unfinished(world, year):
    client = factories.client_for(world.town_a)
    page = client.get(_url("self_submit", world.office_a))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="confirm-step"' in html
    assert "资料锁定" in html and "项台账未达标" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script: the CSP stays strict
    assert _assessment(world.office_a).state == AssessmentState.DRAFT  # asking changed nothing
    response = client.post(_url("self_submit", world.office_a))
    assert response.status_code == 302
    assert _assessment(world.office_a).state == AssessmentState.SUBMITTED
    # The detail page leads to the question, not straight to the step.
    town = factories.client_for(world.town_a)
    assert (
        _url("self_submit", world.office_a) not in town.get(_url("detail", world.office_a)).content.decode()
    )


def test_approving_from_the_scoring_page_saves_the_edits_first(world, year):
    services.self_assessment_submit(actor=world.town_a, assessment=_assessment(world.office_a))
    client = factories.client_for(world.county_a)
    assessment = _assessment(world.office_a)
    data = _score_form(assessment, B5="1")
    data["then"] = "approve"
    response = client.post(_url("county_score", world.office_a), data)
    assert response.status_code == 302 and response["Location"] == _url("county_approve", world.office_a)
    # The edit is saved before anything is approved: B5 is 1, not the 2.5 it was.
    b5 = ItemScore.objects.get(assessment=assessment, item__code="B5")
    assert b5.inspector_points == Decimal(1)
    assert _assessment(world.office_a).state == AssessmentState.SUBMITTED
    question = client.get(response["Location"]).content.decode()
    assert "确认审定" in question and "不再随台账变化" in question
    client.post(_url("county_approve", world.office_a), {"comment": "同意"})
    approved = _assessment(world.office_a)
    assert approved.state == AssessmentState.APPROVED
    assert ItemScore.objects.get(assessment=approved, item__code="B5").inspector_points == Decimal(1)


def test_the_approval_question_names_what_blocks_it(world, year):
    services.self_assessment_submit(actor=world.town_a, assessment=_assessment(world.office_a))
    html = factories.client_for(world.county_a).get(_url("county_approve", world.office_a)).content.decode()
    assert "现场评分项目未评分" in html and "请先填写实地考核日期" in html
    assert "disabled" in html


def test_unscored_on_site_items_show_pending_not_a_result(world, year):
    services.self_assessment_submit(actor=world.town_a, assessment=_assessment(world.office_a))
    county = factories.client_for(world.county_a)
    overview = county.get(reverse("assessment:county_overview", args=[YEAR, world.office_a.town.county.code]))
    html = overview.content.decode()
    row = html[html.index(f'data-town="{world.office_a.town.code}"') :][:1500]
    assert "待评分" in row and "不合格" not in row and ">合格<" not in row
    detail = county.get(_url("detail", world.office_a)).content.decode()
    assert 'data-testid="pending-result"' in detail


def test_reporting_sampling_returning_and_confirming_ask_first(world, year):
    county_code = world.office_a.town.county.code
    city_helpers.approve_all(year, county_code)
    from assessment.models import CountyResult

    CountyResult.objects.filter(assessment_year=year, county__code=county_code).update(state=CountyState.OPEN)
    county = factories.client_for(world.county_a)
    submit_url = reverse("assessment:county_submit", args=[YEAR, county_code])
    assert "确认上报市局" in county.get(submit_url).content.decode()
    county.post(submit_url)
    assert (
        CountyResult.objects.get(assessment_year=year, county__code=county_code).state
        == CountyState.SUBMITTED
    )

    city = factories.client_for(world.city)
    sample_url = reverse("supervision:sample_county", args=[YEAR, county_code])
    question = city.get(sample_url).content.decode()
    assert "随机抽取" in question and "不能重抽" in question
    city.post(sample_url, {"seed": "page-seed"})
    assert CountyResult.objects.get(assessment_year=year, county__code=county_code).sample_seed == "page-seed"

    confirm_url = reverse("supervision:year_confirm", args=[YEAR])
    question = city.get(confirm_url).content.decode()
    assert "个抽查镇未评分" in question and "未上报考核结果" in question and "disabled" in question
    city.post(confirm_url)  # refused by the service as well
    year.refresh_from_db()
    assert year.state != "confirmed"

    sampled = year.assessments.filter(sampled=True).select_related("office__town").first()
    return_url = reverse("supervision:city_return_town", args=[YEAR, sampled.office.town.code])
    assert "撤销" in city.get(return_url).content.decode()
    city.post(return_url, {"comment": ""})  # a return needs a comment: refused, nothing changed
    assert Assessment.objects.get(pk=sampled.pk).state == AssessmentState.APPROVED
    city.post(return_url, {"comment": "现场核查发现台账不全"})
    assert Assessment.objects.get(pk=sampled.pk).state == AssessmentState.RETURNED


def test_a_city_score_page_keeps_the_visit_and_asks_for_an_explanation(world, year):
    county_code = world.office_a.town.county.code
    city_helpers.approve_all(year, county_code)
    city_helpers.sample_all(world, year)
    sampled = year.assessments.filter(sampled=True, office__town__county__code=county_code).first()
    city = factories.client_for(world.city)
    url = reverse("supervision:city_score", args=[YEAR, sampled.office.town.code])
    data = {"visit_date": "", "inspectors": "", "version": sampled.version}
    html = city.post(url, data).content.decode()
    assert "请填写督查日期" in html and "请填写督查人员" in html
    scores = ItemScore.objects.filter(assessment=sampled).select_related("item")
    data = {"visit_date": "2010-12-20", "inspectors": "王五", "version": sampled.version}
    for score in scores:
        if not score.not_applicable:
            data[f"points_{score.pk}"] = "0"
    html = city.post(url, data).content.decode()
    assert "请填写差异说明" in html
    assert Assessment.objects.get(pk=sampled.pk).city_scored_at is None
    data["difference_note"] = "现场核查全部项目均不达标。"
    assert city.post(url, data).status_code == 302
    saved = Assessment.objects.get(pk=sampled.pk)
    assert saved.city_visit_date == dt.date(2010, 12, 20) and saved.difference_note
