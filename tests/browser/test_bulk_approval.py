"""In a real Chromium: a county filters its towns of the year, ticks several, is asked first (each
town with what happens, the one that cannot be approved skipped with its reason) and approves them
in one step; and the account form's list of 72 offices can be searched."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, Method, WorkflowStep
from assessment.models import Assessment, CatalogVersion, ItemScore, WorkflowEvent
from assessment.workflow import services as workflow_services
from portal.choices import Role
from tests import factories
from tests.browser.conftest import login, shoot

pytestmark = pytest.mark.django_db(transaction=True)
NANHU = "330402"


@pytest.fixture
def county_year(reference_data):
    """2010 open, the county's approval due on 15 December 2010: five of 南湖区's towns submitted
    (four scored on site with a visit date, one not yet scored), two already approved."""
    city = factories.user("shiju", Role.CITY)
    factories.user("nanhu", Role.COUNTY, county_obj=factories.county(NANHU))
    programme = catalog_services.programme_create(actor=city, name="三年行动", start_year=2010)
    year = workflow_services.year_open(
        actor=city,
        programme=programme,
        catalog=CatalogVersion.objects.get(year=2010),
        self_assessment_due=timezone.localdate() + dt.timedelta(days=30),
        county_due=dt.date(2010, 12, 15),
    )
    towns = list(
        year.assessments.filter(office__town__county__code=NANHU)
        .select_related("office__town")
        .order_by("office__town__code")
    )
    submitted, approved = towns[:5], towns[5:7]
    Assessment.objects.filter(pk__in=[a.pk for a in submitted]).update(
        state=AssessmentState.SUBMITTED, visit_date=dt.date(2010, 11, 20)
    )
    Assessment.objects.filter(pk__in=[a.pk for a in approved]).update(
        state=AssessmentState.APPROVED, visit_date=dt.date(2010, 11, 2), approved_at=timezone.now()
    )
    for item in year.catalog.items.filter(method=Method.INSPECTOR):
        ItemScore.objects.filter(assessment__in=submitted[:4] + approved, item=item).update(
            inspector_points=item.points
        )
    for day, assessment in enumerate(submitted + approved, start=1):
        event = WorkflowEvent.log(year.pk, WorkflowStep.SELF_SUBMIT, None, assessment=assessment)
        WorkflowEvent.objects.filter(pk=event.pk).update(at=dt.datetime(2010, 10, day, 2, tzinfo=dt.UTC))
    return year, [a.office.town for a in submitted]


def test_a_county_filters_its_towns_and_approves_several_at_once(portal, county_year):
    page = portal
    year, submitted = county_year
    login(page, "nanhu", factories.PASSWORD)
    page.goto(f"{page.base}{reverse('assessment:county_overview', args=[2010, NANHU])}")

    # -- the plain GET form: only the submitted towns, latest submission first ---------------------
    filters = page.get_by_test_id("town-filters")
    filters.get_by_label("状态").select_option(label="已提交县级考核")
    filters.get_by_label("排序").select_option(label="提交日期 降序")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    assert "state=submitted" in page.url and "sort=-submitted" in page.url
    rows = page.get_by_test_id("towns").locator("tbody tr")
    assert rows.count() == 5
    assert rows.first.get_attribute("data-town") == submitted[-1].code  # the latest submission
    assert page.get_by_test_id("late").count() == 5  # the county's approval was due in 2010
    shoot(page, "county-towns-filtered")

    # -- tick three: two ready, one whose on-site items are not scored -----------------------------
    ready, unscored = submitted[:2], submitted[4]
    for town in [*ready, unscored]:
        page.get_by_label(f"选择{town.name}").check()
    page.get_by_role("button", name="批量审定所选…").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("confirm-step").is_visible()
    table = page.get_by_test_id("preview-rows")
    assert table.locator("tbody tr").count() == 3
    skipped = table.locator(f'tr[data-town="{unscored.code}"]')
    assert skipped.get_attribute("data-skipped") == "1" and "现场评分项目未评分" in skipped.inner_text()
    assert "1 个镇(街道)暂不能审定,将跳过" in page.get_by_test_id("unfinished").inner_text()
    shoot(page, "county-bulk-approve-confirm")
    assert set(
        Assessment.objects.filter(office__town__in=[*ready, unscored]).values_list("state", flat=True)
    ) == {AssessmentState.SUBMITTED}  # asking wrote nothing

    page.fill("textarea[name='comment']", "资料齐全,同意审定。")
    page.get_by_role("button", name="确认审定 2 个镇(街道)").click()
    page.wait_for_load_state("networkidle")
    assert f"已审定 2 个镇(街道):{ready[0].name}、{ready[1].name}。" in page.content()
    states = dict(
        Assessment.objects.filter(assessment_year=year, office__town__in=submitted).values_list(
            "office__town__code", "state"
        )
    )
    assert [states[t.code] for t in submitted] == [
        "approved",
        "approved",
        "submitted",
        "submitted",
        "submitted",
    ]
    events = WorkflowEvent.objects.filter(action=WorkflowStep.APPROVE, comment="资料齐全,同意审定。")
    assert sorted(events.values_list("assessment__office__town__code", flat=True)) == [t.code for t in ready]


def test_the_office_list_of_the_account_form_can_be_searched(portal, reference_data):
    page = portal
    factories.user("shiju", Role.CITY)
    login(page, "shiju", factories.PASSWORD)
    page.goto(f"{page.base}{reverse('portal:user_create')}")
    select = page.locator("select[name='office']")
    total = select.locator("option").count()
    assert total > 70
    search = page.get_by_label("筛选“所属民政办”的选项")
    search.fill("新城")
    assert 1 < select.locator("option").count() < 5  # the empty choice and the matching offices
    assert "找到" in page.get_by_role("status").first.inner_text()
    search.press("Enter")
    chosen = select.evaluate("s => s.options[s.selectedIndex].text")
    assert "新城" in chosen
    shoot(page, "account-office-search")
    search.fill("")
    search.dispatch_event("input")
    assert select.locator("option").count() == total
    assert select.evaluate("s => s.options[s.selectedIndex].text") == chosen  # the choice stays
