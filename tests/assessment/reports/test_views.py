"""The download views, the dashboards and the city's subsidy pages in the browser's place: what each
answers, what it shows, what a form writes, and what a page costs in queries. Who may open what is
the permission matrix's (tests/assessment/reports/matrix_rows.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment, SubsidyStandard
from core.locks import correcting
from staffing.choices import Education
from tests import factories

from . import helpers as h
from .conftest import JIANSHE, JIEFANG, XINCHENG, D

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return factories.client_for(world.city)


@pytest.fixture
def county_a(world):
    return factories.client_for(world.county_a)


# -- downloads --------------------------------------------------------------------------------------


def test_award_download_for_the_county_itself(programme, county_a):
    response = county_a.get(reverse("reports:award_report", args=[2010, "330402", "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "330402_2010.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    xlsx = county_a.get(reverse("reports:award_report", args=[2010, "330402", "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert county_a.get(reverse("reports:award_report", args=[2010, "330411", "pdf"])).status_code == 404


def test_unknown_year_or_format_is_404(programme, city):
    assert city.get(reverse("reports:award_report", args=[2031, "330402", "pdf"])).status_code == 404
    assert city.get(reverse("reports:city_summary", args=[2031, "pdf"])).status_code == 404
    assert city.get("/reports/2010/summary.docx").status_code == 404


def test_scoring_sheet_only_for_an_assessment_that_exists(world, city):
    from tests.assessment.workflow import city_helpers

    city_helpers.open_year(world, 2010)
    town = factories.client_for(world.town_a)
    assert town.get(reverse("reports:scoring_sheet", args=[2010, JIANSHE, "pdf"])).status_code == 200
    assert town.get(reverse("reports:scoring_sheet", args=[2011, JIANSHE, "pdf"])).status_code == 404
    assert town.get(reverse("reports:scoring_sheet", args=[2010, "330402008", "pdf"])).status_code == 404


# -- dashboards -------------------------------------------------------------------------------------


def _staff(office_code: str, n: int, born: dt.date, education: str) -> None:
    """Staff on record since 2005. The fixture has confirmed 2010 already, which locks who counted in
    it: they are written as they would have stood at the confirmation."""
    office = factories.office(office_code)
    with correcting():
        for i in range(n):
            factories.staff(
                office, name=f"测试{i}", birth_date=born, education=education, started_on=dt.date(2005, 1, 1)
            )


def test_city_dashboard(programme, city):
    _staff(JIANSHE, 2, dt.date(1980, 6, 1), Education.BACHELOR)  # 30 at the end of 2010
    _staff(JIEFANG, 1, dt.date(1960, 1, 1), Education.SECONDARY)  # 50
    response = city.get(reverse("reports:city_dashboard"), {"year": 2010})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="progress-chart"' in html and "<svg" in html
    assert "2 / 72 个镇(街道)已达标" in "".join(html.split("</span>"))
    assert "110,000.00" in html and "46,650.00" in html  # 2010: city and county
    assert "¥241,650.00" in html  # the programme so far: 156,650.00 + 85,000.00
    nanhu = next(r for r in response.context["dashboard"].staff_rows if r.code == "330402")
    stats = nanhu.years[0]
    assert (stats.count, stats.average_age, stats.young_share, stats.college_share) == (
        3,
        Decimal("36.7"),  # (30 + 30 + 50) / 3
        Decimal("66.7"),
        Decimal("66.7"),
    )


def test_county_dashboard(programme, county_a):
    response = county_a.get(reverse("reports:county_dashboard", args=["330402"]), {"year": 2011})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-town="330402007"' in html and 'data-town="330411002"' not in html
    assert "2010年已达标" in html and "本年度首次达标" in html
    assert html.count("<svg") == 3  # progress by year, scores, staff


def test_dashboards_cost_a_fixed_number_of_queries(programme, city, world):
    url = reverse("reports:city_dashboard")
    county_url = reverse("reports:county_dashboard", args=["330402"])
    before = factories.count_queries(city, url, year=2011)
    before_county = factories.count_queries(city, county_url, year=2011)
    for code in ("330402010", "330402011", "330411003"):
        _staff(code, 3, dt.date(1975, 1, 1), Education.COLLEGE)
    county = h.fake_county(towns=20)
    h.add_assessments(programme.assessment_years.get(year=2011), county)
    h.result(programme.assessment_years.get(year=2011), "330402010", "93", True)
    assert factories.count_queries(city, url, year=2011) == before
    assert factories.count_queries(city, county_url, year=2011) == before_county


def test_dashboard_without_any_year(world, city):
    response = city.get(reverse("reports:city_dashboard"))
    assert response.status_code == 200 and "尚未开启任何年度考核" in response.content.decode()


# -- the subsidy pages ------------------------------------------------------------------------------


def test_standard_page_saves_base_and_tiers(programme, city):
    standard = SubsidyStandard.objects.get(programme=programme)
    url = reverse("reports:subsidy_standard", args=[programme.pk])
    page = city.get(url)
    assert page.status_code == 200 and 'value="55000.00"' in page.content.decode()
    response = city.post(
        url,
        {
            "version": standard.version,
            "city_award": "52000",
            "note": "调整",
            "tier_min_0": "92",
            "tier_amount_0": "58000",
        },
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.city_award == D("52000.00")
    assert list(standard.tiers.values_list("min_score", "amount")) == [(D("92.00"), D("58000.00"))]
    assert Payment.objects.get(office__town__code=JIANSHE).city_amount == D("58000.00")
    assert Payment.objects.get(office__town__code=XINCHENG).city_amount == D("52000.00")


def test_standard_page_refuses_half_a_tier_and_a_stale_form(programme, city):
    standard = SubsidyStandard.objects.get(programme=programme)
    url = reverse("reports:subsidy_standard", args=[programme.pk])
    response = city.post(url, {"version": standard.version, "city_award": "1", "tier_min_0": "90"})
    assert response.status_code == 200 and "分档须同时填写最低得分和金额" in response.content.decode()
    response = city.post(url, {"version": standard.version - 1, "city_award": "1"})
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    standard.refresh_from_db()
    assert standard.city_award == D("50000.00")


def test_matching_page(programme, city):
    url = reverse("reports:county_matching", args=[programme.pk])
    assert city.get(url).status_code == 200
    response = city.post(
        url, {"kind_330402": "share", "value_330402": "0.5", "kind_330411": "", "value_330411": ""}
    )
    assert response.status_code == 302
    nanhu = CountyMatching.objects.get(programme=programme, county__code="330402")
    assert nanhu.kind == MatchingKind.SHARE and nanhu.share == D("0.500") and nanhu.amount is None
    assert not CountyMatching.objects.filter(programme=programme, county__code="330411").exists()
    assert Payment.objects.get(office__town__code=JIANSHE).county_amount == D("30000.00")  # 0.5 × 60,000
    response = city.post(url, {"kind_330402": "share", "value_330402": "12"})
    assert response.status_code == 200 and "不能超过 10" in response.content.decode()


def test_payments_page_and_marking_paid(programme, city):
    url = reverse("reports:payment_list", args=[programme.pk])
    page = city.get(url, {"county": "330402", "year": 2010})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-town="330402007"' in html and 'data-town="330411002"' not in html
    jianshe = Payment.objects.get(office__town__code=JIANSHE)
    response = city.post(
        reverse("reports:payment_mark_paid", args=[jianshe.pk]),
        {"paid_on": "2011-03-15", "document_no": "嘉民〔2011〕18号", "county": "330402", "year": "2010"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?county=330402&year=2010")
    jianshe.refresh_from_db()
    assert jianshe.paid and jianshe.paid_on == dt.date(2011, 3, 15)
    # Bulk: every unpaid payment of 秀洲区 in 2010, under one document.
    response = city.post(
        reverse("reports:payments_mark_paid", args=[programme.pk]),
        {"paid_on": "2011-03-20", "document_no": "嘉民〔2011〕19号", "county": "330411", "year": "2010"},
    )
    assert response.status_code == 302
    assert Payment.objects.get(office__town__code=XINCHENG).document_no == "嘉民〔2011〕19号"
    assert not Payment.objects.get(office__town__code=JIEFANG).paid  # 2011's: not in the filter


def test_refresh_button_appears_when_a_year_was_confirmed(programme, city, world):
    h.year(world, 2012)  # confirmed now; 新嘉街道 passed
    url = reverse("reports:payment_list", args=[programme.pk])
    assert 'data-testid="stale"' in city.get(url).content.decode()
    assert city.post(reverse("reports:payments_refresh", args=[programme.pk])).status_code == 302
    assert 'data-testid="stale"' not in city.get(url).content.decode()
    assert Payment.objects.filter(programme=programme, year=2012).count() == 1
