"""The county's subsidy pages and the city's lock and paid pages in the browser's place: what each
shows, what a form writes, the refusals a user reads, and what a page costs in queries. Who may open
what is the permission matrix's (tests/assessment/reports/matrix_rows.py)."""

import datetime as dt

import pytest
from django.urls import reverse

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment
from assessment.subsidies import services
from tests import factories
from tests.assessment.reports import helpers as h
from tests.assessment.reports.conftest import JIANSHE, JIEFANG, XINCHENG, D

pytestmark = pytest.mark.django_db

NANHU, XIUZHOU = "330402", "330411"


@pytest.fixture
def city(world):
    return factories.client_for(world.city)


@pytest.fixture
def county_a(world):
    return factories.client_for(world.county_a)


@pytest.fixture
def county_c(world):
    return factories.client_for(world.county_c)


def _payment(code: str) -> Payment:
    return Payment.objects.get(office__town__code=code)


def _edit_url(programme, code: str = NANHU) -> str:
    return reverse("reports:county_matching_edit", args=[programme.pk, code])


def _payments_url(programme, code: str = NANHU) -> str:
    return reverse("reports:county_payments", args=[programme.pk, code])


# -- the county's matching page ---------------------------------------------------------------------


def test_the_county_sets_its_matching_on_its_page(programme, county_a, world):
    url = _edit_url(programme)
    page = county_a.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "南湖区县级配套标准" in html and 'data-testid="matching-form"' in html
    assert "每镇 30,000.00 元" in html and "市级奖补每镇 50,000.00 元" in html
    version = CountyMatching.objects.get(programme=programme, county__code=NANHU).version
    response = county_a.post(url, {"kind": "share", "value": "0.5", "version": version})
    assert response.status_code == 302 and response["Location"] == url
    matching = CountyMatching.objects.get(programme=programme, county__code=NANHU)
    assert (matching.kind, matching.share) == (MatchingKind.SHARE, D("0.500"))
    assert _payment(JIEFANG).county_amount == D("27500.00")
    page = county_a.get(url).content.decode()
    assert 'data-testid="matching-history"' in page and "市级奖补的 50%" in page
    # A bad value is shown on the form, nothing written.
    response = county_a.post(url, {"kind": "share", "value": "12", "version": matching.version})
    assert response.status_code == 200 and "不能超过 10" in response.content.decode()
    # A stale form is refused.
    response = county_a.post(url, {"kind": "amount", "value": "1", "version": version})
    assert response.status_code == 200 and "已被他人" in response.content.decode()
    assert CountyMatching.objects.get(pk=matching.pk).share == D("0.500")


def test_another_countys_page_is_404(programme, county_c):
    assert county_c.get(_edit_url(programme)).status_code == 404
    assert county_c.post(_edit_url(programme), {"kind": "amount", "value": "1"}).status_code == 404
    assert county_c.get(_payments_url(programme)).status_code == 404
    assert CountyMatching.objects.get(programme=programme, county__code=NANHU).amount == D("30000.00")


def test_locked_the_county_reads_and_is_refused(programme, city, county_a):
    lock = reverse("reports:county_matching_lock", args=[programme.pk, NANHU])
    response = city.post(lock, {"locked": "1", "back": "county"})
    assert response.status_code == 302 and response["Location"] == _edit_url(programme)
    assert CountyMatching.objects.get(programme=programme, county__code=NANHU).locked
    html = county_a.get(_edit_url(programme)).content.decode()
    assert "市局已锁定" in html and "请联系市民政局解锁" in html and 'data-testid="matching-form"' not in html
    response = county_a.post(_edit_url(programme), {"kind": "amount", "value": "40000"})
    assert response.status_code == 200 and "市民政局已锁定本县(市、区)的配套标准" in response.content.decode()
    assert CountyMatching.objects.get(programme=programme, county__code=NANHU).amount == D("30000.00")
    # The city still sets it on the county's page, and sees the lock on its own list.
    html = city.get(_edit_url(programme)).content.decode()
    assert 'data-testid="matching-form"' in html and "市局仍可修改" in html
    assert city.post(_edit_url(programme), {"kind": "amount", "value": "35000"}).status_code == 302
    listing = city.get(reverse("reports:county_matching", args=[programme.pk])).content.decode()
    assert "市局已锁定" in listing and 'id="lock-330402"' in listing
    # Unlocked, the county sets it again.
    response = city.post(lock, {"locked": "0"})
    assert response["Location"] == reverse("reports:county_matching", args=[programme.pk])
    assert county_a.post(_edit_url(programme), {"kind": "amount", "value": "40000"}).status_code == 302
    assert _payment(JIANSHE).county_amount == D("40000.00")


