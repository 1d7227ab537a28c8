"""In a real Chromium: a town user downloads the template, uploads a roster with a mistake, reads the
problem by row and column, uploads the corrected file, confirms, and finds the people on the roster;
the export menu offers both formats. No request leaves the portal."""

import pytest

from portal.choices import Role
from staffing.models import StaffMember
from tests import factories
from tests.browser.conftest import login
from tests.core.spreadsheets import helpers as h

pytestmark = pytest.mark.django_db(transaction=True)
A = factories.TOWN_A


def test_town_user_imports_a_roster_through_the_preview(portal, tmp_path):
    page = portal
    factories.user("jianshe", Role.TOWN, office_obj=factories.office(A))
    login(page, "jianshe", factories.PASSWORD)
    page.goto(f"{page.base}/offices/{A}/staff/")
    page.click("[data-testid=import]")
    assert page.url.endswith(f"/offices/{A}/staff/import/")

    with page.expect_download() as download:
        page.click("[data-testid=import-template]")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert [c.value for c in h.read_xlsx(template.read_bytes())[1]][:2] == ["镇(街道)", "姓名"]

    wrong = tmp_path / "名册.xlsx"
    wrong.write_bytes(
        h.xlsx_bytes(
            [h.STAFF_HEADER, h.staff_row("王芳"), h.staff_row("李娜", 出生日期="1985年13月1日")], title="名册"
        )
    )
    page.set_input_files("input[type=file]", str(wrong))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    problems = page.inner_text("[data-testid=import-problems]")
    assert "第 4 行" in problems and "出生日期(C 列)" in problems and "没有这一天" in problems
    assert page.locator("[data-testid=import-confirm]").count() == 0
    page.click("button[value=cancel]")
    page.wait_for_load_state("networkidle")

    right = tmp_path / "名册(改).csv"
    right.write_bytes(h.csv_bytes([h.STAFF_HEADER, h.staff_row("王芳"), h.staff_row("李娜")], encoding="gbk"))
    page.set_input_files("input[type=file]", str(right))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "新增 2 条" in page.inner_text("main")
    assert not StaffMember.objects.exists()
    page.click("[data-testid=import-confirm]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/offices/{A}/staff/")
    assert "导入完成:新增 2 条" in page.inner_text("main")
    assert "王芳" in page.inner_text("table") and "李娜" in page.inner_text("table")

    page.click(".dropdown-toggle-split")
    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    exported = download.value.path().read_bytes()
    assert exported.startswith(b"\xef\xbb\xbf") and "王芳" in exported.decode("utf-8-sig")
