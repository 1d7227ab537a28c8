"""Every scoring rule on hand-worked cases, with the figures it shows and its boundaries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from assessment.models import CatalogItem, CatalogVersion
from assessment.standard import facts, rules
from duties.models import Duty, DutySheetEntry
from offices.models import InternalCheck, OfficeYearFacts, Plan, PostedRule, Premises
from staffing.models import DirectorProbation, TrainingAttendance, TrainingEvent
from tests import factories
from tests.evidence_samples import jpeg_bytes

pytestmark = pytest.mark.django_db
YEAR = 2010


@pytest.fixture
def catalog():
    return CatalogVersion.objects.get(year=2010)


@pytest.fixture
def office():
    return factories.office(factories.TOWN_A)


def score(catalog, office, code: str) -> rules.RuleResult:
    item = catalog.items.get(code=code)
    data = facts.load([office], YEAR)[office.pk]
    return rules.apply(item, data, catalog)


def test_the_default_catalog_is_100_points_in_23_items(catalog):
    items = list(catalog.items.all())
    assert len(items) == 23
    assert sum(i.points for i in items) == 100
    assert [i.code for i in items if i.is_veto] == ["B2"]
    assert catalog.pass_mark == 85


@pytest.mark.parametrize(
    ("population", "full_time", "points", "figures"),
    [
        (45_000, 2, 0, "专职人员 2 人,服务人口 45,000,标准 3 人"),
        (45_000, 3, 6, "专职人员 3 人,服务人口 45,000,标准 3 人"),
        (29_999, 2, 6, "标准 2 人"),
        (30_000, 2, 0, "标准 3 人"),
        (60_000, 3, 6, "标准 3 人"),
        (60_001, 3, 0, "标准 4 人"),
    ],
)
def test_staffing_norm(catalog, office, population, full_time, points, figures):
    OfficeYearFacts.objects.create(office=office, year=YEAR, service_population=population)
    for i in range(full_time):
        factories.staff(office, name=f"专职{i}", post="staff")
    factories.staff(office, name="兼职", post="staff", is_full_time=False)
    result = score(catalog, office, "B1")
    assert result.points == points
    assert figures in result.figures


def test_staffing_without_population_scores_nothing(catalog, office):
    assert score(catalog, office, "B1").figures.endswith("服务人口未填报")


@pytest.mark.parametrize(
    ("area", "fixed", "points"), [("60", True, 6), ("59.99", True, 0), ("120", False, 0)]
)
def test_premises_area_boundary(catalog, office, area, fixed, points):
    Premises.objects.create(office=office, year=YEAR, area_m2=Decimal(area), is_fixed=fixed)
    result = score(catalog, office, "C1")
    assert result.points == points
    assert "标准不少于 60 平方米" in result.figures


def test_checklists_score_in_proportion(catalog, office):
    Premises.objects.create(
        office=office,
        year=YEAR,
        area_m2=Decimal(80),
        equipment=["desks", "computer", "printer"],
        it_facilities=["egov"],
    )
    assert score(catalog, office, "C2").points == Decimal("1.80")  # 3 × 3/5
    assert score(catalog, office, "C4").points == Decimal("1.33")  # 4 × 1/3
    assert score(catalog, office, "C2").figures == "已配备办公服务用品 3 项,标准 5 项"


def test_emblem_needs_the_photo(catalog, office):
    place = Premises.objects.create(office=office, year=YEAR, area_m2=Decimal(80), emblem_displayed=True)
    assert score(catalog, office, "C3").points == 0
    place.emblem_photo.save("e.jpg", ContentFile(jpeg_bytes()))
    assert score(catalog, office, "C3").points == 2


def test_civil_servant_veto_item(catalog, office):
    factories.staff(office, employment_type="institution")
    assert score(catalog, office, "B2").points == 0
    factories.staff(office, name="公务员甲", employment_type="civil_servant", post="staff")
    result = score(catalog, office, "B2")
    assert result.points == 4 and result.figures == "公务员 1 人,标准不少于 1 人"


def test_training_share_and_initial_training_for_newcomers(catalog, office):
    people = [
        factories.staff(office, name=f"人员{i}", post="staff", started_on=dt.date(2005, 1, 1))
        for i in range(3)
    ]
    newcomer = factories.staff(office, name="新人", post="staff", started_on=dt.date(YEAR, 3, 1))
    county = TrainingEvent.objects.create(
        level="county",
        county=office.town.county,
        kind="periodic",
        title="县级培训",
        starts_on=dt.date(YEAR, 5, 1),
        ends_on=dt.date(YEAR, 5, 2),
    )
    for person in [*people[:2], newcomer]:
        TrainingAttendance.objects.create(event=county, staff=person)
    assert score(catalog, office, "B3").points == Decimal("2.50")  # 2 of 4 (the newcomer lacks 初任培训)
    initial = TrainingEvent.objects.create(
        level="city",
        kind="initial",
        title="初任培训",
        starts_on=dt.date(YEAR, 4, 1),
        ends_on=dt.date(YEAR, 4, 1),
    )
    TrainingAttendance.objects.create(event=initial, staff=newcomer)
    result = score(catalog, office, "B3")
    assert result.points == Decimal("3.75") and result.figures == "在岗 4 人,已按要求参训 3 人"


def test_probation_of_the_director(catalog, office):
    assert score(catalog, office, "B4").figures == "未登记主任"
    director = factories.staff(office)
    assert score(catalog, office, "B4").points == 0
    DirectorProbation.objects.create(
        staff=director, starts_on=dt.date(2009, 1, 1), ends_on=dt.date(2009, 3, 1), place="县局"
    )
    assert score(catalog, office, "B4").points == 2


def test_posted_rule_needs_this_years_photo(catalog, office):
    rule = PostedRule.objects.create(office=office, year=YEAR, kind="office_duties")
    assert score(catalog, office, "D1").figures == "2010年“民政办公室职责”已登记,缺少照片"
    rule.photo.save("r.jpg", ContentFile(jpeg_bytes()))
    assert score(catalog, office, "D1").points == 2
    PostedRule.objects.filter(pk=rule.pk).update(year=2009)
    assert score(catalog, office, "D1").points == 0


@pytest.mark.parametrize(("funds", "points"), [("19999.99", 0), ("20000", 8)])
def test_budget_minimum(catalog, office, funds, points):
    factories.budget(office, YEAR, funds)
    assert score(catalog, office, "E1").points == points


def test_duty_records_over_applicable_duties(catalog, office):
    for duty in Duty.objects.all():
        if duty.number == 10:
            DutySheetEntry.objects.create(
                office=office, duty=duty, not_applicable=True, not_applicable_reason="无移民"
            )
        elif duty.number <= 11:
            factories.duty_record(office, duty=duty, date=dt.date(YEAR, 6, 1))
    result = score(catalog, office, "F1")
    assert result.points == Decimal("19.23")  # 25 × 10/13
    assert result.figures == "适用职责 13 项,当年有台账 10 项"


def test_duty_sheet_and_plans(catalog, office):
    assert score(catalog, office, "A3").points == 0
    for duty in Duty.objects.all():
        DutySheetEntry.objects.create(office=office, duty=duty, standard="标准", requirements="要求")
    assert score(catalog, office, "A3").points == 2
    Plan.objects.create(office=office, year=YEAR, kind="annual", title="计划")
    assert score(catalog, office, "A4").points == 0
    Plan.objects.create(office=office, year=YEAR, kind="development", title="规划")
    assert score(catalog, office, "A4").points == 4


@pytest.mark.parametrize(("checks", "points"), [(1, 0), (2, 4)])
def test_internal_checks(catalog, office, checks, points):
    for i in range(checks):
        InternalCheck.objects.create(
            office=office, checked_on=dt.date(YEAR, 2 + i, 1), checked_by="甲", scope="乙"
        )
    assert score(catalog, office, "G1").points == points


def test_sign_and_seal(catalog, office):
    assert score(catalog, office, "A1").figures == "增挂日期 未填报,照片未上传"
    office.sign_hung_on = dt.date(2010, 3, 5)
    office.sign_photo.save("s.jpg", ContentFile(jpeg_bytes()))
    assert score(catalog, office, "A1").points == 2
    assert score(catalog, office, "A2").points == 0


def test_inspector_items_have_no_rule(catalog, office):
    assert score(catalog, office, "G2") is None


def test_parameters_come_from_the_catalog(catalog, office):
    item = catalog.items.get(code="C1")
    item.params = {"min_area": 80}
    item.save()
    Premises.objects.create(office=office, year=YEAR, area_m2=Decimal(70))
    assert score(catalog, office, "C1").points == 0
    assert isinstance(item, CatalogItem)
