"""In a real Chromium, the year's whole path as its users take it: the town submits (and is asked
first), the county scores, approves and reports, the city samples that county, scores the sampled
towns (one with a difference that needs an explanation) and confirms; a correction is filed and
approved; a rectification task is closed by the town and verified by the county."""

import datetime as dt
from decimal import Decimal

import pytest

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CorrectionState, CountyState, TaskState, YearState
from assessment.models import (
    Assessment,
    AssessmentYear,
    CatalogVersion,
    Correction,
    ItemScore,
    RectificationTask,
)
from assessment.standard import scoring
from assessment.workflow import services as workflow_services
from offices.models import Premises
from portal.choices import Role
from tests import factories
from tests.assessment.workflow import city_helpers
from tests.browser.conftest import login, shoot

pytestmark = pytest.mark.django_db(transaction=True)
A = factories.TOWN_A
NANHU = "330402"


@pytest.fixture
def opened_year(reference_data):
    city = factories.user("shiju", Role.CITY)
    factories.user("jianshe", Role.TOWN, office_obj=factories.office(A))
    factories.user("nanhu", Role.COUNTY, county_obj=factories.county(NANHU))
    Premises.objects.create(office=factories.office(A), year=2010, area_m2=Decimal(40), is_fixed=True)
    programme = catalog_services.programme_create(actor=city, name="三年行动", start_year=2010)
    year = workflow_services.year_open(
        actor=city, programme=programme, catalog=CatalogVersion.objects.get(year=2010)
    )
    # Every other town is approved; the other counties have reported, been sampled (no town drawn)
    # and need nothing more from the city.
    city_helpers.score_on_site(year)
    ItemScore.objects.filter(assessment__office__town__code=A).update(inspector_points=None)
    year.assessments.exclude(office__town__code=A).update(
        state=AssessmentState.APPROVED, visit_date=dt.date(2010, 11, 1)
    )
    scoring.refresh(list(year.assessments.select_related("assessment_year__catalog")))
    year.county_results.exclude(county__code=NANHU).update(state=CountyState.SUBMITTED, sample_seed="earlier")
    return year


def _click(page, text: str) -> None:
    page.get_by_role("button", name=text).click()
    page.wait_for_load_state("networkidle")


def _link(page, text: str) -> None:
    page.get_by_role("link", name=text).first.click()
    page.wait_for_load_state("networkidle")


def _as(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, factories.PASSWORD)


