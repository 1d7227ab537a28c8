"""The shared checks of the standard on hand-worked records, and the live gap list and the scoring
rules agreeing with them (and so with each other) at every boundary."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import CatalogVersion
from assessment.standard import checks, facts, gaps, rules
from assessment.standard.facts import OfficeYear
from assessment.standard.thresholds import DEFAULT
from duties.models import Duty, DutySheetEntry
from offices.models import InternalCheck, Office, OfficeYearFacts, Premises
from staffing.models import StaffMember
from tests import factories

YEAR = 2010


def _person(pk: int, **values) -> StaffMember:
    defaults = {
        "name": f"人员{pk}",
        "employment_type": "civil_servant",
        "is_full_time": True,
        "post": "staff",
        "started_on": dt.date(2005, 1, 1),
    }
    return StaffMember(pk=pk, **{**defaults, **values})


def _data(**values) -> OfficeYear:
    """One office's records as the loader gives them, built in memory: the checks run no query."""
    return OfficeYear(office=Office(), year=YEAR, **values)


# -- the checks alone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "full_time", "norm", "met"),
    [(29_999, 2, 2, True), (30_000, 2, 3, False), (60_000, 3, 3, True), (60_001, 3, 4, False)],
)
def test_staffing_counts_full_time_staff_against_the_bands(population, full_time, norm, met):
    staff = [_person(i) for i in range(full_time)] + [_person(99, is_full_time=False)]
    data = _data(facts=OfficeYearFacts(service_population=population), staff=staff)
    check = checks.staffing(data, DEFAULT.staffing_bands)
    assert (check.full_time, check.norm, check.met) == (full_time, norm, met)


def test_staffing_without_a_population_has_no_norm_and_is_not_met():
    check = checks.staffing(_data(staff=[_person(1)]), DEFAULT.staffing_bands)
    assert (check.population, check.norm, check.met) == (None, None, False)


@pytest.mark.parametrize(
    ("area", "fixed", "large", "met"),
    [("59.99", True, False, False), ("60", True, True, True), ("60", False, True, False)],
)
def test_premises_area_at_least_the_minimum_and_fixed(area, fixed, large, met):
    data = _data(premises=Premises(area_m2=Decimal(area), is_fixed=fixed))
    check = checks.premises(data, Decimal(60))
    assert (check.filed, check.large_enough, check.met) == (True, large, met)
    assert not checks.premises(_data(), Decimal(60)).filed


def test_training_names_the_untrained_and_newcomers_without_initial_training():
    old, trained, newcomer = _person(1), _person(2), _person(3, started_on=dt.date(YEAR, 3, 1))
    data = _data(staff=[old, trained, newcomer], trained={2, 3})
    check = checks.training(data)
    assert (check.untrained, check.new_untrained, check.complying, check.met) == (
        ["人员1"],
        ["人员3"],
        1,
        False,
    )
    data.initial_trained.add(3)
    data.trained.add(1)
    assert checks.training(data).met and checks.training(data).complying == 3
    assert checks.training(_data()).met  # nobody in post: nothing to miss


def test_civil_servants_probation_and_checks():
    staff = [
        _person(1, employment_type="institution", post="director"),
        _person(2, employment_type="contract"),
    ]
    data = _data(staff=staff, checks=1)
    assert not checks.civil_servants(data, 1).met and checks.civil_servants(data, 0).met
    probation = checks.probation(data)
    assert probation.director.pk == 1 and not probation.met
    data.on_probation.add(1)
    assert checks.probation(data).met
    assert checks.probation(_data()).director is None
    assert checks.internal_checks(data, 2).count == 1 and not checks.internal_checks(data, 2).met


def test_checklists_count_only_known_items_but_list_anything_entered():
    data = _data(premises=Premises(equipment=["desks", "computer", "unknown"], it_facilities=[]))
    equipment = checks.equipment(data)
    assert (equipment.listed, equipment.count, equipment.minimum) == (True, 2, 9)  # all 9 by default
    assert checks.equipment(data, 2).met and not checks.equipment(data, 3).met
    it = checks.it_facilities(data)
    assert (it.listed, it.count, it.met) == (False, 0, False)
    assert not checks.equipment(_data()).listed


def test_posted_rules_budget_and_emblem():
    data = _data(rules={"office_duties": True, "post_duties": False})
    assert checks.posted_rule(data, "office_duties").met
    assert checks.posted_rule(data, "post_duties") == checks.WithPhoto(done=True, photo=False)
    assert not checks.posted_rule(data, "conduct").done
    assert checks.budget(_data(), Decimal(20000)).funds is None
    assert not checks.emblem(_data()).met


def test_duties_not_on_the_sheet_count_as_applicable():
    numbers = {101: 1, 102: 2, 110: 10}
    data = _data(duty_numbers=numbers, sheet={101: False, 110: True}, recorded_duties={101})
    sheet = checks.duty_sheet(data)
    assert (sheet.applicable, sheet.not_applicable, sheet.done, sheet.missing, sheet.met) == (
        2,
        1,
        1,
        [2],
        False,
    )
    records = checks.duty_records(data)
    assert (records.applicable, records.done, records.missing) == (2, 1, [2])


# -- the gap list and the rules judge alike --------------------------------------------------------


def _gap_messages(office) -> list[str]:
    return [g.message for g in gaps.office_gaps(office, YEAR)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("population", "full_time", "area", "checks_made"),
    [(29_999, 2, "60", 2), (30_000, 2, "59.99", 1), (60_001, 4, "60.00", 0)],
)
def test_a_gap_is_listed_exactly_when_the_rule_is_not_met(population, full_time, area, checks_made):
    catalog = CatalogVersion.objects.get(year=2010)
    office = factories.office(factories.TOWN_A)
    OfficeYearFacts.objects.create(office=office, year=YEAR, service_population=population)
    for i in range(full_time):
        factories.staff(office, name=f"专职{i}", post="staff")
    Premises.objects.create(office=office, year=YEAR, area_m2=Decimal(area), is_fixed=True)
    for i in range(checks_made):
        InternalCheck.objects.create(
            office=office, checked_on=dt.date(YEAR, 3 + i, 1), checked_by="甲", scope="乙"
        )
    for duty in Duty.objects.exclude(number=13):
        DutySheetEntry.objects.create(office=office, duty=duty, standard="标准", requirements="要求")
    data = facts.load([office], YEAR)[office.pk]
    messages = " ".join(_gap_messages(office))
    scored = {item.code: rules.apply(item, data, catalog) for item in catalog.items.all()}
    assert ("应配" in messages) is not scored["B1"].met
    assert ("平方米,低于" in messages) is not scored["C1"].met
    assert ("内部检查" in messages) is not scored["G1"].met
    assert ("尚未明确工作标准" in messages) is not scored["A3"].met
    assert ("没有公务员" in messages) is not scored["B2"].met


@pytest.mark.django_db
def test_the_gap_list_costs_the_same_queries_for_one_office_as_for_all():
    every = list(Office.objects.select_related("town"))
    one = every[:1]
    with CaptureQueriesContext(connection) as few:
        gaps.gaps_for(one, YEAR)
    with CaptureQueriesContext(connection) as many:
        gaps.gaps_for(every, YEAR)
    assert len(few) == len(many)
