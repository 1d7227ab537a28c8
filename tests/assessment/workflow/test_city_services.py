"""The city's spot-check as a real step: a sample per county once it has reported, reproducible from
its seed; city scores with the date, the inspectors and, past the threshold, an explanation; a
waiver with a reason; returns of a county (approvals kept) or of one town; and a confirmation that
waits for all of it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assessment import errors
from assessment.choices import AssessmentState, CountyState, WorkflowStep, YearState
from assessment.models import CountyResult, WorkflowEvent
from assessment.standard import scoring
from assessment.workflow import city_services, services
from offices.models import Office
from tests.assessment.workflow import city_helpers

pytestmark = pytest.mark.django_db

NANHU = "330402"


@pytest.fixture
def year(world):
    return city_helpers.open_year(world, 2010)


def _result(year, code=NANHU) -> CountyResult:
    return CountyResult.objects.select_related("county", "assessment_year").get(
        assessment_year=year, county__code=code
    )


def _sampled(year, code=NANHU):
    return (
        year.assessments.filter(sampled=True, office__town__county__code=code)
        .select_related("assessment_year__catalog", "office__town__county")
        .first()
    )


def test_the_sample_is_drawn_per_county_only_once_it_has_reported(world, year):
    result = _result(year)
    with pytest.raises(errors.WorkflowError, match="尚未上报"):
        city_services.sample_draw(actor=world.city, result=result, seed="s1")
    assert not year.assessments.filter(sampled=True).exists()
    city_helpers.approve_all(year, NANHU)
    with pytest.raises(PermissionDenied):
        city_services.sample_draw(actor=world.county_a, result=result, seed="s1")
    drawn = city_services.sample_draw(actor=world.city, result=result, seed="s1")
    towns = Office.objects.filter(town__county__code=NANHU).count()
    assert len(drawn) == max(1, -(-towns // 10))  # 10 %, rounded up
    assert {a.office.town.county.code for a in drawn} == {NANHU}
    assert {a.state for a in drawn} == {AssessmentState.APPROVED}  # never a town still 自评中
    result.refresh_from_db()
    assert result.sample_seed == "s1" and result.sampled_at is not None
    # Reproducible: the seed draws the same towns again, and a second draw is refused.
    assert sorted(a.office_id for a in drawn) == sorted(
        city_services.sample_for_county(year, result.county, "s1")
    )
    with pytest.raises(errors.WorkflowError, match="不能重新抽取"):
        city_services.sample_draw(actor=world.city, result=result)
    event = WorkflowEvent.objects.get(action=WorkflowStep.DRAW_SAMPLE, county=result.county)
    assert "种子 s1" in event.comment and event.actor == world.city
    # Another county that has not reported has no sample.
    assert not year.assessments.filter(sampled=True).exclude(office__town__county__code=NANHU).exists()


def test_a_city_score_needs_the_date_the_inspectors_and_past_the_threshold_an_explanation(world, year):
    city_helpers.approve_all(year, NANHU)
    city_services.sample_draw(actor=world.city, result=_result(year), seed="s1")
    town = _sampled(year)
    rows = {s.item.code: s for s in scoring.item_rows(town)}
    same = [city_services.CityItem(rows["G2"], rows["G2"].final_points)]
    with pytest.raises(errors.WorkflowError, match="督查日期"):
        city_services.city_score_save(actor=world.city, assessment=town, items=same, inspectors="王五")
    with pytest.raises(errors.WorkflowError, match="督查人员"):
        city_services.city_score_save(
            actor=world.city, assessment=town, items=same, visit_date=dt.date(2010, 12, 20)
        )
    # Ten points less than the county on G2 and B5: past the default threshold of 5 points.
    lower = [
        city_services.CityItem(rows["G2"], Decimal(0), "群众满意度调查不合格"),
        city_services.CityItem(rows["B5"], Decimal(0), "未见培训记录"),
    ]
    with pytest.raises(errors.WorkflowError, match="请填写差异说明"):
        city_services.city_score_save(
            actor=world.city,
            assessment=town,
            items=lower,
            visit_date=dt.date(2010, 12, 20),
            inspectors="王五",
        )
    town.refresh_from_db()
    assert town.city_scored_at is None  # nothing of the refused save was kept
    city_services.city_score_save(
        actor=world.city,
        assessment=town,
        items=lower,
        visit_date=dt.date(2010, 12, 20),
        inspectors="王五、赵六",
        difference_note="现场未见群众满意度调查和培训记录。",
    )
    town.refresh_from_db()
    assert town.city_scored_at is not None and town.city_inspectors == "王五、赵六"
    assert town.total - town.city_total > Decimal(5)
    assert town.state == AssessmentState.APPROVED and town.total is not None  # the county's stays


def test_the_year_is_confirmed_only_when_every_sampled_town_is_scored_or_waived(world, year):
    city_helpers.approve_all(year)
    with pytest.raises(errors.WorkflowError, match=re.escape("7 个县(市、区)未抽取督查样本")):
        city_services.year_confirm(actor=world.city, year=year)
    city_helpers.sample_all(world, year)
    sampled = year.assessments.filter(sampled=True).count()
    with pytest.raises(errors.WorkflowError, match=re.escape(f"{sampled} 个抽查镇未评分")):
        city_services.year_confirm(actor=world.city, year=year)
    town = _sampled(year)
    with pytest.raises(errors.WorkflowError, match="须说明理由"):
        city_services.city_score_waive(actor=world.city, assessment=town, reason=" ")
    city_services.city_score_waive(actor=world.city, assessment=town, reason="该镇已于年中专项督查")
    with pytest.raises(errors.WorkflowError, match=re.escape(f"{sampled - 1} 个抽查镇未评分")):
        city_services.year_confirm(actor=world.city, year=year)
    city_helpers.waive_unscored(world, year)
    city_services.year_confirm(actor=world.city, year=year)
    year.refresh_from_db()
    assert year.state == YearState.CONFIRMED and year.rectification_due is not None
    assert WorkflowEvent.objects.filter(action=WorkflowStep.WAIVE_CITY_SCORE).count() == sampled


def test_the_city_returns_one_town_and_the_county_keeps_its_other_approvals(world, year):
    city_helpers.approve_all(year, NANHU)
    target = year.assessments.select_related("office__town", "assessment_year").get(office=world.office_a)
    with pytest.raises(errors.WorkflowError, match="须填写意见"):
        city_services.city_return_town(actor=world.city, assessment=target, comment="")
    city_services.city_return_town(actor=world.city, assessment=target, comment="现场核查:办公用房面积不实")
    target.refresh_from_db()
    assert target.state == AssessmentState.RETURNED and target.approved_at is None
    assert _result(year).state == CountyState.RETURNED
    others = year.assessments.filter(office__town__county__code=NANHU).exclude(pk=target.pk)
    assert set(others.values_list("state", flat=True)) == {AssessmentState.APPROVED}
    # The town may file again (its records are no longer locked) and submit; the county approves
    # it and reports again.
    services.self_assessment_submit(actor=world.town_a, assessment=target)
    assert WorkflowEvent.objects.filter(action=WorkflowStep.RETURN_TOWN_BY_CITY, assessment=target).exists()


def test_the_county_reopens_an_approved_town_to_score_it_again(world, year):
    city_helpers.approve_all(year, NANHU)
    CountyResult.objects.filter(assessment_year=year, county__code=NANHU).update(state=CountyState.OPEN)
    target = year.assessments.select_related("office__town", "assessment_year__catalog").get(
        office=world.office_a
    )
    with pytest.raises(PermissionDenied):
        services.county_reopen(actor=world.county_c, assessment=target, comment="复核")
    services.county_reopen(actor=world.county_a, assessment=target, comment="复核现场评分")
    assert target.state == AssessmentState.SUBMITTED
    services.county_approve(actor=world.county_a, assessment=target)
    services.county_return(actor=world.county_a, assessment=target, comment="请补充资料")
    assert target.state == AssessmentState.RETURNED  # an approved town returned to the town