def test_a_whole_year_town_county_city_correction_and_rectification(portal, opened_year):
    page = portal

    # -- the town submits, and is asked first ------------------------------------------------------
    _as(page, "jianshe")
    page.goto(f"{page.base}/assessment/2010/offices/{A}/self/")
    page.fill("textarea[name='A1-note']", "牌子已于 2010 年 3 月增挂,照片见附件。")
    shoot(page, "assessment-self")
    _click(page, "保存并提交县级考核")
    assert page.get_by_test_id("confirm-step").is_visible()
    assert "资料锁定" in page.content()
    shoot(page, "assessment-confirm-submit")
    assert Assessment.objects.get(office__town__code=A).state == AssessmentState.DRAFT
    _click(page, "确认提交")
    assert Assessment.objects.get(office__town__code=A).state == AssessmentState.SUBMITTED
    # Its records of 2010 are now read-only.
    page.goto(f"{page.base}/offices/{A}/premises/2010/edit/")
    assert page.get_by_test_id("record-locked").is_visible()

    # -- the county scores, approves (saving the page first) and reports --------------------------
    _as(page, "nanhu")
    page.goto(f"{page.base}/assessment/2010/offices/{A}/score/")
    page.fill("input[name='visit_date']", dt.date(2010, 11, 5).isoformat())
    page.fill("input[name='inspectors']", "王强、李敏")
    page.fill("input[name='B5-points']", "2.5")
    page.fill("input[name='G2-points']", "5")
    shoot(page, "assessment-score")
    _click(page, "保存并审定…")
    assert "确认审定" in page.content()
    shoot(page, "assessment-confirm-approve")
    _click(page, "确认审定")
    approved = Assessment.objects.get(office__town__code=A)
    assert approved.state == AssessmentState.APPROVED
    assert approved.scores.get(item__code="B5").inspector_points == Decimal("2.5")  # nothing typed was lost
    page.goto(f"{page.base}/assessment/2010/counties/{NANHU}/")
    _link(page, "上报市民政局…")
    _click(page, "确认上报市局")
    assert opened_year.county_results.get(county__code=NANHU).state == CountyState.SUBMITTED

    # -- the city samples the county, scores the sampled towns and confirms ------------------------
    _as(page, "shiju")
    page.goto(f"{page.base}/supervision/2010/counties/{NANHU}/sample/")
    page.fill("input[name='seed']", "browser-2010")
    shoot(page, "supervision-confirm-sample")
    _click(page, "确认抽取")
    sampled = list(
        Assessment.objects.filter(assessment_year__year=2010, sampled=True).select_related("office__town")
    )
    assert len(sampled) == 2 and {a.office.town.county.code for a in sampled} == {NANHU}
    page.goto(f"{page.base}/supervision/2010/confirm/")
    assert "2 个抽查镇未评分" in page.content()
    for i, town in enumerate(sampled):
        page.goto(f"{page.base}/supervision/2010/offices/{town.office.town.code}/")
        page.fill("input[name='visit_date']", "2010-12-20")
        page.fill("input[name='inspectors']", "市局督查组 王建国")
        if i == 0:  # the city finds far less on site than the county did
            for field in page.locator("input[name^='points_']").all():
                field.fill("0")
            _click(page, "保存市级督查评分")
            assert "请填写差异说明" in page.content()
            shoot(page, "supervision-city-score-difference")
            page.fill("textarea[name='difference_note']", "现场未见相关台账和群众满意度调查记录。")
        _click(page, "保存市级督查评分")
        assert Assessment.objects.get(pk=town.pk).city_scored_at is not None
    page.goto(f"{page.base}/supervision/2010/")
    shoot(page, "supervision-year-sample")
    _link(page, "确认2010年度考核结果…")
    shoot(page, "supervision-confirm-year")
    _click(page, "确认2010年度考核结果")
    assert AssessmentYear.objects.get(year=2010).state == YearState.CONFIRMED
    assert Assessment.objects.get(office__town__code=A).state == AssessmentState.CONFIRMED

    # -- a correction: the town files it, the city approves it --------------------------------------
    _as(page, "jianshe")
    page.goto(f"{page.base}/offices/{A}/premises/2010/edit/")
    assert "已由市局确认" in page.content()
    page.get_by_test_id("correct").click()
    page.wait_for_load_state("networkidle")
    page.fill("input[name$='area_m2']", "80")
    page.fill("textarea[name$='problem']", "2010年办公用房面积误填为 40 平方米。")
    page.fill("textarea[name$='reason']", "按房产证核实,实际面积 80 平方米。")
    page.set_input_files("input[name$='evidence']", files=[_pdf("房产证.pdf")])
    shoot(page, "correction-new")
    # A form with files is sent by static/js/upload.js (with progress), then the page follows the
    # answer's redirect: wait for that navigation, not for a network that is idle before it starts.
    with page.expect_navigation():
        page.get_by_role("button", name="提交更正申请").click()
    page.wait_for_load_state("networkidle")
    correction = Correction.objects.get()
    assert correction.state == CorrectionState.PENDING
    before = Assessment.objects.get(office__town__code=A).total

    _as(page, "shiju")
    page.goto(f"{page.base}/assessment/corrections/{correction.pk}/")
    page.get_by_label("批准更正").check()
    page.fill("textarea[name='note']", "经核实房产证,同意更正。")
    shoot(page, "correction-decide")
    _click(page, "提交审核结果")
    correction.refresh_from_db()
    assert correction.state == CorrectionState.APPROVED
    assert Premises.objects.get(office__town__code=A, year=2010).area_m2 == Decimal(80)
    assert Assessment.objects.get(office__town__code=A).total > before  # C1 now met
    page.goto(f"{page.base}/assessment/2010/offices/{A}/")
    assert "已更正" in page.content()
    shoot(page, "assessment-detail-corrected")

    # -- rectification: the town closes a task, the county verifies it --------------------------------
    task = RectificationTask.objects.filter(office__town__code=A).first()
    _as(page, "jianshe")
    page.goto(f"{page.base}/assessment/offices/{A}/tasks/{task.pk}/close/")
    page.fill("textarea[name='note']", "已按要求整改到位,资料已补充上传。")
    _click(page, "完成整改")
    assert RectificationTask.objects.get(pk=task.pk).state == TaskState.CLOSED
    _as(page, "nanhu")
    page.goto(f"{page.base}/assessment/offices/{A}/tasks/{task.pk}/verify/")
    shoot(page, "task-verify")
    _click(page, "验收通过")
    assert RectificationTask.objects.get(pk=task.pk).state == TaskState.VERIFIED


def _pdf(name: str) -> dict:
    from tests.evidence_samples import pdf_bytes

    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}
