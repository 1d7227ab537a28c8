"""The workflow, enforced in services: every transition, who may make it, the reproducible sample,
and a confirmed year that does not move when records change."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assessment import errors
from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, TaskState, WorkflowStep, YearState
from assessment.models import Assessment, CatalogVersion, CountyResult, RectificationTask, WorkflowEvent
from assessment.standard import scoring
from assessment.workflow import city_services, rectification, services
from core.locks import RecordLocked
from offices.models import Office, Premises
from tests import factories
from tests.assessment.workflow import city_helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world):
    programme = catalog_services.programme_create(actor=world.city, name="三年行动", start_year=2010)
    return services.year_open(
        actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=2010)
    )


def _assessment(year, office) -> Assessment:
    return year.assessments.select_related("office__town", "assessment_year__catalog").get(office=office)


def _score_on_site(actor, assessment, visit=dt.date(2010, 11, 5)) -> None:
    rows = {s.item.code: s for s in scoring.item_rows(assessment)}
    services.county_score_save(
        actor=actor,
        assessment=assessment,
        visit_date=visit,
        inspectors="张三、李四",
        items=[services.CountyItem(rows["B5"], Decimal(3)), services.CountyItem(rows["G2"], Decimal(5))],
    )


def _approve_county(world, year, county_code: str) -> None:
    year.assessments.filter(office__town__county__code=county_code).update(state=AssessmentState.APPROVED)


def test_opening_a_year_starts_every_assessment_and_locks_the_catalog(world, year):
    assert year.assessments.count() == Office.objects.count() == 72
    assert year.county_results.count() == 7
    assert year.catalog.locked
    assert year.assessments.first().scores.count() == 23
    assert WorkflowEvent.objects.filter(action=WorkflowStep.OPEN_YEAR, actor=world.city).exists()
    with pytest.raises(errors.WorkflowError, match="已锁定"):
        item = year.catalog.items.first()
        catalog_services.catalog_item_save(actor=world.city, item=item, expected_version=item.version)


def test_only_the_city_opens_a_year_and_only_on_a_100_point_catalog(world):
    programme = catalog_services.programme_create(actor=world.city, name="三年行动", start_year=2010)
    catalog = CatalogVersion.objects.get(year=2010)
    with pytest.raises(PermissionDenied):
        services.year_open(actor=world.county_a, programme=programme, catalog=catalog)
    item = catalog.items.get(code="G2")
    item.points = Decimal(5)
    catalog_services.catalog_item_save(actor=world.city, item=item, expected_version=item.version)
    with pytest.raises(errors.WorkflowError, match=re.escape("总分为 99.00 分")):
        services.year_open(actor=world.city, programme=programme, catalog=catalog)


def test_copying_a_catalog_for_the_next_year(world):
    source = CatalogVersion.objects.get(year=2010)
    copy = catalog_services.catalog_copy(actor=world.city, source=source, year=2011)
    assert copy.items.count() == 23 and copy.copied_from == source and not copy.locked
    assert copy.items.get(code="C1").params == {"min_area": 60}
    with pytest.raises(errors.WorkflowError, match="已存在"):
        catalog_services.catalog_copy(actor=world.city, source=source, year=2011)


def test_the_whole_path_of_one_town(world, year):
    a = _assessment(year, world.office_a)
    with pytest.raises(PermissionDenied):
        services.self_assessment_submit(actor=world.town_b, assessment=a)
    with pytest.raises(errors.WorkflowError, match="尚未提交自评"):
        _score_on_site(world.county_a, a)

    services.self_assessment_submit(actor=world.town_a, assessment=a)
    with pytest.raises(errors.WorkflowError, match="不能重复提交"):
        services.self_assessment_submit(actor=world.town_a, assessment=a)
    with pytest.raises(PermissionDenied):
        _score_on_site(world.county_c, a)
    with pytest.raises(errors.WorkflowError, match="现场评分项目未评分"):
        services.county_approve(actor=world.county_a, assessment=a)
    with pytest.raises(errors.WorkflowError, match="须填写意见"):
        services.county_return(actor=world.county_a, assessment=a, comment=" ")

    services.county_return(actor=world.county_a, assessment=a, comment="请补充上墙照片")
    assert a.state == AssessmentState.RETURNED and a.county_comment == "请补充上墙照片"
    services.self_assessment_submit(actor=world.town_a, assessment=a)
    _score_on_site(world.county_a, a)
    services.county_approve(actor=world.county_a, assessment=a)
    assert a.state == AssessmentState.APPROVED

    log = list(
        WorkflowEvent.objects.filter(assessment=a)
        .order_by("at", "id")
        .values_list("action", "actor__username", "comment")
    )
    assert log == [
        (WorkflowStep.SELF_SUBMIT, "town_a", ""),
        (WorkflowStep.RETURN_TO_TOWN, "county_a", "请补充上墙照片"),
        (WorkflowStep.SELF_SUBMIT, "town_a", ""),
        (WorkflowStep.APPROVE, "county_a", ""),
    ]


def test_overrides_need_a_reason_and_points_stay_within_the_item(world, year):
    a = _assessment(year, world.office_a)
    services.self_assessment_submit(actor=world.town_a, assessment=a)
    rows = {s.item.code: s for s in scoring.item_rows(a)}
    with pytest.raises(errors.WorkflowError, match="C1 调整了自动计分,须说明理由"):
        services.county_score_save(
            actor=world.county_a,
            assessment=a,
            visit_date=None,
            inspectors="",
            items=[services.CountyItem(rows["C1"], Decimal(6))],
        )
    with pytest.raises(errors.WorkflowError, match=re.escape("G2 的得分须在 0 至 6.00 分之间")):
        services.county_score_save(
            actor=world.county_a,
            assessment=a,
            visit_date=None,
            inspectors="",
            items=[services.CountyItem(rows["G2"], Decimal(7))],
        )
    services.county_score_save(
        actor=world.county_a,
        assessment=a,
        visit_date=None,
        inspectors="",
        items=[
            services.CountyItem(rows["C1"], Decimal(6), reason="现场核实面积 65 平方米,台账未更新"),
            services.CountyItem(
                rows["B4"], None, not_applicable=True, not_applicable_reason="主任系本年度新任,见习尚未安排"
            ),
        ],
    )
    c1 = a.scores.get(item__code="C1")
    assert c1.final_points == 6 and c1.overridden and c1.override_reason.startswith("现场核实")
    assert c1.history.first().history_user == world.county_a
    assert a.scores.get(item__code="B4").final_points is None


def test_county_submits_only_when_every_town_is_approved(world, year):
    result = CountyResult.objects.get(assessment_year=year, county=world.office_a.town.county)
    with pytest.raises(errors.WorkflowError, match=re.escape("个镇(街道)未审定")):
        services.county_submit(actor=world.county_a, result=result)
    with pytest.raises(PermissionDenied):
        services.county_submit(actor=world.county_c, result=result)
    _approve_county(world, year, "330402")
    services.county_submit(actor=world.county_a, result=result)
    assert result.state == CountyState.SUBMITTED
    # Reported: the county can no longer change its towns until the city returns them.
    a = _assessment(year, world.office_a)
    Assessment.objects.filter(pk=a.pk).update(state=AssessmentState.SUBMITTED)
    a.refresh_from_db()
    with pytest.raises(errors.WorkflowError, match="已上报市局"):
        _score_on_site(world.county_a, a)
    # The city returns the county's results: the approvals stay; the county reopens a town to rescore.
    city_services.city_return_county(actor=world.city, result=result, comment="请复核建设街道现场评分")
    assert result.state == CountyState.RETURNED
    assert set(
        year.assessments.filter(office__town__county__code="330402")
        .exclude(pk=a.pk)
        .values_list("state", flat=True)
    ) == {AssessmentState.APPROVED}
    _score_on_site(world.county_a, a)


def test_confirmed_results_are_frozen_and_failed_items_become_tasks(world, year):
    with pytest.raises(errors.WorkflowError, match=re.escape("7 个县(市、区)未上报")):
        city_services.year_confirm(actor=world.city, year=year)
    a = _assessment(year, world.office_a)
    services.self_assessment_submit(actor=world.town_a, assessment=a)
    _score_on_site(world.county_a, a)
    year.assessments.update(state=AssessmentState.APPROVED)
    year.county_results.update(state=CountyState.SUBMITTED)
    with pytest.raises(errors.WorkflowError, match=re.escape("7 个县(市、区)未抽取督查样本")):
        city_services.year_confirm(actor=world.city, year=year)
    city_helpers.confirm(world, year, comment="确认")
    year.refresh_from_db()
    assert year.state == YearState.CONFIRMED

    a = _assessment(year, world.office_a)
    before = (a.total, a.result, list(a.scores.values_list("computed_points", flat=True)))
    assert a.state == AssessmentState.CONFIRMED and a.frozen_at is not None
    # The office cannot fix its premises of the confirmed year afterwards (only a correction can),
    # and the confirmed result does not move.
    with pytest.raises(RecordLocked, match="已由市局确认"):
        Premises.objects.create(office=world.office_a, year=2010, area_m2=Decimal(90))
    scoring.refresh([a])
    a.refresh_from_db()
    assert (a.total, a.result, list(a.scores.values_list("computed_points", flat=True))) == before
    with pytest.raises(errors.WorkflowError, match="已确认"):
        services.self_assessment_save(actor=world.town_a, assessment=a, note="", items=[])

    tasks = RectificationTask.objects.filter(office=world.office_a)
    assert tasks.filter(item__code="C1").exists()  # no premises were filed in 2010
    assert not tasks.filter(item__code="G2").exists()  # on-site items the county scored well
    assert {t.due_date for t in tasks} == {year.rectification_due}
    task = tasks.get(item__code="C1")
    with pytest.raises(PermissionDenied):
        rectification.task_close(actor=world.county_a, task=task, note="已整改")
    with pytest.raises(errors.WorkflowError, match="请填写整改情况"):
        rectification.task_close(actor=world.town_a, task=task, note="")
    rectification.task_close(actor=world.town_a, task=task, note="已调整办公用房至 90 平方米")
    assert task.state == TaskState.CLOSED and task.history.first().history_user == world.town_a


def test_scoring_a_whole_year_costs_a_fixed_number_of_queries(world, year, django_assert_max_num_queries):
    offices = list(Office.objects.select_related("town")[:5])
    with django_assert_max_num_queries(20) as few:
        scoring.score_offices(offices, year.catalog, 2010)
    everyone = list(Office.objects.select_related("town"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        scoring.score_offices(everyone, year.catalog, 2010)
    assert factories.TOWN_A in {o.town.code for o in everyone}


def test_a_save_from_an_outdated_page_is_refused(world, year):
    a = _assessment(year, world.office_a)
    services.self_assessment_submit(actor=world.town_a, assessment=a)
    shown = Assessment.objects.get(pk=a.pk).version  # two inspectors open the scoring page
    rows = {s.item.code: s for s in scoring.item_rows(a)}
    services.county_score_save(
        actor=world.county_a,
        assessment=a,
        visit_date=None,
        inspectors="甲",
        items=[services.CountyItem(rows["B5"], Decimal(3))],
        expected_version=shown,
    )
    stale = _assessment(year, world.office_a)
    with pytest.raises(errors.WorkflowError, match="已被他人保存"):
        services.county_score_save(
            actor=world.county_a,
            assessment=stale,
            visit_date=None,
            inspectors="乙",
            items=[services.CountyItem(rows["B5"], Decimal(1))],
            expected_version=shown,
        )
    assert Assessment.objects.get(pk=a.pk).inspectors == "甲"
    assert a.scores.get(item__code="B5").inspector_points == 3
