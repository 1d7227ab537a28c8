"""The Content Security Policy in a real browser: pages the tour does not reach (the dashboards with
their charts, the export page with its progress bar, the admin) work under it, and the watch that
every browser test runs (tests/browser/conftest.py) does catch a refused inline script."""

import pytest

from offices.models import Office
from operations.demo_data import DEMO_PASSWORD, seed_demo_city
from portal.models import User
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Csp-test-2010"


def _visit(page, path: str) -> None:
    response = page.goto(f"{page.base}{path}")
    assert response.status == 200, (path, response.status)
    page.wait_for_load_state("networkidle")


def test_an_inline_script_is_refused_and_caught(portal):
    page = portal
    _visit(page, "/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'document.body.dataset.injected = 1'; document.body.append(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.body.dataset.injected") is None
    assert any("inline script" in text for text in page.csp.violations), page.csp.violations
    page.csp.violations.clear()  # caught: the fixture's own check must not fail this test


def test_the_admin_works_under_the_policy(portal):
    page = portal
    User.objects.create_superuser("root_admin", password=PASSWORD, full_name="系统管理员", role="admin")
    office = Office.objects.select_related("town").first()
    login(page, "root_admin", PASSWORD)
    _visit(page, "/admin/")
    _visit(page, "/admin/offices/office/")
    _visit(page, "/admin/offices/office/?q=%E5%8D%97%E6%B9%96")
    _visit(page, f"/admin/offices/office/{office.pk}/change/")
    _visit(page, "/admin/portal/user/add/")
    # The collapsible fieldsets and the date widgets are the admin's scripts at work.
    _visit(page, "/admin/staffing/staffmember/add/")


def test_dashboards_and_export_page_work_under_the_policy(portal, reference_data):
    page = portal
    seed_demo_city()
    login(page, "city", DEMO_PASSWORD)
    assert page.url.endswith("/reports/")
    assert page.locator("svg.report-chart").count() >= 1
    _visit(page, "/reports/counties/330402/")
    _visit(page, "/reports/2011/all-counties/")
    # Starting the export shows the progress bar, which the page's own script keeps up to date.
    page.get_by_role("button", name="开始生成").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("progress").count() == 1
