"""In a real Chromium, the year's whole path: the town submits its self-assessment, the county
scores and approves it and reports the county, the city draws its sample and confirms the year."""

import datetime as dt

import pytest

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, YearState
from assessment.models import Assessment, AssessmentYear, CatalogVersion, RectificationTask
from assessment.workflow import services as workflow_services
from portal.choices import Role
from tests import factories
from tests.browser.conftest import login, shoot

pytestmark = pytest.mark.django_db(transaction=True)
A = factories.TOWN_A


@pytest.fixture
def opened_year(reference_data):
    city = factories.user("shiju", Role.CITY)
    factories.user("jianshe", Role.TOWN, office_obj=factories.office(A))
    factories.user("nanhu", Role.COUNTY, county_obj=factories.county("330402"))
    programme = catalog_services.programme_create(actor=city, name="三年行动", start_year=2010)
    year = workflow_services.year_open(
        actor=city, programme=programme, catalog=CatalogVersion.objects.get(year=2010)
    )
    # Every other town of the city is already approved and every other county has reported.
    year.assessments.exclude(office__town__code=A).update(state=AssessmentState.APPROVED)
    year.county_results.exclude(county__code="330402").update(state=CountyState.SUBMITTED)
    return year


def _submit(page, text: str) -> None:
    page.get_by_role("button", name=text).click()
    page.wait_for_load_state("networkidle")


def test_town_county_city_through_one_year(portal, opened_year):
    page = portal

    login(page, "jianshe", factories.PASSWORD)
    page.goto(f"{page.base}/assessment/2010/offices/{A}/self/")
    page.fill("textarea[name='A1-note']", "牌子已于 2010 年 3 月增挂,照片见附件。")
    shoot(page, "assessment-self")
    _submit(page, "保存并提交县级考核")
    assert Assessment.objects.get(office__town__code=A).state == AssessmentState.SUBMITTED
    page.context.clear_cookies()

    login(page, "nanhu", factories.PASSWORD)
    page.goto(f"{page.base}/assessment/2010/offices/{A}/score/")
    page.fill("input[name='visit_date']", dt.date(2010, 11, 5).isoformat())
    page.fill("input[name='inspectors']", "王强、李敏")
    page.fill("input[name='B5-points']", "2.5")
    page.fill("input[name='G2-points']", "5")
    _submit(page, "保存评分")
    shoot(page, "assessment-score")
    _submit(page, "审定通过")
    assert Assessment.objects.get(office__town__code=A).state == AssessmentState.APPROVED
    page.goto(f"{page.base}/assessment/2010/counties/330402/")
    _submit(page, "上报市民政局")
    assert opened_year.county_results.get(county__code="330402").state == CountyState.SUBMITTED
    page.context.clear_cookies()

    login(page, "shiju", factories.PASSWORD)
    page.goto(f"{page.base}/supervision/2010/")
    _submit(page, "抽取督查样本")
    assert AssessmentYear.objects.get(year=2010).sample_seed
    _submit(page, "确认2010年度考核结果")
    shoot(page, "assessment-city-confirmed")
    year = AssessmentYear.objects.get(year=2010)
    assert year.state == YearState.CONFIRMED
    assessment = Assessment.objects.get(office__town__code=A)
    assert assessment.state == AssessmentState.CONFIRMED and assessment.frozen_at is not None
    assert assessment.scores.get(item__code="B5").inspector_points == 2.5
    assert RectificationTask.objects.filter(office__town__code=A).exists()
