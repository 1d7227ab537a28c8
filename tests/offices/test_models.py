"""The database refuses rows that break the data's rules, whatever path they come by."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from offices.models import Budget, Office, OfficeYearFacts, PostedRule, Premises, Town
from tests import factories

pytestmark = pytest.mark.django_db


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_office_per_town():
    town = Town.objects.get(code=factories.TOWN_A)
    _refused(lambda: Office.objects.create(town=town, name="第二个民政办"))


def test_one_budget_per_office_and_year():
    office = factories.office(factories.TOWN_A)
    factories.budget(office, 2010)
    _refused(lambda: factories.budget(office, 2010))
    factories.budget(office, 2011)  # another year is fine


def test_budget_amounts_cannot_be_negative():
    office = factories.office(factories.TOWN_A)
    _refused(lambda: Budget.objects.create(office=office, year=2010, guaranteed_funds=Decimal("-1")))


def test_premises_area_must_be_positive():
    office = factories.office(factories.TOWN_A)
    _refused(lambda: Premises.objects.create(office=office, year=2010, area_m2=Decimal("0")))
    _refused(lambda: Premises.objects.create(office=office, year=2010, area_m2=Decimal("-20")))
    factories.premises(office, 2010, "60.00")


def test_premises_checklists_only_take_known_items():
    premises = Premises(
        office=factories.office(factories.TOWN_A),
        year=2010,
        area_m2=Decimal("70"),
        equipment=["desks", "robot"],
    )
    with pytest.raises(ValidationError) as error:
        premises.full_clean()
    assert "robot" in str(error.value)


def test_one_posted_rule_per_kind_and_year():
    office = factories.office(factories.TOWN_A)
    PostedRule.objects.create(office=office, year=2010, kind="service_guide")
    _refused(lambda: PostedRule.objects.create(office=office, year=2010, kind="service_guide"))


def test_year_must_be_within_range():
    office = factories.office(factories.TOWN_A)
    _refused(lambda: OfficeYearFacts.objects.create(office=office, year=1999, service_population=1000))


def test_one_yearly_facts_row_per_office_and_year():
    office = factories.office(factories.TOWN_A)
    OfficeYearFacts.objects.create(office=office, year=2010, service_population=40_000)
    _refused(lambda: OfficeYearFacts.objects.create(office=office, year=2010, service_population=41_000))


def test_town_code_must_start_with_its_county_code():
    town = Town.objects.get(code=factories.TOWN_A)
    town.code = "330411999"
    with pytest.raises(ValidationError) as error:
        town.full_clean()
    assert "须以所属县(市、区)代码开头" in str(error.value)


def test_every_change_is_kept_in_history():
    office = factories.office(factories.TOWN_A)
    facts = OfficeYearFacts.objects.create(office=office, year=2010, service_population=40_000)
    facts.service_population = 42_000
    facts.save()
    facts_id = facts.id
    facts.delete()
    kinds = list(
        OfficeYearFacts.history.filter(id=facts_id)
        .order_by("history_date")
        .values_list("history_type", "service_population")
    )
    assert kinds == [("+", 40_000), ("~", 42_000), ("-", 42_000)]


def test_dates_display_as_expected_by_users():
    office = factories.office(factories.TOWN_A)
    office.sign_hung_on = dt.date(2010, 3, 5)
    office.save()
    assert str(office) == "建设街道民政办公室"
