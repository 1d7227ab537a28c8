"""The registry is the one list of which models are an office's records: every such model is in it,
and every path it names leads to an office."""

import pytest
from django.apps import apps
from django.db.models import FileField

from core import registry
from core.models import OfficeRecord
from offices.models import County, Office
from staffing.models import DirectorProbation
from tests import factories

pytestmark = pytest.mark.django_db


def _office_records():
    """Every concrete model that keeps an office's data: an OfficeRecord, or a model whose registered
    path reaches an office through a parent."""
    return [m for m in apps.get_models() if issubclass(m, OfficeRecord)]


def test_every_office_record_is_registered():
    missing = [m._meta.label_lower for m in _office_records() if registry.office_record_of(m) is None]
    assert missing == []


def test_the_scope_models_are_the_offices_apps():
    assert registry.scope.office is Office
    assert registry.scope.county is County


@pytest.mark.parametrize("entry", list(registry.office_records()), ids=lambda e: e.label)
def test_each_registered_path_reaches_an_office(entry):
    model = apps.get_model(entry.label)
    # The path is a valid lookup: the query compiles and runs.
    list(model._default_manager.filter(**{f"{entry.office}__in": [0]}).values("pk")[:1])
    for name in entry.evidence:
        assert isinstance(model._meta.get_field(name), FileField), name
    if entry.history_parent is not None:
        field, parent = entry.history_parent
        assert model._meta.get_field(field.removesuffix("_id")).related_model is apps.get_model(parent)


def test_office_id_of_follows_the_registered_path():
    office = Office.objects.first()
    staff = factories.staff(office)
    probation = DirectorProbation(staff=staff)
    assert registry.office_id_of(office) == office.pk
    assert registry.office_id_of(factories.duty_record(office)) == office.pk
    assert registry.office_id_of(probation) == office.pk  # through staff__office_id
