"""The correction pages: a locked record's edit page refuses the edit and leads to a correction, the
request page, the decision by the county and the city, adding a missing record, the lists, the
history, the assessment's list of corrections and the scoring sheet's 已更正 marks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessment.choices import CorrectionState, Level
from assessment.corrections import selectors, services
from assessment.models import Correction
from assessment.reports import pdf, sheet
from duties.models import Duty, DutyRecord
from offices.models import Budget, Premises
from tests import factories
from tests.assessment.reports import helpers as h

from .conftest import approve, assessment_of, confirm, evidence, file

pytestmark = pytest.mark.django_db


def _budget_edit(office, year: int = 2010) -> str:
    return reverse("offices:budget_edit", args=[office.town.code, year])


def _new(office, **query) -> str:
    url = reverse("assessment:correction_create", args=[office.town.code])
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def _payload(**record) -> dict:
    data = {f"record-{k}": v for k, v in record.items()}
    return data | {"problem": "经费数额填报有误", "reason": "以财政拨款文件为准", "evidence": evidence()}


def test_a_confirmed_year_is_read_only_on_the_record_page_but_a_correction_changes_it(world, year):
    budget = factories.budget(world.office_a, 2010, funds="10000")
    approve(world, world.office_a)
    confirm(world, year)
    town = factories.client_for(world.town_a)

    page = town.get(_budget_edit(world.office_a))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2010年度考核结果已由市局确认" in html and 'data-testid="record-locked"' in html
    link = _new(world.office_a, record="offices.budget", pk=budget.pk)
    assert link.replace("&", "&amp;") in html

    refused = town.post(
        _budget_edit(world.office_a),
        {"guaranteed_funds": "30000", "spending": "0", "note": "", "version": budget.version},
    )
    assert refused.status_code == 200 and "该年度的资料只读" in refused.content.decode()
    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == Decimal("10000")

    form = town.get(link)
    assert form.status_code == 200 and 'value="10000.00"' in form.content.decode()
    filed = town.post(link, _payload(guaranteed_funds="30000", spending="0", note=""))
    correction = Correction.objects.get()
    assert filed.status_code == 302 and filed["Location"] == reverse(
        "assessment:correction_detail", args=[correction.pk]
    )
    assert correction.level == Level.CITY and list(correction.changes) == ["guaranteed_funds"]
    assert correction.changes["guaranteed_funds"]["value"] == "30000"

    county_page = factories.client_for(world.county_a).get(filed["Location"]).content.decode()
    assert "审核结果" not in county_page  # the year is confirmed: the city decides
    city = factories.client_for(world.city)
    assert "审核结果" in city.get(filed["Location"]).content.decode()
    decided = city.post(
        reverse("assessment:correction_decide", args=[correction.pk]), {"decision": "approve", "note": "同意"}
    )
    assert decided.status_code == 302
    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == Decimal("30000")

    after = town.get(_budget_edit(world.office_a)).content.decode()
    assert 'data-testid="record-corrections"' in after and "已更正" in after and "以财政拨款文件为准" in after
    history = town.get(reverse("object_history", args=["offices.budget", budget.pk])).content.decode()
    assert f"依据:更正申请#{correction.pk}" in history


def test_the_county_decides_on_its_page_before_confirmation(world, year):
    budget = factories.budget(world.office_a, 2010, funds="10000")
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=Decimal("30000"))
    detail = reverse("assessment:correction_detail", args=[correction.pk])
    county = factories.client_for(world.county_a)
    assert "审核结果" in county.get(detail).content.decode()
    decide = reverse("assessment:correction_decide", args=[correction.pk])
    assert factories.client_for(world.city).post(decide, {"decision": "approve"}).status_code == 403
    rejected = county.post(decide, {"decision": "reject", "note": ""}, follow=True)
    assert "须填写审核意见" in rejected.content.decode()
    assert county.post(decide, {"decision": "approve"}).status_code == 302
    assert Correction.objects.get(pk=correction.pk).state == CorrectionState.APPROVED
    page = county.get(detail).content.decode()
    assert 'data-testid="score-change"' in page and "审核结果" not in page


def test_a_missing_yearly_record_is_added_through_a_correction(world, year):
    approve(world, world.office_a)
    town = factories.client_for(world.town_a)
    edit = town.get(reverse("offices:premises_edit", args=[world.office_a.town.code, 2010])).content.decode()
    link = _new(world.office_a, record="offices.premises", new=1, year=2010)
    assert link.replace("&", "&amp;") in edit
    form = town.get(link)
    assert form.status_code == 200 and "2010" in form.content.decode()
    filed = town.post(
        link,
        {
            "record-area_m2": "75",
            "record-is_fixed": "on",
            "record-address": "建设街道 1 号",
            "problem": "漏报了 2010 年办公场所",
            "reason": "场所自 2009 年起使用,有房产证明",
            "evidence": evidence(),
        },
    )
    assert filed.status_code == 302, filed.content.decode()
    correction = Correction.objects.get()
    assert correction.record_id is None and correction.changes["year"]["value"] == 2010
    services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    assert Premises.objects.get(office=world.office_a, year=2010).area_m2 == Decimal("75")
    # Asking to add what now exists leads to correcting it.
    again = town.get(link)
    assert again.status_code == 302 and "pk=" in again["Location"]


def test_a_back_dated_duty_record_from_the_corrections_page(world, year):
    approve(world, world.office_a)
    town = factories.client_for(world.town_a)
    listing = town.get(reverse("assessment:correction_list", args=[world.office_a.town.code]))
    assert listing.status_code == 200 and "record=duties.dutyrecord" in listing.content.decode()
    picker = town.get(_new(world.office_a, record="duties.dutyrecord")).content.decode()
    assert 'data-testid="add"' in picker
    link = _new(world.office_a, record="duties.dutyrecord", new=1)
    duty = Duty.objects.get(number=3)
    data = {
        "record-duty": duty.pk,
        "record-date": "2010-06-01",
        "record-title": "补登:特困供养走访",
        "record-content": "走访 12 户。",
        "problem": "漏报台账",
        "reason": "有走访记录表",
        "evidence": evidence(),
    }
    assert town.post(link, data).status_code == 302
    correction = Correction.objects.get()
    assert correction.year == 2010 and correction.changes["date"]["value"] == "2010-06-01"
    services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    assert DutyRecord.objects.filter(office=world.office_a, date=dt.date(2010, 6, 1)).exists()


def test_a_correction_of_an_open_year_is_refused_with_the_reason(world, year):
    budget = factories.budget(world.office_a, 2010, funds="10000")
    town = factories.client_for(world.town_a)
    link = _new(world.office_a, record="offices.budget", pk=budget.pk)
    page = town.post(link, _payload(guaranteed_funds="30000", spending="0", note=""))
    assert page.status_code == 200 and "请直接修改" in page.content.decode()
    assert not Correction.objects.exists()
    nothing = town.post(link, _payload(guaranteed_funds="10000.00", spending="0", note=""))
    assert "没有修改任何内容" in nothing.content.decode()


def test_who_opens_the_new_correction_page(world, year):
    budget = factories.budget(world.office_a, 2010)
    approve(world, world.office_a)
    link = _new(world.office_a, record="offices.budget", pk=budget.pk)
    assert factories.client_for(world.town_a).get(link).status_code == 200
    assert factories.client_for(world.county_a).get(link).status_code == 200
    assert factories.client_for(world.city).get(link).status_code == 403
    assert factories.client_for(world.town_c).get(link).status_code == 404
    other = factories.budget(world.office_c, 2010)  # another office's record under this office's address
    wrong = _new(world.office_a, record="offices.budget", pk=other.pk)
    assert factories.client_for(world.town_a).get(wrong).status_code == 404
    picker = factories.client_for(world.county_a).get(
        _new(world.office_a, record="offices.budget", year=2010)
    )
    assert f"pk={budget.pk}" in picker.content.decode()


def test_withdraw_from_the_page(world, year):
    budget = factories.budget(world.office_a, 2010)
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=Decimal("60000"))
    url = reverse("assessment:correction_withdraw", args=[correction.pk])
    assert factories.client_for(world.county_a).post(url).status_code == 403
    assert factories.client_for(world.town_a).get(url).status_code == 405
    assert factories.client_for(world.town_a).post(url).status_code == 302
    assert Correction.objects.get(pk=correction.pk).state == CorrectionState.WITHDRAWN


def _many(world, year, n: int) -> None:
    a = assessment_of(world.office_a)
    Correction.objects.bulk_create(
        Correction(
            office=world.office_a,
            year=2010,
            assessment=a,
            record_label="offices.budget",
            record_id=None,
            record_text=f"第{i}条",
            changes={"note": {"label": "说明", "before": "—", "after": str(i), "value": str(i)}},
            problem="问题",
            reason="理由",
            level=Level.COUNTY,
            filed_by=world.town_a,
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("who", "name", "args"),
    [
        ("town_a", "correction_list", "office"),
        ("county_a", "county_corrections", "county"),
        ("city", "city_corrections", None),
    ],
)
def test_the_lists_cost_the_same_for_5_and_40_requests(world, year, who, name, args):
    approve(world, world.office_a)
    arg = {"office": [world.office_a.town.code], "county": [world.office_a.town.county.code], None: []}[args]
    client = factories.client_for(world.roles()[who])
    url = reverse(f"assessment:{name}", args=arg)
    _many(world, year, 5)
    few = factories.count_queries(client, url)
    _many(world, year, 35)
    assert factories.count_queries(client, url) == few
    assert "第34条" in client.get(url).content.decode()


def test_the_assessment_shows_its_corrections(world, year):
    budget = factories.budget(world.office_a, 2010, funds="10000")
    a = approve(world, world.office_a)
    done = file(world.town_a, budget, guaranteed_funds=Decimal("30000"))
    services.correction_decide(actor=world.county_a, correction=done, approve=True)
    waiting = file(world.county_a, Budget.objects.get(pk=budget.pk), note="按文件", spending=Decimal(1))
    rows = selectors.assessment_corrections(a)
    assert [c.pk for c in rows] == [done.pk, waiting.pk]
    html = render_to_string(
        "assessment/_corrections.html", {"corrections": rows, "office": world.office_a, "year": 2010}
    )
    assert "已更正" in html and "待审核" in html and "待县级审核" in html
    assert f"{a.total:.2f} → " in html and "以财政拨款文件为准" in html and "county_a" in html


def test_the_scoring_sheet_marks_corrected_items(world, year, tmp_path):
    budget = factories.budget(world.office_a, 2010, funds="10000")
    approve(world, world.office_a)
    confirm(world, year)
    correction = file(world.town_a, budget, guaranteed_funds=Decimal("30000"))
    services.correction_decide(actor=world.city, correction=correction, approve=True)
    report = sheet.scoring_sheet(world.office_a, 2010)
    marks = {i.code: i.corrected for i in report.items}
    assert marks["E1"] == f"已更正(更正申请#{correction.pk})" and marks["C1"] == ""
    assert next(i for i in report.items if i.code == "E1").final == 8
    text = h.flat(h.text(h.write(tmp_path, pdf.scoring_sheet_pdf(report)), raw=True))
    assert f"已更正(更正申请#{correction.pk})" in text and "更正记录" in text


def test_the_new_correction_page_asks_for_what_is_missing(world, year):
    approve(world, world.office_a)
    client = factories.client_for(world.town_a)
    kinds = client.get(_new(world.office_a)).content.decode()
    assert 'data-testid="correction-kinds"' in kinds and "record=offices.postedrule" in kinds
    keys = client.get(_new(world.office_a, record="offices.postedrule", new=1)).content.decode()
    assert 'name="year"' in keys and 'name="kind"' in keys
    bad = client.get(_new(world.office_a, record="offices.postedrule", new=1, year=2010, kind="nonsense"))
    assert 'name="kind"' in bad.content.decode()
    form = client.get(
        _new(world.office_a, record="offices.postedrule", new=1, year=2010, kind="office_duties")
    )
    html = form.content.decode()
    assert form.status_code == 200 and 'name="record-posted_on"' in html and 'name="record-photo"' not in html
    assert client.get(_new(world.office_a, record="staffing.directorprobation", new=1)).status_code == 404
    assert client.get(_new(world.office_a, record="offices.budget", pk="x")).status_code == 404
