"""In a real Chromium: a town user files records and sees the gap list change; an inspector reads its
towns and cannot open another county's. No request may leave the portal."""

import datetime as dt

import pytest
from django.utils import timezone

from duties.models import DutyRecord
from offices.models import Office, Premises
from portal.choices import Role
from staffing.models import StaffMember
from tests import factories
from tests.browser.conftest import login, shoot
from tests.evidence_samples import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timezone.localdate().year
A = factories.TOWN_A


@pytest.fixture
def town_user(db):
    office = factories.office(A)
    return factories.user("jianshe", Role.TOWN, office_obj=office)


def _gaps(page) -> str:
    return page.inner_text("[data-testid=gaps]")


def test_town_user_files_records_and_the_gap_list_changes(portal, town_user, tmp_path):
    page = portal
    photo = tmp_path / "民政标志.jpg"
    photo.write_bytes(jpeg_bytes((400, 300)))
    scan = tmp_path / "入户核查记录.pdf"
    scan.write_bytes(pdf_bytes())

    login(page, "jianshe", factories.PASSWORD)
    assert page.url.endswith(f"/offices/{A}/")
    gaps = _gaps(page)
    assert f"{YEAR}年办公服务场所未填报" in gaps
    assert "没有公务员身份的工作人员" in gaps
    shoot(page, "town-home-before")

    # Premises: a wrong value first, then a correct one with the emblem photo.
    page.goto(f"{page.base}/offices/{A}/premises/{YEAR}/edit/")
    page.fill("#id_area_m2", "-5")
    page.click("main form button[type=submit]")
    assert "面积须大于 0" in page.inner_text("main form")
    assert not Premises.objects.exists()
    page.fill("#id_area_m2", "75")
    page.check("#id_emblem_displayed")
    page.check("input[name=equipment][value=computer]")
    page.check("input[name=it_facilities][value=broadband]")
    page.set_input_files("#id_emblem_photo", str(photo))
    shoot(page, "premises-form")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "办公服务场所已新建" in page.content()
    premises = Premises.objects.get(office__town__code=A, year=YEAR)
    assert premises.area_m2 == 75 and premises.emblem_photo.name.endswith(".jpg")
    # The photo's preview is served by the portal and shows on the list.
    assert page.locator("img.evidence-thumb").count() >= 1

    # A staff member who is a civil servant.
    page.goto(f"{page.base}/offices/{A}/staff/new/")
    page.fill("#id_name", "沈嘉禾")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_date", "1986-04-12")
    page.select_option("#id_education", "bachelor")
    page.select_option("#id_employment_type", "civil_servant")
    page.select_option("#id_post", "director")
    page.fill("#id_started_on", "2009-07-01")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert StaffMember.objects.filter(name="沈嘉禾", office__town__code=A).exists()
    shoot(page, "staff-list")

    # A duty record, then its evidence.
    page.goto(f"{page.base}/offices/{A}/duties/records/new/")
    page.select_option(
        "#id_duty", label=page.locator("#id_duty option", has_text="救灾救济").first.inner_text()
    )
    page.fill("#id_date", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.fill("#id_title", "低保对象入户核查")
    page.fill("#id_content", "对辖区 12 户低保家庭入户核查。")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    record = DutyRecord.objects.get(title="低保对象入户核查")
    page.goto(f"{page.base}/offices/{A}/duties/records/{record.pk}/attachments/new/")
    page.set_input_files("input[type=file]", [str(photo), str(scan)])
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert record.attachments.count() == 2
    assert sorted(record.attachments.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
    ]
    shoot(page, "duty-record")

    # Back home: the gaps just fixed are gone, the others remain.
    page.goto(f"{page.base}/offices/{A}/")
    gaps = _gaps(page)
    assert f"{YEAR}年办公服务场所未填报" not in gaps
    assert "没有公务员身份的工作人员" not in gaps
    assert "未在醒目位置悬挂民政标志" not in gaps
    assert f"{YEAR}年办公经费未填报" in gaps
    shoot(page, "town-home-after")


def test_inspector_opens_its_towns_but_not_another_county(portal, db):
    page = portal
    factories.user("nanhu", Role.COUNTY, county_obj=factories.county("330402"))
    login(page, "nanhu", factories.PASSWORD)
    assert page.url.endswith("/reports/counties/330402/")  # the county's dashboard
    page.goto(f"{page.base}/offices/counties/330402/")
    assert (
        page.locator("table tbody tr").count() == Office.objects.filter(town__county__code="330402").count()
    )
    shoot(page, "county-overview")
    page.click(f"a[href^='/offices/{A}/']")
    page.wait_for_load_state("networkidle")
    assert "只读" in page.content()
    assert page.locator(f"a[href='/offices/{A}/profile/edit/']").count() == 0
    response = page.goto(f"{page.base}/offices/330411002/")
    assert response.status == 404
    assert "不在您的管理范围内" in page.content()
    response = page.goto(f"{page.base}/offices/{A}/profile/edit/")
    assert response.status == 403


def test_phone_layout_has_no_horizontal_scroll(portal, town_user):
    page = portal
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "jianshe", factories.PASSWORD)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shoot(page, "town-home-phone")
