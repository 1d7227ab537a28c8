"""The city bureau's pages of the annual assessment: catalogs copied and edited (and refused once
locked), a year opened, the reproducible sample, the city's scores beside the counties', returning a
county, confirming the year, who may see what, and what each page costs in queries."""

import math
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, Method, WorkflowStep, YearState
from assessment.models import (
    Assessment,
    AssessmentYear,
    CatalogItem,
    CatalogVersion,
    CountyResult,
    ItemScore,
    Programme,
    WorkflowEvent,
)
from assessment.standard import scoring
from assessment.workflow import city_services
from core.locks import RecordLocked
from offices.models import Office
from tests import factories

from . import city_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return factories.client_for(world.city)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow_messages(client, response) -> str:
    """The page a redirect leads to, for the flash message it shows."""
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


def _item_payload(item: CatalogItem, **changes) -> dict:
    data = {
        "version": item.version,
        "section": item.section,
        "code": item.code,
        "text": item.text,
        "points": str(item.points),
        "method": item.method,
        "rule": item.rule,
        "order": item.order,
        **{k: v for k, v in (item.params or {}).items() if k in ("min_area", "min_amount", "kind")},
    }
    if item.is_veto:
        data["is_veto"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# -- catalogs -------------------------------------------------------------------------------------


def test_copying_a_catalog_then_editing_an_item_keeps_who_changed_it(world, city):
    response = city.post(
        reverse("supervision:catalog_copy"),
        {"source": CatalogVersion.objects.get(year=2010).pk, "year": "2013"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:catalog_detail", args=[2013])
    copy = CatalogVersion.objects.get(year=2013)
    assert copy.items.count() == 23 and copy.copied_from.year == 2010 and not copy.locked

    item = h.item(copy, "C1")
    url = reverse("supervision:catalog_item_edit", args=[2013, item.pk])
    page = city.get(url)
    assert page.status_code == 200
    assert page.context["form"]["min_area"].value() == 60  # the parameter as a typed field
    response = city.post(url, _item_payload(item, text="办公服务场所固定,面积不少于80平方米", min_area="80"))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    item.refresh_from_db()
    assert item.params == {"min_area": 80} and item.text.endswith("80平方米")
    latest = item.history.order_by("-history_date").first()
    assert latest.history_user == world.city
    # The detail page states the standard in words, and the edit page lists who changed the item.
    assert (
        "面积不少于 80 平方米"
        in city.get(reverse("supervision:catalog_detail", args=[2013])).content.decode()
    )
    history = city.get(url).content.decode()
    assert world.city.display_name in history
    assert "场所固定,面积不少于 60 平方米 → 场所固定,面积不少于 80 平方米" in history


def test_a_stale_item_edit_is_refused(world, city):
    item = h.item(h.catalog(world, 2013), "G2")
    shown = item.version
    url = reverse("supervision:catalog_item_edit", args=[2013, item.pk])
    assert city.post(url, _item_payload(item, points="5")).status_code == 302
    response = city.post(url, _item_payload(item, version=shown, points="7"))
    assert response.status_code == 200 and response.context["conflict"] is not None
    assert "未保存" in response.content.decode()
    item.refresh_from_db()
    assert item.points == Decimal(5)


def test_copying_onto_a_year_that_has_a_catalog_is_refused_next_to_the_year(world, city):
    response = city.post(
        reverse("supervision:catalog_copy"),
        {"source": CatalogVersion.objects.get(year=2010).pk, "year": "2010"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == ["2010年的考核细则已存在。"]


def test_a_new_item_gets_the_parameters_of_its_rule_and_the_total_is_checked(world, city):
    h.catalog(world, 2013)
    url = reverse("supervision:catalog_item_create", args=[2013])
    base = {"section": "E", "code": "e2", "text": "办公经费专款专用", "points": "3", "order": "30"}
    missing = city.post(url, {**base, "method": Method.RECORDS, "rule": ""})
    assert missing.context["form"].errors["rule"] == ["依据台账资料计分的项目须选择计分规则。"]
    no_amount = city.post(url, {**base, "method": Method.RECORDS, "rule": "budget"})
    assert "须填写此项" in no_amount.context["form"].errors["min_amount"][0]
    response = city.post(
        url, {**base, "method": Method.RECORDS, "rule": "budget", "min_amount": "30000", "min_area": "99"}
    )
    assert response.status_code == 302
    created = CatalogItem.objects.get(catalog__year=2013, code="E2")
    assert created.params == {"min_amount": 30000}  # only the chosen rule's standard is kept
    page = city.get(reverse("supervision:catalog_detail", args=[2013])).content.decode()
    assert "保障经费不少于 30,000 元" in page
    assert "总分为 <strong>103</strong> 分,须为 100 分" in page
    duplicate = city.post(url, {**base, "code": "E2", "method": Method.INSPECTOR})
    assert duplicate.context["form"].errors["code"] == ["2013年考核细则中已有编号为 E2 的项目。"]


def test_pass_mark_and_staffing_bands_are_edited_as_rows(world, city):
    catalog = h.catalog(world, 2013)
    url = reverse("supervision:catalog_edit", args=[2013])
    form = city.get(url).context["form"]
    assert form["upper_0"].value() == 29999 and form["top_staff"].value() == 4
    payload = {"version": catalog.version, "pass_mark": "80", "band_rows": "4", "top_staff": "5"}
    falling = {**payload, "upper_0": "40000", "staff_0": "2", "upper_1": "30000", "staff_1": "3"}
    response = city.post(url, falling)
    assert response.status_code == 200
    assert response.context["form"].errors["upper_1"] == ["人口上限须高于上一档(40,000 人),按从小到大填写。"]
    half = {**payload, "upper_0": "20000", "staff_0": ""}
    assert "请填写专职人数" in city.post(url, half).context["form"].errors["staff_0"][0]
    good = {**payload, "upper_0": "20000", "staff_0": "2", "upper_1": "50000", "staff_1": "3"}
    assert city.post(url, good).status_code == 302
    catalog.refresh_from_db()
    assert catalog.pass_mark == Decimal(80)
    assert catalog.staffing_bands == [[20000, 2], [50000, 3], [None, 5]]
    assert catalog.staffing_norm(20000) == 2 and catalog.staffing_norm(50001) == 5
    assert catalog.history.order_by("-history_date").first().history_user == world.city
    stale = city.post(url, {**good, "pass_mark": "90"})
    assert stale.status_code == 200 and stale.context["conflict"] is not None


def test_a_locked_catalog_is_shown_read_only_and_every_change_is_refused(world, city):
    year = h.open_year(world, 2010)
    catalog = year.catalog
    item = h.item(catalog, "G2")
    pages = {
        reverse("supervision:catalog_edit", args=[2010]): {"version": catalog.version, "pass_mark": "60"},
        reverse("supervision:catalog_item_edit", args=[2010, item.pk]): _item_payload(item, points="1"),
        reverse("supervision:catalog_item_create", args=[2010]): {"code": "Z1", "text": "新项目"},
    }
    for url, payload in pages.items():
        page = city.get(url)
        assert page.status_code == 200 and "已锁定,不能修改" in page.content.decode(), url
        assert b'<form method="post" novalidate>' not in page.content
        refused = city.post(url, payload)
        assert refused.status_code == 200
        assert "2010年考核细则已用于年度考核,已锁定,不能修改。" in refused.content.decode(), url
    catalog.refresh_from_db()
    item.refresh_from_db()
    assert catalog.pass_mark == Decimal(85) and item.points == Decimal(6)
    assert catalog.items.count() == 23
    assert "编辑" not in city.get(reverse("supervision:catalog_detail", args=[2010])).content.decode()


def test_county_inspectors_read_catalogs_and_nobody_else_but_the_city(world):
    url = reverse("supervision:catalog_detail", args=[2010])
    county = factories.client_for(world.county_a).get(url)
    assert county.status_code == 200
    page = county.content.decode()
    assert "一票否决" in page and "面积不少于 60 平方米" in page and "29,999 人及以下" in page
    assert reverse("supervision:catalog_edit", args=[2010]) not in page
    for user in (world.town_a, world.admin):
        assert factories.client_for(user).get(url).status_code == 403
    assert (
        factories.client_for(world.city).get(reverse("supervision:catalog_detail", args=[1999])).status_code
        == 404
    )


# -- programmes and opening a year -----------------------------------------------------------------


def test_creating_a_programme(world, city):
    url = reverse("supervision:programme_create")
    response = city.post(url, {"name": "三年行动", "start_year": "2010", "years": "3"})
    assert response.status_code == 302
    assert Programme.objects.get(start_year=2010).history.first().history_user == world.city
    again = city.post(url, {"name": "另一个", "start_year": "2010", "years": "3"})
    assert again.context["form"].errors["start_year"] == ["该起始年度已有规范化建设行动。"]
    listing = city.get(reverse("supervision:programme_list")).content.decode()
    assert "三年行动" in listing and "2012年" in listing


def test_opening_is_refused_when_the_catalog_is_not_100_points(world, city):
    programme = h.programme(world, 2010)
    catalog = h.catalog(world, 2011)
    item = h.item(catalog, "G2")
    item.points = Decimal(7)
    catalog_services.catalog_item_save(actor=world.city, item=item, expected_version=item.version)
    response = city.post(
        reverse("supervision:year_open"),
        {"programme": programme.pk, "catalog": catalog.pk, "sample_percent": "10"},
    )
    assert response.status_code == 200
    assert "2011年考核细则总分为 101.00 分,须为 100 分。" in response.content.decode()
    assert not AssessmentYear.objects.filter(year=2011).exists()
    catalog.refresh_from_db()
    assert not catalog.locked


def test_opening_a_year(world, city):
    programme = h.programme(world, 2010)
    catalog = CatalogVersion.objects.get(year=2010)
    form = city.get(reverse("supervision:year_open")).context["form"]
    assert list(form.fields["catalog"].queryset) == [catalog]
    response = city.post(
        reverse("supervision:year_open"),
        {
            "programme": programme.pk,
            "catalog": catalog.pk,
            "self_assessment_due": "2010-10-31",
            "county_due": "2010-12-15",
            "sample_percent": "20",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:year_overview", args=[2010])
    year = AssessmentYear.objects.get(year=2010)
    assert year.sample_rate == Decimal("0.200") and year.assessments.count() == 72
    catalog.refresh_from_db()
    assert catalog.locked
    event = WorkflowEvent.objects.get(assessment_year=year, action=WorkflowStep.OPEN_YEAR)
    assert event.actor == world.city
    assert "2010年度考核已开启" in " ".join(_messages(city.get(response["Location"])))


def test_deadlines_must_be_in_order(world, city):
    programme = h.programme(world, 2010)
    response = city.post(
        reverse("supervision:year_open"),
        {
            "programme": programme.pk,
            "catalog": CatalogVersion.objects.get(year=2010).pk,
            "self_assessment_due": "2010-10-31",
            "county_due": "2010-10-01",
            "sample_percent": "10",
        },
    )
    assert response.context["form"].errors["county_due"] == ["县级上报截止日期不能早于自评截止日期。"]


# -- the sample -----------------------------------------------------------------------------------


def test_the_sample_is_reproducible_and_takes_a_tenth_of_each_county_rounded_up(world, city):
    year = h.open_year(world, 2010)
    h.approve_all(year)
    url = reverse("supervision:sample_draw", args=[2010])
    assert "为已上报的 7 个县(市、区)各自随机抽取" in city.get(url).content.decode()  # asks first
    city.post(url)
    seeds = dict(year.county_results.values_list("county__code", "sample_seed"))
    assert all(re.fullmatch(r"[0-9a-f]{16}", seed) for seed in seeds.values())
    drawn = set(year.assessments.filter(sampled=True).values_list("office_id", flat=True))
    expected = set()
    for result in year.county_results.select_related("county"):
        expected |= set(city_services.sample_for_county(year, result.county, result.sample_seed))
    assert drawn == expected
    by_county: dict[str, list] = {}
    for county_code, sampled in year.assessments.values_list("office__town__county__code", "sampled"):
        by_county.setdefault(county_code, []).append(sampled)
    for county_code, flags in by_county.items():
        assert sum(flags) == math.ceil(len(flags) / 10) >= 1, county_code
    # A second draw of a county is refused; taking it back and drawing with its seed gives the same towns.
    nanhu = world.office_a.town.county.code
    county_url = reverse("supervision:sample_county", args=[2010, nanhu])
    page = _follow_messages(city, city.post(county_url, {"seed": "other"}))
    assert f"督查样本已抽取(种子 {seeds[nanhu]})" in page
    before = set(
        year.assessments.filter(sampled=True, office__town__county__code=nanhu).values_list(
            "office_id", flat=True
        )
    )
    year.assessments.filter(office__town__county__code=nanhu).update(sampled=False)
    CountyResult.objects.filter(assessment_year=year, county__code=nanhu).update(
        sample_seed="", sampled_at=None
    )
    city.post(county_url, {"seed": seeds[nanhu]})
    after = set(
        year.assessments.filter(sampled=True, office__town__county__code=nanhu).values_list(
            "office_id", flat=True
        )
    )
    assert after == before
    overview = city.get(reverse("supervision:year_overview", args=[2010])).content.decode()
    assert seeds[nanhu] in overview and len(drawn) == 10


def test_a_sample_waits_for_the_county_and_logs_its_seed(world, city):
    year = h.open_year(world, 2010)
    nanhu = world.office_a.town.county.code
    url = reverse("supervision:sample_county", args=[2010, nanhu])
    assert "尚未上报考核结果" in city.get(url).content.decode()
    assert "尚未上报考核结果" in _follow_messages(city, city.post(url, {"seed": ""}))
    assert not year.assessments.filter(sampled=True).exists()
    h.approve_all(year, nanhu)
    city.post(url, {"seed": ""})
    result = CountyResult.objects.get(assessment_year=year, county__code=nanhu)
    assert re.fullmatch(r"[0-9a-f]{16}", result.sample_seed)
    event = WorkflowEvent.objects.get(assessment_year=year, action=WorkflowStep.DRAW_SAMPLE)
    assert event.actor == world.city and result.sample_seed in event.comment and event.county.code == nanhu


# -- the city's scores ----------------------------------------------------------------------------


def _scores(assessment: Assessment) -> dict[str, ItemScore]:
    return {s.item.code: s for s in scoring.item_rows(assessment)}


def _city_payload(assessment: Assessment, **points) -> dict:
    data = {
        "comment": "实地督查",
        "visit_date": "2010-12-20",
        "inspectors": "王五",
        "version": assessment.version,
    }
    for code, score in _scores(assessment).items():
        if not score.not_applicable:
            data[f"points_{score.pk}"] = str(points.get(code, score.final_points or ""))
    return data


def test_the_city_scores_a_sampled_town_beside_the_county(world, city):
    year = h.open_year(world, 2010)
    h.approve_all(year)
    h.force_sample(year, world.office_a, world.office_c)
    a = year.assessments.get(office=world.office_a)
    url = reverse("supervision:city_score", args=[2010, world.office_a.town.code])
    page = city.get(url)
    assert page.status_code == 200
    g2 = _scores(a)["G2"]
    assert page.context["form"][f"points_{g2.pk}"].value() == Decimal(6)  # the county's, to start from
    payload = _city_payload(a, G2="3.5")
    payload[f"note_{g2.pk}"] = "群众满意度调查低于县级评分"
    response = city.post(url, payload)
    assert response.status_code == 302
    g2.refresh_from_db()
    a.refresh_from_db()
    assert g2.city_points == Decimal("3.5") and g2.city_note == "群众满意度调查低于县级评分"
    assert a.city_comment == "实地督查" and a.city_total == a.total - Decimal("2.5")
    assert g2.history.order_by("-history_date").first().history_user == world.city

    differences = city.get(reverse("supervision:differences", args=[2010]))
    groups = {g.county.code: g for g in differences.context["groups"]}
    nanhu = groups[world.office_a.town.county.code]
    assert (nanhu.sampled, nanhu.scored, nanhu.towns_differing, nanhu.items_differing) == (1, 1, 1, 1)
    assert groups[world.office_c.town.county.code].towns_differing == 0
    assert [d.score.item.code for d in nanhu.towns[0].items] == ["G2"]
    assert nanhu.towns[0].items[0].delta == Decimal("-2.5")
    text = differences.content.decode()
    assert "群众满意度调查低于县级评分" in text and world.office_a.town.name in text


def test_city_points_stay_within_the_item_and_towns_out_of_the_sample_are_not_found(world, city):
    year = h.open_year(world, 2010)
    h.force_sample(year, world.office_a)
    a = year.assessments.get(office=world.office_a)
    url = reverse("supervision:city_score", args=[2010, world.office_a.town.code])
    response = city.post(url, _city_payload(a, G2="7"))
    g2 = _scores(a)["G2"]
    assert response.status_code == 200
    assert response.context["form"].errors[f"points_{g2.pk}"] == ["得分不能超过分值 6.00 分。"]
    assert (
        city.get(reverse("supervision:city_score", args=[2010, world.office_b.town.code])).status_code == 404
    )
    assert city.get(reverse("supervision:city_score", args=[2010, "999999999"])).status_code == 404
    assert (
        city.get(reverse("supervision:city_score", args=[2031, world.office_a.town.code])).status_code == 404
    )


# -- returning a county and confirming the year -----------------------------------------------------


def test_returning_a_county_needs_a_comment_and_is_logged(world, city):
    year = h.open_year(world, 2010)
    code = world.office_a.town.county.code
    h.approve_all(year, code)
    url = reverse("supervision:city_return", args=[2010, code])
    page = _follow_messages(city, city.post(url, {"comment": "  "}))
    assert "退回时须填写意见。" in page
    result = CountyResult.objects.get(assessment_year=year, county__code=code)
    assert result.state == CountyState.SUBMITTED
    city.post(url, {"comment": "建设街道的现场评分依据不足,请复核。"})
    result.refresh_from_db()
    assert result.state == CountyState.RETURNED
    # The towns keep their approvals: the county reopens the ones it must change.
    assert set(year.assessments.filter(office__town__county__code=code).values_list("state", flat=True)) == {
        AssessmentState.APPROVED
    }
    event = WorkflowEvent.objects.get(assessment_year=year, action=WorkflowStep.RETURN_TO_COUNTY)
    assert (event.actor, event.county.code, event.comment) == (
        world.city,
        code,
        "建设街道的现场评分依据不足,请复核。",
    )
    overview = city.get(reverse("supervision:year_overview", args=[2010])).content.decode()
    assert "建设街道的现场评分依据不足" in overview and "市局已退回" in overview
    assert (
        city.post(reverse("supervision:city_return", args=[2010, "999999"]), {"comment": "x"}).status_code
        == 404
    )


def test_the_year_is_not_confirmed_while_a_county_has_not_reported(world, city):
    year = h.open_year(world, 2010)
    h.approve_all(year, world.office_a.town.county.code)
    city.post(reverse("supervision:sample_draw", args=[2010]))
    page = _follow_messages(
        city, city.post(reverse("supervision:year_confirm", args=[2010]), {"comment": ""})
    )
    assert "6 个县(市、区)未上报考核结果" in page
    year.refresh_from_db()
    assert year.state == YearState.OPEN


def test_confirming_freezes_the_results(world, city):
    year = h.open_year(world, 2010)
    h.approve_all(year)
    city.post(reverse("supervision:sample_draw", args=[2010]))
    h.waive_unscored(world, year)
    a = year.assessments.get(office=world.office_a)
    before = a.total
    response = city.post(
        reverse("supervision:year_confirm", args=[2010]), {"comment": "经市局督查,予以确认。"}
    )
    assert "结果已冻结" in _follow_messages(city, response)
    year.refresh_from_db()
    assert year.state == YearState.CONFIRMED and year.confirmed_at is not None
    event = WorkflowEvent.objects.get(assessment_year=year, action=WorkflowStep.CONFIRM_YEAR)
    assert event.actor == world.city and event.comment == "经市局督查,予以确认。"
    # Records of a confirmed year cannot be filed afterwards, and nothing moves a confirmed total.
    with pytest.raises(RecordLocked):
        factories.premises(world.office_a, 2010, area="120")
    factories.budget(world.office_a, 2011, funds="90000")
    scoring.refresh(list(year.assessments.select_related("assessment_year__catalog")))
    a.refresh_from_db()
    assert a.total == before and a.state == AssessmentState.CONFIRMED and a.frozen_at is not None
    # The pages say so and offer no more steps; a step tried anyway is refused.
    overview = city.get(reverse("supervision:year_overview", args=[2010])).content.decode()
    assert "结果已冻结" in overview and reverse("supervision:year_confirm", args=[2010]) not in overview
    page = _follow_messages(city, city.post(reverse("supervision:year_confirm", args=[2010])))
    assert "2010年度考核已确认,结果已冻结,不能再修改。" in page


def test_the_overview_counts_every_county_and_the_programme_progress(world, city):
    year = h.open_year(world, 2010)
    nanhu = world.office_a.town.county.code
    year.assessments.filter(office=world.office_c).update(state=AssessmentState.SUBMITTED)
    h.approve_all(year, nanhu)
    towns_in_nanhu = Office.objects.filter(town__county__code=nanhu).count()
    response = city.get(reverse("supervision:year_overview", args=[2010]))
    overview = response.context["overview"]
    rows = {r.county.code: r for r in overview.counties}
    assert len(rows) == 7 and overview.totals.towns == 72
    assert (rows[nanhu].towns, rows[nanhu].submitted, rows[nanhu].approved) == (towns_in_nanhu,) * 3
    assert rows[nanhu].result.state == CountyState.SUBMITTED
    assert rows[world.office_c.town.county.code].submitted == 1
    assert rows[world.office_c.town.county.code].approved == 0
    passed = year.assessments.filter(office__town__county__code=nanhu, result="pass").count()
    assert rows[nanhu].standardized == passed
    assert overview.progress.standardized == 0  # nothing confirmed yet
    assert reverse("assessment:county_overview", args=[2010, nanhu]) in response.content.decode()
    # Once the year is confirmed the towns that passed count toward the programme's goal.
    Assessment.objects.filter(assessment_year=year, office=world.office_a).update(result="pass")
    AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.CONFIRMED)
    progress = city.get(reverse("supervision:year_overview", args=[2010])).context["overview"].progress
    assert progress.standardized == year.assessments.filter(result="pass").count() >= 1
    assert progress.years == [2010]


# -- who may see the pages --------------------------------------------------------------------------


def _every_url(world) -> list[tuple[str, str]]:
    year = h.open_year(world, 2010)
    h.force_sample(year, world.office_a)
    item = h.item(year.catalog, "A1")
    county = world.office_a.town.county.code
    return [
        ("GET", reverse("supervision:programme_list")),
        ("GET", reverse("supervision:programme_create")),
        ("GET", reverse("supervision:catalog_list")),
        ("POST", reverse("supervision:catalog_copy")),
        ("GET", reverse("supervision:catalog_edit", args=[2010])),
        ("GET", reverse("supervision:catalog_item_create", args=[2010])),
        ("GET", reverse("supervision:catalog_item_edit", args=[2010, item.pk])),
        ("GET", reverse("supervision:year_open")),
        ("GET", reverse("supervision:year_overview", args=[2010])),
        ("POST", reverse("supervision:sample_draw", args=[2010])),
        ("GET", reverse("supervision:city_score", args=[2010, world.office_a.town.code])),
        ("GET", reverse("supervision:differences", args=[2010])),
        ("POST", reverse("supervision:city_return", args=[2010, county])),
        ("POST", reverse("supervision:year_confirm", args=[2010])),
    ]


def test_every_page_is_the_citys(world):
    urls = _every_url(world)
    for user in (world.town_a, world.county_a, world.county_c, world.admin):
        client = factories.client_for(user)
        for method, url in urls:
            response = client.get(url) if method == "GET" else client.post(url, {"comment": "x"})
            assert response.status_code == 403, (user.username, url)
    anonymous = factories.client_for(None)
    for method, url in urls:
        response = anonymous.get(url) if method == "GET" else anonymous.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    year = AssessmentYear.objects.get(year=2010)
    assert (
        year.state == YearState.OPEN
        and not WorkflowEvent.objects.exclude(action=WorkflowStep.OPEN_YEAR).exists()
    )


# -- queries --------------------------------------------------------------------------------------


def _keep_only(year: AssessmentYear, offices: list[Office]) -> None:
    """A year with only these offices' assessments (as a county with two towns would have)."""
    year.assessments.exclude(office__in=offices).delete()


def test_the_citys_pages_cost_the_same_for_two_towns_as_for_seventy_two(world, city):
    year = h.open_year(world, 2010)
    h.approve_all(year)
    year.assessments.update(sampled=True)
    ItemScore.objects.filter(assessment__assessment_year=year, item__code="G2").update(city_points=Decimal(4))
    AssessmentYear.objects.filter(pk=year.pk).update(sample_seed="q")
    urls = [
        reverse("supervision:year_overview", args=[2010]),
        reverse("supervision:differences", args=[2010]),
        reverse("supervision:programme_list"),
        reverse("supervision:catalog_list"),
        reverse("supervision:catalog_detail", args=[2010]),
        reverse("supervision:year_open"),
    ]
    many = {url: factories.count_queries(city, url) for url in urls}
    _keep_only(year, [world.office_a, world.office_c])
    assert year.assessments.count() == 2
    few = {url: factories.count_queries(city, url) for url in urls}
    assert few == many
    assert many[reverse("supervision:year_overview", args=[2010])] <= 18


def test_the_city_score_page_costs_the_same_for_any_number_of_items(world, city):
    year = h.open_year(world, 2010)
    h.force_sample(year, world.office_a)
    url = reverse("supervision:city_score", args=[2010, world.office_a.town.code])
    full = factories.count_queries(city, url)
    ItemScore.objects.filter(assessment__office=world.office_a, item__code__in=["A1", "A2", "B1"]).delete()
    assert factories.count_queries(city, url) == full