def test_locking_a_county_without_matching_says_why(programme, city):
    response = city.post(
        reverse("reports:county_matching_lock", args=[programme.pk, "330421"]), {"locked": "1"}
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("尚未设定配套标准" in m for m in messages)


def test_the_city_bulk_form_refuses_a_row_the_county_changed_meanwhile(programme, city, county_a):
    url = reverse("reports:county_matching", args=[programme.pk])
    form = city.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    county_a.post(_edit_url(programme), {"kind": "amount", "value": "40000"})
    response = city.post(url, data)
    assert response.status_code == 200 and "已被他人" in response.content.decode()
    assert CountyMatching.objects.get(programme=programme, county__code=NANHU).amount == D("40000.00")


# -- payments -------------------------------------------------------------------------------------


def test_the_county_sees_its_towns_payments_and_marks_its_part(programme, county_a):
    url = _payments_url(programme)
    page = county_a.get(url, {"year": 2010})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-town="330402007"' in html and 'data-town="330411002"' not in html
    assert 'data-testid="bulk-county-paid"' in html and 'data-testid="bulk-paid"' not in html
    assert reverse("reports:payment_mark_paid", args=[_payment(JIANSHE).pk]) not in html  # not the city's
    response = county_a.post(
        reverse("reports:payment_mark_county_paid", args=[_payment(JIANSHE).pk]),
        {"paid_on": "2011-04-01", "document_no": "南民〔2011〕6号", "year": "2010"},
    )
    assert response.status_code == 302 and response["Location"] == f"{url}?year=2010"
    jianshe = _payment(JIANSHE)
    assert jianshe.county_paid and jianshe.county_paid_on == dt.date(2011, 4, 1) and not jianshe.paid
    html = county_a.get(url).content.decode()
    assert "南民〔2011〕6号" in html and "¥30,000.00" in html
    # Bulk: 2011's unpaid county parts, under one document.
    response = county_a.post(
        reverse("reports:county_payments_mark_paid", args=[programme.pk, NANHU]),
        {"paid_on": "2012-03-01", "document_no": "南民〔2012〕2号", "year": "2011"},
    )
    assert response.status_code == 302
    jiefang = _payment(JIEFANG)
    assert jiefang.county_paid and jiefang.county_document_no == "南民〔2012〕2号" and not jiefang.paid
    assert _payment(JIANSHE).county_document_no == "南民〔2011〕6号"  # already paid: unchanged


def test_bulk_county_paid_needs_a_year(programme, county_a):
    response = county_a.post(
        reverse("reports:county_payments_mark_paid", args=[programme.pk, NANHU]),
        {"paid_on": "2012-03-01", "document_no": "南民〔2012〕2号"},
    )
    assert response.status_code == 302 and not Payment.objects.filter(county_paid=True).exists()


def test_a_county_cannot_mark_another_countys_town(programme, county_c):
    response = county_c.post(
        reverse("reports:payment_mark_county_paid", args=[_payment(JIANSHE).pk]),
        {"paid_on": "2011-04-01", "document_no": "x"},
    )
    assert response.status_code == 404 and not _payment(JIANSHE).county_paid
    response = county_c.post(
        reverse("reports:county_payments_mark_paid", args=[programme.pk, NANHU]),
        {"paid_on": "2011-04-01", "document_no": "x", "year": "2010"},
    )
    assert response.status_code == 404 and not _payment(JIANSHE).county_paid


def test_the_city_list_shows_both_parts_and_the_note_for_the_city(programme, city, world):
    services.payments_mark_paid(
        actor=world.city,
        payments=[_payment(JIANSHE)],
        paid_on=h.day(2011, 3, 15),
        document_no="嘉民〔2011〕18号",
    )
    services.payments_mark_county_paid(
        actor=world.county_c,
        payments=[_payment(XINCHENG)],
        paid_on=h.day(2011, 4, 2),
        document_no="秀民〔2011〕3号",
    )
    Payment.objects.filter(office__town__code=XINCHENG).update(
        review_note="更正后该镇不合格,请核定是否追回。"
    )
    response = city.get(reverse("reports:payment_list", args=[programme.pk]), {"year": 2010})
    html = response.content.decode()
    assert "嘉民〔2011〕18号" in html and "2011-03-15" in html
    assert "秀民〔2011〕3号" in html and "2011-04-02" in html
    assert "待市局处理" in html and "请核定是否追回" in html
    totals = response.context["totals"]
    assert (totals.city.amount, totals.city.paid, totals.city.unpaid) == (
        D("110000.00"),
        D("60000.00"),
        D("50000.00"),
    )
    assert (totals.county.amount, totals.county.paid, totals.county.unpaid) == (
        D("46650.00"),
        D("16650.00"),
        D("30000.00"),
    )
    assert (
        reverse("reports:payment_mark_county_paid", args=[_payment(JIANSHE).pk]) not in html
    )  # not the county's
    # The city's bulk form only counts the city parts still unpaid.
    page = city.get(reverse("reports:payment_list", args=[programme.pk]), {"year": 2010, "county": XIUZHOU})
    assert (
        page.context["totals"].city.unpaid_count == 1 and 'data-testid="bulk-paid"' in page.content.decode()
    )


def test_the_city_sees_a_countys_payments_page_without_its_forms(programme, city):
    html = city.get(_payments_url(programme), {"year": 2010}).content.decode()
    assert 'data-town="330402007"' in html and 'data-testid="bulk-county-paid"' not in html
    assert 'data-testid="bulk-paid"' not in html


def test_the_county_pages_cost_a_fixed_number_of_queries(programme, county_a, world):
    url = _payments_url(programme)
    before = factories.count_queries(county_a, url, year=2010)
    before_edit = factories.count_queries(county_a, _edit_url(programme))
    y2010 = programme.assessment_years.get(year=2010)
    for code in ("330402010", "330402011", "330402012", "330402013"):
        h.result(y2010, code, "91", True)
    services.payments_refresh(programme=programme)
    services.payments_mark_county_paid(
        actor=world.county_a,
        payments=list(Payment.objects.filter(office__town__code__in=["330402010", "330402011"])),
        paid_on=h.day(2011, 4, 1),
        document_no="南民〔2011〕6号",
    )
    assert Payment.objects.filter(office__town__county__code=NANHU, year=2010).count() == 5
    assert factories.count_queries(county_a, url, year=2010) == before
    assert factories.count_queries(county_a, _edit_url(programme)) == before_edit


def test_paid_awards_a_correction_turned_into_a_fail_are_listed_for_the_city(programme, city, county_a):
    payment = Payment.objects.filter(programme=programme).select_related("office__town").first()
    Payment.objects.filter(pk=payment.pk).update(
        review_note="2010年更正后考核不合格(更正申请#7),该笔奖补已拨付,请市局处理。"
    )
    url = reverse("reports:payment_list", args=[programme.pk])
    html = city.get(url).content.decode()
    listed = html[html.index('data-testid="to-handle"') :][:800]
    assert "1 笔已拨付的奖补经更正后不再合格" in listed and payment.office.town.name in listed
    assert "更正申请#7" in listed
