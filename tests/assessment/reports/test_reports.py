"""The report generators on the hand-worked programme (see test_subsidies.py): exactly the towns in
scope, each town's status and money, totals, progress, a year not yet confirmed, the scoring sheet,
and a fixed number of queries whatever the number of towns."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.reports import ReportError, award, sheet, summary
from offices.models import County, Office, Town
from tests import factories

from . import helpers as h
from .conftest import JIANSHE, JIEFANG, XINCHENG, XINJIA, D

pytestmark = pytest.mark.django_db


def _rows(report) -> dict:
    return {r.code: r for r in report.rows}


def test_award_report_has_exactly_the_towns_of_the_county(programme):
    county = factories.county("330402")
    report = award.award_report(county, 2010)
    codes = [r.code for r in report.rows]
    assert codes == sorted(Town.objects.filter(county=county).values_list("code", flat=True))
    assert len(codes) == 13 and XINCHENG not in codes
    assert [r.number for r in report.rows] == list(range(1, 14))


def test_award_report_2010(programme):
    report = award.award_report(factories.county("330402"), 2010)
    rows = _rows(report)
    assert rows[JIANSHE].status == award.Status.NEW
    assert (rows[JIANSHE].city_amount, rows[JIANSHE].county_amount, rows[JIANSHE].amount) == (
        D("60000.00"),
        D("30000.00"),
        D("90000.00"),
    )
    assert rows[JIEFANG].status == award.Status.NOT_YET and rows[JIEFANG].amount is None
    assert rows[XINJIA].result_label == "不合格" and rows[XINJIA].total == D("96.50")
    t = report.totals
    assert (t.towns, t.assessed, t.passed, t.new) == (13, 13, 1, 1)
    assert (t.city_amount, t.county_amount, t.amount) == (D("60000.00"), D("30000.00"), D("90000.00"))
    assert report.progress.standardized == 1 and report.progress.towns == 13
    assert report.progress.percent == Decimal("7.7")
    assert report.progress.years_left == 2
    assert "须在2012年底前全部达标" in report.progress.text
    assert (
        report.standard_text == "市级奖补每镇 50,000.00 元;得分≥90分的 55,000.00 元;得分≥95分的 60,000.00 元"
    )
    assert report.matching_text == "县级配套:每镇 30,000.00 元"


def test_award_report_2011_pays_only_the_first_time(programme):
    rows = _rows(award.award_report(factories.county("330402"), 2011))
    assert rows[JIANSHE].status == "2010年已达标" and rows[JIANSHE].amount is None
    assert rows[JIEFANG].status == award.Status.NEW
    assert rows[JIEFANG].amount == D("85000.00")


def test_award_report_of_a_year_not_confirmed_shows_no_money(programme):
    report = award.award_report(factories.county("330402"), 2012)
    rows = _rows(report)
    assert not report.confirmed
    assert rows[XINJIA].status == award.Status.PENDING and rows[XINJIA].amount is None
    assert rows[JIANSHE].status == "2010年已达标"
    assert report.totals.amount == D("0.00")
    assert report.progress.standardized == 2  # 2010 and 2011 only


def test_share_matching_in_the_report(programme):
    rows = _rows(award.award_report(factories.county("330411"), 2010))
    assert rows[XINCHENG].county_amount == D("16650.00")
    assert rows[XINCHENG].amount == D("66650.00")


def test_paid_payment_shows_its_date_and_document(programme, world):
    from assessment.models import Payment
    from assessment.subsidies import services as subsidies

    payment = Payment.objects.get(office__town__code=JIANSHE)
    subsidies.payments_mark_paid(
        actor=world.city, payments=[payment], paid_on=h.day(2011, 3, 15), document_no="嘉民〔2011〕18号"
    )
    report = award.award_report(factories.county("330402"), 2010)
    row = _rows(report)[JIANSHE]
    assert row.paid and row.paid_on == h.day(2011, 3, 15) and row.document_no == "嘉民〔2011〕18号"
    assert not row.county_paid and row.county_paid_on is None  # the county pays its part separately
    assert report.totals.city_paid_amount == D("60000.00") and report.totals.city_paid_count == 1
    assert report.totals.county_paid_amount == D("0.00") and report.totals.paid_amount == D("60000.00")
    subsidies.payments_mark_county_paid(
        actor=world.county_a,
        payments=[Payment.objects.get(pk=payment.pk)],
        paid_on=h.day(2011, 4, 1),
        document_no="南民〔2011〕6号",
    )
    report = award.award_report(factories.county("330402"), 2010)
    row = _rows(report)[JIANSHE]
    assert row.county_paid and row.county_paid_on == h.day(2011, 4, 1)
    assert row.county_document_no == "南民〔2011〕6号" and row.document_no == "嘉民〔2011〕18号"
    assert report.totals.county_paid_amount == D("30000.00") and report.totals.county_paid_count == 1
    assert report.totals.paid_amount == D("90000.00") and report.totals.unpaid_amount == D("0.00")


def test_city_summary(programme):
    report = summary.city_summary(2010)
    lines = {line.code: line for line in report.rows}
    assert list(lines) == list(County.objects.order_by("code").values_list("code", flat=True))
    nanhu, xiuzhou = lines["330402"], lines["330411"]
    assert (nanhu.towns, nanhu.assessed, nanhu.passed, nanhu.new, nanhu.cumulative) == (13, 13, 1, 1, 1)
    assert (nanhu.city_amount, nanhu.county_amount) == (D("60000.00"), D("30000.00"))
    assert (xiuzhou.city_amount, xiuzhou.county_amount, xiuzhou.amount) == (
        D("50000.00"),
        D("16650.00"),
        D("66650.00"),
    )
    t = report.totals
    assert (t.towns, t.new, t.cumulative) == (72, 2, 2)
    assert (t.city_amount, t.county_amount, t.amount) == (D("110000.00"), D("46650.00"), D("156650.00"))
    y2011 = summary.city_summary(2011)
    assert y2011.totals.amount == D("85000.00")
    assert (y2011.totals.new, y2011.totals.earlier, y2011.totals.cumulative) == (1, 2, 3)


def test_city_summary_chart_shows_every_county(programme):
    chart = "".join(summary.city_summary(2010).charts())
    assert chart.startswith("<svg") and "<script" not in chart and "style=" not in chart
    for name in County.objects.values_list("name", flat=True):
        assert name in chart


def test_unknown_year_is_a_report_error(world):
    with pytest.raises(ReportError, match="2030年度考核尚未开启"):
        summary.city_summary(2030)
    with pytest.raises(ReportError):
        award.award_report(factories.county("330402"), 2030)


def test_scoring_sheet(world):
    from tests.assessment.workflow import city_helpers

    year = city_helpers.open_year(world, 2010)
    city_helpers.approve_all(year, "330402")
    office = factories.office(JIANSHE)
    report = sheet.scoring_sheet(office, 2010)
    items = report.items
    assert [i.code for i in items] == list(
        year.catalog.items.order_by("order", "code").values_list("code", flat=True)
    )
    assert sum(i.points for i in items) == 100
    assert report.total.total == report.assessment.total
    assert any(i.figures for i in items if i.by_records)  # the figures the records gave
    assert report.county_unit == "南湖区民政局"
    with pytest.raises(ReportError):
        sheet.scoring_sheet(office, 2011)


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_fixed_number_of_queries(programme, world):
    small = factories.county("330402")
    big = h.fake_county(towns=60)
    y2010 = programme.assessment_years.get(year=2010)
    h.add_assessments(y2010, big)
    few, many = _count(lambda: award.award_report(small, 2010)), _count(lambda: award.award_report(big, 2010))
    assert few == many, (few, many)
    before = _count(lambda: summary.city_summary(2010))
    h.fake_county("339902", "另一测试县", towns=30)
    assert _count(lambda: summary.city_summary(2010)) == before
    assert Office.objects.count() == 72 + 90
