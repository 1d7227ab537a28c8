"""The office pages: town staff file, inspectors and the city read; bad input writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from offices.models import Budget, InternalCheck, Office, Premises
from tests import factories
from tests.evidence_samples import (
    HTML_PRETENDING_TO_BE_PNG,
    TEXT_PRETENDING_TO_BE_JPEG,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db
A = factories.TOWN_A


def _url(name: str, *args) -> str:
    return reverse(f"offices:{name}", args=[A, *args])


def test_home_shows_the_gap_list_and_it_shrinks_as_records_are_filed(world):
    client = factories.client_for(world.town_a)
    body = client.get(_url("office_detail"), {"year": 2011}).content.decode()
    assert "2011年办公服务场所未填报" in body
    assert "2011年办公经费未填报" in body

    client.post(_url("premises_edit", 2011), {"area_m2": "75", "is_fixed": "on"})
    client.post(_url("budget_edit", 2011), {"guaranteed_funds": "30000", "spending": "0"})
    body = client.get(_url("office_detail"), {"year": 2011}).content.decode()
    assert "2011年办公服务场所未填报" not in body
    assert "2011年办公经费未填报" not in body
    assert "未在醒目位置悬挂民政标志" in body  # the premises were filed without the emblem


def test_inspector_and_city_read_without_edit_links(world):
    for user in (world.county_a, world.city):
        body = factories.client_for(user).get(_url("office_detail")).content.decode()
        assert "只读" in body
        assert _url("profile_edit") not in body
    body = factories.client_for(world.town_a).get(_url("office_detail")).content.decode()
    assert _url("profile_edit") in body


def test_profile_edit_with_photos(world):
    client = factories.client_for(world.town_a)
    response = client.post(
        _url("profile_edit"),
        {
            "address": "嘉兴市南湖区建设街道中山路 1 号",
            "sign_hung_on": "2010-03-05",
            "sign_photo": SimpleUploadedFile("牌子.JPG", jpeg_bytes(), content_type="image/jpeg"),
            "seal_in_use_on": "2010-03-08",
            "seal_photo": SimpleUploadedFile("seal.png", png_bytes(), content_type="image/png"),
            "version": world.office_a.version,
        },
    )
    assert response.status_code == 302
    office = Office.objects.get(pk=world.office_a.pk)
    assert office.sign_hung_on == dt.date(2010, 3, 5)
    assert office.sign_photo.name.endswith(".jpg") and office.seal_photo.name.endswith(".png")
    assert office.version == world.office_a.version + 1
    assert office.history.first().history_user == world.town_a


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (TEXT_PRETENDING_TO_BE_JPEG, "sign.jpg", "文件类型不符"),
        (HTML_PRETENDING_TO_BE_PNG, "sign.png", "文件类型不符"),
        (pdf_bytes(), "sign.pdf", "文件类型不符"),  # a sign photo must be a photo
        (b"\xff\xd8\xff\xe0" + b"0" * 100, "broken.jpg", "图片文件已损坏"),
    ],
)
def test_profile_refuses_files_that_are_not_photos(world, content, name, message):
    client = factories.client_for(world.town_a)
    response = client.post(
        _url("profile_edit"),
        {"sign_photo": SimpleUploadedFile(name, content), "version": world.office_a.version},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    office = Office.objects.get(pk=world.office_a.pk)
    assert not office.sign_photo and office.version == world.office_a.version


def test_a_file_too_large_is_refused_with_the_limit(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client = factories.client_for(world.town_a)
    form = client.get(_url("profile_edit")).content.decode()
    assert "不超过 1.0" in form  # the limit is stated on the form
    response = client.post(
        _url("profile_edit"),
        {
            "sign_photo": SimpleUploadedFile("big.jpg", jpeg_bytes((800, 800))),
            "version": world.office_a.version,
        },
    )
    assert "文件过大" in response.content.decode()
    assert not Office.objects.get(pk=world.office_a.pk).sign_photo


def test_future_dates_are_refused(world):
    client = factories.client_for(world.town_a)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    body = client.post(
        _url("profile_edit"), {"sign_hung_on": future, "version": world.office_a.version}
    ).content
    assert "超出范围:工作日期须在2009年1月1日至" in body.decode()
    body = client.post(
        _url("check_create"), {"checked_on": future, "checked_by": "甲", "scope": "乙"}
    ).content
    assert "超出范围:工作日期须在2009年1月1日至" in body.decode()
    assert not InternalCheck.objects.exists()


def test_negative_or_zero_area_is_refused(world):
    client = factories.client_for(world.town_a)
    for area in ("-20", "0"):
        body = client.post(_url("premises_edit", 2011), {"area_m2": area}).content.decode()
        assert "面积须大于 0" in body
    assert not Premises.objects.exists()


def test_required_field_missing(world):
    client = factories.client_for(world.town_a)
    body = client.post(_url("budget_edit", 2011), {"spending": "10"}).content.decode()
    assert "这个字段是必填项" in body
    assert not Budget.objects.exists()


def test_negative_money_is_refused(world):
    client = factories.client_for(world.town_a)
    body = client.post(
        _url("budget_edit", 2011), {"guaranteed_funds": "-1", "spending": "0"}
    ).content.decode()
    assert "金额不能为负数" in body


def test_year_outside_the_range_is_404(world):
    client = factories.client_for(world.town_a)
    assert client.get(_url("budget_edit", 1990)).status_code == 404
    assert client.get(_url("budget_edit", 2200)).status_code == 404


def test_second_save_from_the_same_version_is_refused(world):
    budget = factories.budget(world.office_a, 2011, "30000")
    first, second = factories.client_for(world.town_a), factories.client_for(world.town_a)
    form = {"guaranteed_funds": "40000", "spending": "0", "version": budget.version}
    assert first.post(_url("budget_edit", 2011), form).status_code == 302
    response = second.post(_url("budget_edit", 2011), {**form, "guaranteed_funds": "99999"})
    body = response.content.decode()
    assert response.status_code == 200 and "未保存" in body and "查看对方的修改" in body
    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == Decimal("40000")


def test_internal_check_create_edit_delete_are_in_the_history(world):
    client = factories.client_for(world.town_a)
    data = {"checked_on": "2011-04-02", "checked_by": "镇社会事务办", "scope": "台账检查"}
    assert client.post(_url("check_create"), data).status_code == 302
    check = InternalCheck.objects.get()
    assert (
        client.post(_url("check_edit", check.pk), {**data, "findings": "资料齐全", "version": 1}).status_code
        == 302
    )
    assert client.get(_url("check_delete", check.pk)).status_code == 200  # confirmation page
    assert client.post(_url("check_delete", check.pk)).status_code == 302
    assert not InternalCheck.objects.exists()
    rows = list(InternalCheck.history.filter(id=check.pk).order_by("history_date"))
    assert [(r.history_type, r.history_user) for r in rows] == [
        ("+", world.town_a),
        ("~", world.town_a),
        ("-", world.town_a),
    ]
    assert rows[1].findings == "资料齐全"


def test_inspector_cannot_write_and_others_cannot_see(world):
    check = InternalCheck.objects.create(
        office=world.office_a, checked_on=dt.date(2011, 1, 5), checked_by="甲", scope="乙"
    )
    data = {"checked_on": "2011-04-02", "checked_by": "改", "scope": "改", "version": 1}
    assert factories.client_for(world.county_a).post(_url("check_edit", check.pk), data).status_code == 403
    assert factories.client_for(world.town_b).post(_url("check_edit", check.pk), data).status_code == 404
    # An id from another office is not found through this office.
    other = InternalCheck.objects.create(
        office=world.office_b, checked_on=dt.date(2011, 1, 5), checked_by="丙", scope="丁"
    )
    assert factories.client_for(world.town_a).get(_url("check_edit", other.pk)).status_code == 404
    assert InternalCheck.objects.get(pk=check.pk).checked_by == "甲"


def test_posted_rule_with_a_scanned_pdf_and_download_headers(world):
    client = factories.client_for(world.town_a)
    upload = SimpleUploadedFile("服务指南.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        _url("rule_edit", 2011, "service_guide"), {"posted_on": "2011-01-10", "photo": upload}
    )
    assert response.status_code == 302
    rule = world.office_a.postedrule_set.get()
    download = client.get(reverse("evidence_download", args=["offices.postedrule", rule.pk, "photo"]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert factories.client_for(world.county_c).get(download.request["PATH_INFO"]).status_code == 404


def test_photo_preview_is_a_reencoded_jpeg(world):
    client = factories.client_for(world.town_a)
    client.post(
        _url("premises_edit", 2011),
        {"area_m2": "80", "photo": SimpleUploadedFile("room.png", png_bytes((900, 600)))},
    )
    premises = Premises.objects.get()
    preview = client.get(reverse("evidence_preview", args=["offices.premises", premises.pk, "photo"]))
    assert preview["Content-Type"] == "image/jpeg"
    assert preview.content.startswith(b"\xff\xd8\xff")


def test_evidence_is_not_under_static_or_media(world, settings):
    client = factories.client_for(world.town_a)
    client.post(
        _url("premises_edit", 2011), {"area_m2": "80", "photo": SimpleUploadedFile("r.jpg", jpeg_bytes())}
    )
    path = Premises.objects.get().photo.path
    assert path.startswith(str(settings.EVIDENCE_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT)) and not path.startswith(str(settings.MEDIA_ROOT))


def test_check_list_query_count_is_flat(world):
    client = factories.client_for(world.county_a)
    for day in range(1, 6):
        InternalCheck.objects.create(
            office=world.office_a, checked_on=dt.date(2011, 1, day), checked_by="甲", scope="乙"
        )
    few = factories.count_queries(client, _url("check_list"))
    InternalCheck.objects.bulk_create(
        InternalCheck(
            office=world.office_a,
            checked_on=dt.date(2011, 1, 1) + dt.timedelta(days=i),
            checked_by="甲",
            scope="乙",
        )
        for i in range(500)
    )
    assert factories.count_queries(client, _url("check_list")) == few


def test_county_overview_query_count_does_not_grow_with_records(world):
    client = factories.client_for(world.county_a)
    url = reverse("offices:county_detail", args=["330402"])
    for office in Office.objects.filter(town__county__code="330402")[:2]:
        factories.premises(office, 2011)
    few = factories.count_queries(client, url, year=2011)
    for office in Office.objects.filter(town__county__code="330402"):
        Premises.objects.get_or_create(office=office, year=2011, defaults={"area_m2": Decimal("55")})
        factories.budget(office, 2011)
        for i in range(5):
            factories.duty_record(office, date=dt.date(2011, 3, 1 + i))
    assert factories.count_queries(client, url, year=2011) == few
    body = client.get(url, {"year": 2011}).content.decode()
    assert "低于 60 平方米" in body


def test_home_links_to_the_years_assessment_and_open_tasks(world):
    from assessment.catalog import services as catalog_services
    from assessment.models import CatalogVersion, RectificationTask
    from assessment.workflow import services as workflow_services

    programme = catalog_services.programme_create(actor=world.city, name="三年行动", start_year=2010)
    year = workflow_services.year_open(
        actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=2010)
    )
    assessment = year.assessments.get(office=world.office_a)
    RectificationTask.objects.create(
        assessment=assessment,
        office=world.office_a,
        item=year.catalog.items.get(code="C1"),
        problem="面积不足",
        due_date=dt.date(2011, 3, 31),
    )
    body = factories.client_for(world.town_a).get(_url("office_detail"), {"year": 2010}).content.decode()
    assert "2010年度考核:</strong>自评中" in body
    assert reverse("assessment:detail", args=[2010, A]) in body
    assert "1 项整改任务未完成" in body
