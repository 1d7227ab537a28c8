"""Reads only read: the assessment's pages and its scoring sheet show the points today's records give
without storing them, a frozen assessment shows what was confirmed, and the workflow services store
the points when they move an assessment on."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, Method
from assessment.models import Assessment, AssessmentYear, CatalogVersion, ItemScore
from assessment.reports import sheet
from assessment.standard import scoring
from assessment.workflow import selectors, services
from core.locks import RecordLocked
from offices.models import OfficeYearFacts
from staffing.choices import EmploymentType, Post
from tests import factories
from tests.assessment.workflow import city_helpers

pytestmark = pytest.mark.django_db
YEAR = 2010
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def year(world) -> AssessmentYear:
    programme = catalog_services.programme_create(actor=world.city, name="三年行动", start_year=YEAR)
    return services.year_open(
        actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=YEAR)
    )


def _assessment(office) -> Assessment:
    return selectors.assessment_for(office=office, year=YEAR)


def _stored(office) -> tuple:
    """What the database holds of the office's assessment: its standing and every computed score."""
    a = Assessment.objects.get(assessment_year__year=YEAR, office=office)
    scores = ItemScore.objects.filter(assessment=a).order_by("item__code")
    return (
        (a.total, a.result, a.veto_failed, a.city_total),
        [(s.item_id, s.computed_points, s.figures, s.met) for s in scores],
    )


def _staffed(office) -> None:
    """Records that move B1 (staffing) from 0 to full marks, filed after the year was opened."""
    OfficeYearFacts.objects.create(office=office, year=YEAR, service_population=45_000)
    for i in range(3):
        factories.staff(
            office,
            name=f"人员{i}",
            post=Post.DIRECTOR if i == 0 else Post.STAFF,
            employment_type=EmploymentType.CIVIL_SERVANT,
        )


def _writes_to_assessment(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITES) and '"assessment_' in q["sql"]
    ]


def test_the_score_sheet_computes_todays_points_without_storing_them(world, year):
    _staffed(world.office_a)
    before = _stored(world.office_a)
    with CaptureQueriesContext(connection) as captured:
        shown = selectors.score_sheet(_assessment(world.office_a))
    assert _writes_to_assessment(captured.captured_queries) == []
    assert _stored(world.office_a) == before
    b1 = next(s for s in shown.scores if s.item.code == "B1")
    assert b1.computed_points == Decimal(6) and "标准 3 人" in b1.figures
    stored_b1 = ItemScore.objects.get(assessment__office=world.office_a, item__code="B1")
    assert stored_b1.computed_points == Decimal(0)
    # What a refresh would store is exactly what the sheet shows.
    assessment = _assessment(world.office_a)
    scoring.refresh([assessment])
    assert (shown.points, shown.result, shown.veto_failed) == (
        assessment.total,
        assessment.result,
        assessment.veto_failed,
    )
    stored = {s.item_id: (s.computed_points, s.figures, s.met) for s in scoring.item_rows(assessment)}
    assert {s.item_id: (s.computed_points, s.figures, s.met) for s in shown.scores} == stored


def test_the_pages_and_the_scoring_sheet_write_nothing(world, year):
    _staffed(world.office_a)
    assessment = _assessment(world.office_a)
    Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.SUBMITTED)
    before = _stored(world.office_a)
    code = world.office_a.town.code
    pages = [
        (world.town_a, reverse("assessment:detail", args=[YEAR, code])),
        (world.town_a, reverse("assessment:self_assess", args=[YEAR, code])),
        (world.county_a, reverse("assessment:county_score", args=[YEAR, code])),
        (world.county_a, reverse("assessment:county_overview", args=[YEAR, world.office_a.town.county.code])),
        (world.town_a, reverse("reports:scoring_sheet", args=[YEAR, code, "xlsx"])),
    ]
    for user, url in pages:
        client = factories.client_for(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        assert _writes_to_assessment(captured.captured_queries) == [], url
    with CaptureQueriesContext(connection) as captured:
        report = sheet.scoring_sheet(world.office_a, YEAR)
    assert _writes_to_assessment(captured.captured_queries) == []
    assert _stored(world.office_a) == before
    assert next(i for i in report.items if i.code == "B1").computed == Decimal(6)


def test_the_page_shows_the_total_of_todays_records(world, year):
    _staffed(world.office_a)
    stored_total = Assessment.objects.get(assessment_year=year, office=world.office_a).total
    shown = selectors.score_sheet(_assessment(world.office_a))
    assert shown.points != stored_total
    html = factories.client_for(world.town_a).get(
        reverse("assessment:detail", args=[YEAR, world.office_a.town.code])
    )
    assert f'data-testid="total">{shown.points:.2f}</div>' in html.content.decode()


def test_a_frozen_assessment_shows_what_was_confirmed(world, year):
    ItemScore.objects.filter(assessment__assessment_year=year, item__method=Method.INSPECTOR).update(
        inspector_points=Decimal(1)
    )
    year.assessments.update(state=AssessmentState.APPROVED)
    year.county_results.update(state=CountyState.SUBMITTED)
    city_helpers.confirm(world, year)
    frozen = _stored(world.office_a)
    with pytest.raises(RecordLocked):  # nothing of a confirmed year can be filed afterwards
        _staffed(world.office_a)
    shown = selectors.score_sheet(_assessment(world.office_a))
    assert _stored(world.office_a) == frozen
    assert (shown.points, shown.result, shown.veto_failed, shown.city_total) == frozen[0]
    b1 = next(s for s in shown.scores if s.item.code == "B1")
    assert b1.computed_points == Decimal(0) and "服务人口未填报" in b1.figures


def test_an_item_without_its_score_row_still_shows(world, year):
    """A row missing (never after opening a year, which creates them) shows unsaved, as a refresh
    would have created it, and the read still writes nothing."""
    ItemScore.objects.filter(assessment__office=world.office_a, item__code="B1").delete()
    _staffed(world.office_a)
    shown = selectors.score_sheet(_assessment(world.office_a))
    codes = [s.item.code for s in shown.scores]
    assert codes == list(year.catalog.items.order_by("order", "code").values_list("code", flat=True))
    b1 = next(s for s in shown.scores if s.item.code == "B1")
    assert b1.pk is None and b1.computed_points == Decimal(6)
    assert not ItemScore.objects.filter(assessment__office=world.office_a, item__code="B1").exists()


def test_the_services_store_the_points_when_they_move_an_assessment_on(world, year):
    _staffed(world.office_a)
    shown = selectors.score_sheet(_assessment(world.office_a))
    # The town's save stores what its page showed.
    services.self_assessment_save(
        actor=world.town_a, assessment=_assessment(world.office_a), note="", items=[]
    )
    stored = Assessment.objects.get(assessment_year=year, office=world.office_a)
    assert (stored.total, stored.result) == (shown.points, shown.result)
    b1 = ItemScore.objects.get(assessment=stored, item__code="B1")
    assert b1.computed_points == Decimal(6)
    # The save's history row carries the total the town saw.
    assert stored.history.latest().total == shown.points
    assert stored.history.latest().history_user == world.town_a


def test_submitting_stores_the_points_of_records_filed_since_the_page_was_seen(world, year):
    assessment = _assessment(world.office_a)
    _staffed(world.office_a)
    services.self_assessment_submit(actor=world.town_a, assessment=assessment)
    assert ItemScore.objects.get(assessment=assessment, item__code="B1").computed_points == Decimal(6)
    # No result yet while the on-site items wait for the county (待评分), but the total is stored.
    stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.result == "" and stored.total == selectors.score_sheet(_assessment(world.office_a)).points
