"""A tour of the main pages of the demo city, as each role sees them, in Chromium: every page answers
200 and loads nothing from outside the portal. With SCREENSHOTS=1 (`make screenshots`) it also
saves the pictures in docs/screenshots/ for the README."""

import pytest
from django.urls import reverse

from assessment.choices import CorrectionState
from assessment.models import Correction, Programme
from duties.models import DutyRecord
from operations.demo_data import DEMO_PASSWORD, seed_demo_city
from staffing.models import TrainingEvent
from tests.browser.conftest import login, shoot

pytestmark = pytest.mark.django_db(transaction=True)
TOWN = "330402008"  # 南湖区 解放街道


@pytest.fixture
def demo_city(reference_data):
    seed_demo_city()


def _visit(page, path: str, name: str) -> None:
    response = page.goto(f"{page.base}{path}")
    assert response.status == 200, (path, response.status)
    page.wait_for_load_state("networkidle")
    shoot(page, name)


def test_tour_of_the_demo_city(portal, demo_city):
    page = portal
    record = DutyRecord.objects.filter(office__town__code=TOWN, date__year=2012).order_by("-date").first()
    county_event = TrainingEvent.objects.filter(county__code="330402", starts_on__year=2012).get()
    programme = Programme.objects.get()
    approved = Correction.objects.get(state=CorrectionState.APPROVED)

    _visit(page, "/accounts/login/", "01-login")
    login(page, f"town_{TOWN}", DEMO_PASSWORD)
    _visit(page, f"/offices/{TOWN}/?year=2012", "02-town-home")
    _visit(page, f"/offices/{TOWN}/premises/?year=2012", "03-town-premises")
    _visit(page, f"/offices/{TOWN}/premises/2012/edit/", "04-town-premises-form")
    _visit(page, f"/offices/{TOWN}/rules/?year=2012", "05-town-posted-rules")
    _visit(page, f"/offices/{TOWN}/duties/", "06-town-duty-sheet")
    _visit(page, f"/offices/{TOWN}/duties/records/?year=2012", "07-town-duty-records")
    _visit(page, f"/offices/{TOWN}/duties/records/{record.pk}/", "08-town-duty-record")
    _visit(page, f"/offices/{TOWN}/staff/?year=2012", "09-town-staff")
    _visit(page, f"/offices/{TOWN}/history/", "10-town-history")
    _visit(page, f"/assessment/2011/offices/{TOWN}/", "18-town-assessment-2011")
    _visit(page, f"/assessment/offices/{TOWN}/tasks/", "19-town-rectification")
    _visit(page, f"/assessment/offices/{TOWN}/corrections/", "25-town-corrections")
    page.context.clear_cookies()

    login(page, "county_330402", DEMO_PASSWORD)
    _visit(page, "/offices/counties/330402/?year=2011", "11-county-overview")
    _visit(page, f"/offices/{TOWN}/?year=2011", "12-county-reads-a-town")
    _visit(page, "/training/", "13-county-training")
    _visit(page, f"/training/{county_event.pk}/attendance/", "14-county-attendance")
    _visit(page, "/assessment/2012/counties/330402/", "20-county-assessment-2012")
    _visit(page, f"/assessment/2012/offices/{TOWN}/score/", "21-county-scoring")
    _visit(page, "/assessment/counties/330402/tasks/?state=closed", "26-county-tasks-to-verify")
    _visit(page, "/assessment/counties/330402/corrections/", "27-county-corrections")
    _visit(page, reverse("reports:county_matching_edit", args=[programme.pk, "330402"]), "28-county-matching")
    _visit(page, reverse("reports:county_payments", args=[programme.pk, "330402"]), "29-county-payments")
    page.context.clear_cookies()

    login(page, "city", DEMO_PASSWORD)
    _visit(page, "/offices/counties/", "15-city-counties")
    _visit(page, "/training/overview/?year=2012", "16-city-training-overview")
    _visit(page, "/accounts/users/", "17-city-accounts")
    _visit(page, "/supervision/2011/", "22-city-year-2011")
    _visit(page, "/supervision/2011/differences/", "23-city-differences")
    _visit(page, "/supervision/catalogs/2012/", "24-city-catalog")
    _visit(page, "/supervision/2012/", "30-city-year-2012-sampling")
    _visit(page, "/supervision/2010/rectification/", "31-city-rectification")
    _visit(page, "/assessment/corrections/", "32-city-corrections")
    _visit(page, f"/assessment/corrections/{approved.pk}/", "33-city-correction-approved")
    _visit(page, reverse("reports:county_matching", args=[programme.pk]), "34-city-matching")
    _visit(page, reverse("reports:payment_list", args=[programme.pk]), "35-city-payments")
