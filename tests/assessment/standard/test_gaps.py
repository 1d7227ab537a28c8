"""The live gap list on hand-worked cases, including the boundaries of the standard."""

import datetime as dt
from decimal import Decimal

import pytest

from assessment.standard.gaps import office_gaps
from assessment.standard.thresholds import DEFAULT
from offices.models import InternalCheck, OfficeYearFacts, Premises
from staffing.models import DirectorProbation, TrainingAttendance, TrainingEvent
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = 2011


def _messages(office) -> list[str]:
    return [g.message for g in office_gaps(office, YEAR)]


def _has(office, text: str) -> bool:
    return any(text in m for m in _messages(office))


@pytest.mark.parametrize(("area", "gap"), [("59.99", True), ("60", False), ("60.00", False), ("120", False)])
def test_premises_area_boundary(area, gap):
    office = factories.office(factories.TOWN_A)
    Premises.objects.create(office=office, year=YEAR, area_m2=Decimal(area))
    assert _has(office, "低于 60") is gap


@pytest.mark.parametrize(("population", "norm"), [(29_999, 2), (30_000, 3), (60_000, 3), (60_001, 4)])
def test_staffing_norm_band_edges(population, norm):
    assert DEFAULT.staffing_norm(population) == norm
    office = factories.office(factories.TOWN_A)
    OfficeYearFacts.objects.create(office=office, year=YEAR, service_population=population)
    for i in range(norm - 1):
        factories.staff(office, name=f"人员{i}", post="staff")
    assert _has(office, f"应配 {norm} 人")
    factories.staff(office, name="补足", post="staff")
    assert not _has(office, "应配")


def test_part_time_staff_do_not_count_toward_the_norm():
    office = factories.office(factories.TOWN_A)
    OfficeYearFacts.objects.create(office=office, year=YEAR, service_population=20_000)
    factories.staff(office, name="甲")
    factories.staff(office, name="乙", is_full_time=False, post="staff")
    assert _has(office, "专职人员 1 人")


def test_no_civil_servant_is_the_veto_gap():
    office = factories.office(factories.TOWN_A)
    factories.staff(office, employment_type="institution")
    assert _has(office, "没有公务员")
    factories.staff(office, name="李四", employment_type="civil_servant", post="staff")
    assert not _has(office, "没有公务员")


def test_staff_who_left_before_the_year_do_not_count():
    office = factories.office(factories.TOWN_A)
    factories.staff(office, ended_on=dt.date(2010, 6, 30))
    assert _has(office, "没有公务员")


def test_untrained_staff_are_named_and_training_removes_the_gap():
    office = factories.office(factories.TOWN_A)
    person = factories.staff(office, name="王芳")
    assert _has(office, "未参加培训:王芳")
    event = TrainingEvent.objects.create(
        level="county",
        county=office.town.county,
        kind="periodic",
        title="县级培训",
        starts_on=dt.date(YEAR, 4, 1),
        ends_on=dt.date(YEAR, 4, 2),
    )
    TrainingAttendance.objects.create(event=event, staff=person)
    assert not _has(office, "未参加培训")


def test_director_probation():
    office = factories.office(factories.TOWN_A)
    director = factories.staff(office)
    assert _has(office, "主任任前见习未登记")
    DirectorProbation.objects.create(
        staff=director, starts_on=dt.date(2010, 1, 1), ends_on=dt.date(2010, 3, 1), place="县民政局"
    )
    assert not _has(office, "任前见习")


@pytest.mark.parametrize(("checks", "gap"), [(0, True), (1, True), (2, False)])
def test_internal_checks_at_least_two(checks, gap):
    office = factories.office(factories.TOWN_A)
    for i in range(checks):
        InternalCheck.objects.create(
            office=office, checked_on=dt.date(YEAR, 3 + i, 1), checked_by="甲", scope="乙"
        )
    assert _has(office, "内部检查") is gap


@pytest.mark.parametrize(("funds", "gap"), [("19999.99", True), ("20000", False)])
def test_budget_minimum(funds, gap):
    office = factories.office(factories.TOWN_A)
    factories.budget(office, YEAR, funds)
    assert _has(office, "低于 20,000 元") is gap


def test_duties_without_records_skip_not_applicable_ones():
    from duties.models import Duty, DutySheetEntry

    office = factories.office(factories.TOWN_A)
    for duty in Duty.objects.all():
        if duty.number == 10:
            DutySheetEntry.objects.create(
                office=office, duty=duty, not_applicable=True, not_applicable_reason="无移民"
            )
        else:
            DutySheetEntry.objects.create(office=office, duty=duty, standard="标准", requirements="要求")
        if duty.number not in (10, 13):
            factories.duty_record(office, duty=duty, date=dt.date(YEAR, 5, 1))
    assert _has(office, "第 13 项职责没有工作台账")
    assert not _has(office, "10")
    assert not _has(office, "尚未明确工作标准")
