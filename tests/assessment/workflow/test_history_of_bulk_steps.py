"""The steps that change many rows at once write history like every other change: one audit row per
changed assessment, county result and task, naming who took the step, at a cost in queries that does
not grow with the number of towns."""

import sqlite3
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, Method, TaskState
from assessment.models import (
    Assessment,
    AssessmentYear,
    CatalogVersion,
    CountyResult,
    ItemScore,
    RectificationTask,
)
from assessment.workflow import city_services, services
from offices.models import Office
from tests.assessment.workflow import city_helpers

pytestmark = pytest.mark.django_db
YEAR = 2010


@pytest.fixture
def year(world) -> AssessmentYear:
    programme = catalog_services.programme_create(actor=world.city, name="三年行动", start_year=YEAR)
    return services.year_open(
        actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=YEAR)
    )


@pytest.fixture
def ready(world, year) -> AssessmentYear:
    """Every town approved with its on-site items scored, every county reported, the sample drawn:
    the year waits for the city's confirmation."""
    ItemScore.objects.filter(assessment__assessment_year=year, item__method=Method.INSPECTOR).update(
        inspector_points=Decimal(2)
    )
    year.assessments.update(state=AssessmentState.APPROVED)
    year.county_results.update(state=CountyState.SUBMITTED)
    city_helpers.sample_all(world, year, seed="history")
    city_helpers.waive_unscored(world, year)
    year.refresh_from_db()
    return year


@pytest.fixture
def whole_batches(monkeypatch):
    """SQLite's default cap of 999 parameters makes Django split one bulk write into statements of a
    few dozen rows; PostgreSQL sends each as one statement. Lift the cap to what this SQLite library
    accepts, so counting statements counts writes, not batches."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


def _latest(model, pk: int):
    return model.history.filter(id=pk).order_by("-history_date", "-history_id").first()


def test_opening_a_year_writes_history_for_every_assessment_and_county_result(world, year):
    assessments = list(year.assessments.all())
    opened = Assessment.history.filter(assessment_year=year, history_type="+")
    assert opened.count() == len(assessments) == Office.objects.count()
    assert set(opened.values_list("history_user", flat=True)) == {world.city.pk}
    results = CountyResult.history.filter(assessment_year=year, history_type="+")
    assert results.count() == year.county_results.count() == 7
    assert set(results.values_list("history_user", flat=True)) == {world.city.pk}


def test_the_sample_writes_history_for_the_drawn_towns(world, year):
    year.county_results.update(state=CountyState.SUBMITTED)
    drawn = []
    for result in year.county_results.all():
        drawn += city_services.sample_draw(actor=world.city, result=result, seed="s")
    changed = Assessment.history.filter(assessment_year=year, sampled=True)
    assert sorted(changed.values_list("id", flat=True)) == sorted(a.pk for a in drawn)
    assert set(changed.values_list("history_user", flat=True)) == {world.city.pk}


def test_a_city_return_keeps_the_countys_approvals_and_writes_its_history(world, year):
    county = world.office_a.town.county
    year.assessments.update(state=AssessmentState.APPROVED)
    result = CountyResult.objects.get(assessment_year=year, county=county)
    CountyResult.objects.filter(pk=result.pk).update(state=CountyState.SUBMITTED)
    result.refresh_from_db()
    city_services.city_return_county(actor=world.city, result=result, comment="请复核现场评分")
    towns = list(year.assessments.filter(office__town__county=county))
    # A return of the county's results does not undo the approvals of its towns.
    assert {a.state for a in towns} == {AssessmentState.APPROVED}
    latest = _latest(CountyResult, result.pk)
    assert latest.state == CountyState.RETURNED and latest.history_user == world.city


def test_confirmation_writes_one_history_row_per_frozen_assessment_with_the_actor(world, ready):
    city_services.year_confirm(actor=world.city, year=ready, comment="确认")
    assessments = list(ready.assessments.all())
    frozen = Assessment.history.filter(assessment_year=ready, state=AssessmentState.CONFIRMED)
    assert frozen.count() == len(assessments) == Office.objects.count()
    assert sorted(frozen.values_list("id", flat=True)) == sorted(a.pk for a in assessments)
    for assessment in assessments:
        latest = _latest(Assessment, assessment.pk)
        assert latest.history_user == world.city and latest.history_type == "~"
        assert latest.state == AssessmentState.CONFIRMED and latest.frozen_at == assessment.frozen_at
        # The row keeps what was frozen: the points as the records stood at the confirmation.
        assert (latest.total, latest.result, latest.veto_failed) == (
            assessment.total,
            assessment.result,
            assessment.veto_failed,
        )
    results = CountyResult.history.filter(assessment_year=ready, state=CountyState.CONFIRMED)
    assert results.count() == ready.county_results.count() == 7
    assert set(results.values_list("history_user", flat=True)) == {world.city.pk}


def test_confirmation_writes_history_for_every_rectification_task(world, ready):
    city_services.year_confirm(actor=world.city, year=ready)
    tasks = RectificationTask.objects.filter(assessment__assessment_year=ready)
    assert tasks.exists()
    created = RectificationTask.history.filter(assessment__assessment_year=ready, history_type="+")
    assert sorted(created.values_list("id", flat=True)) == sorted(tasks.values_list("pk", flat=True))
    assert set(created.values_list("history_user", flat=True)) == {world.city.pk}
    assert set(created.values_list("state", flat=True)) == {TaskState.OPEN}


def _confirm_cost(world, year: AssessmentYear) -> int:
    """The statements one confirmation runs, rolled back afterwards so the year can be confirmed again."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            city_services.year_confirm(actor=world.city, year=year)
        transaction.set_rollback(True)
    year.refresh_from_db()
    return len(captured.captured_queries)


def test_confirmation_costs_the_same_queries_for_72_towns_and_for_2(world, ready, whole_batches):
    _confirm_cost(world, ready)  # warm what is cached per process
    many = _confirm_cost(world, ready)
    assert Assessment.history.filter(state=AssessmentState.CONFIRMED).count() == 0  # rolled back
    ready.assessments.exclude(office__in=[world.office_a, world.office_c]).delete()
    assert ready.assessments.count() == 2
    few = _confirm_cost(world, ready)
    assert few == many
