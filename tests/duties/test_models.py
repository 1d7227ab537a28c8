import pytest
from django.db import IntegrityError, transaction

from duties.models import Duty, DutySheetEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_not_applicable_needs_a_reason():
    office = factories.office(factories.TOWN_A)
    duty = Duty.objects.get(number=10)
    _refused(lambda: DutySheetEntry.objects.create(office=office, duty=duty, not_applicable=True))
    DutySheetEntry.objects.create(
        office=office, duty=duty, not_applicable=True, not_applicable_reason="无库区移民"
    )


def test_applicable_duty_needs_standard_and_requirements():
    office = factories.office(factories.TOWN_A)
    duty = Duty.objects.get(number=2)
    _refused(lambda: DutySheetEntry.objects.create(office=office, duty=duty, standard="有标准"))
    DutySheetEntry.objects.create(office=office, duty=duty, standard="有标准", requirements="有要求")


def test_one_sheet_entry_per_office_and_duty():
    office = factories.office(factories.TOWN_A)
    duty = Duty.objects.get(number=3)
    DutySheetEntry.objects.create(office=office, duty=duty, standard="甲", requirements="乙")
    _refused(
        lambda: DutySheetEntry.objects.create(office=office, duty=duty, standard="丙", requirements="丁")
    )


def test_duty_records_are_kept_per_office():
    office = factories.office(factories.TOWN_A)
    record = factories.duty_record(office)
    assert record.office == office
    assert str(record) == "2010-05-10 低保对象动态管理"
