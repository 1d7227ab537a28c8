"""The records a correction (更正) may change or add: each with the form its own edit page uses, the
fields that name a new one besides its office, and the scoring rules that read it (to mark the items
of a scoring sheet whose records were corrected).

A correction writes what the record's own form accepts, never a field the form does not show (the
office, the edit version) and never a file: the correction's own evidence is the proof."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import FileField, Model
from django.db.models.fields import Field

from assessment.choices import Rule
from core.forms import RecordForm
from core.registry import office_record
from duties.forms import DutyRecordForm, DutySheetEntryForm
from offices.forms import (
    BudgetForm,
    InternalCheckForm,
    OfficeProfileForm,
    PlanForm,
    PostedRuleForm,
    PremisesForm,
    YearFactsForm,
)
from staffing.forms import ProbationForm, StaffMemberForm

EMPTY = "—"


@dataclass(frozen=True)
class RecordKind:
    """One type of record a correction may change (and, when `addable`, add)."""

    label: str
    form: type[RecordForm]
    keys: tuple[str, ...] = ()  # fields naming a new record besides its office (year, kind, duty)
    addable: bool = True
    rules: tuple[str, ...] = ()  # the scoring rules that read this record

    @property
    def model(self) -> type[Model]:
        return self.form._meta.model

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name)

    def fields(self) -> list[str]:
        """The fields a correction may write: the record form's, without files."""
        opts = self.model._meta
        return [
            name
            for name in self.form._meta.fields
            if not isinstance(opts.get_field(name), FileField) and name != "version"
        ]

    def writable(self, *, adding: bool) -> set[str]:
        return set(self.fields()) | (set(self.keys) if adding else set())


KINDS: dict[str, RecordKind] = {
    kind.label: kind
    for kind in (
        RecordKind("offices.office", OfficeProfileForm, addable=False, rules=(Rule.SIGN, Rule.SEAL)),
        RecordKind("offices.officeyearfacts", YearFactsForm, keys=("year",), rules=(Rule.STAFFING,)),
        RecordKind(
            "offices.premises",
            PremisesForm,
            keys=("year",),
            rules=(Rule.PREMISES, Rule.EQUIPMENT, Rule.EMBLEM, Rule.IT),
        ),
        RecordKind("offices.postedrule", PostedRuleForm, keys=("year", "kind"), rules=(Rule.POSTED_RULE,)),
        RecordKind("offices.plan", PlanForm, keys=("year", "kind"), rules=(Rule.PLANS,)),
        RecordKind("offices.budget", BudgetForm, keys=("year",), rules=(Rule.BUDGET,)),
        RecordKind("offices.internalcheck", InternalCheckForm, rules=(Rule.INTERNAL_CHECKS,)),
        RecordKind("duties.dutysheetentry", DutySheetEntryForm, keys=("duty",), rules=(Rule.DUTY_SHEET,)),
        RecordKind("duties.dutyrecord", DutyRecordForm, rules=(Rule.DUTY_RECORDS,)),
        RecordKind(
            "staffing.staffmember",
            StaffMemberForm,
            rules=(Rule.STAFFING, Rule.CIVIL_SERVANT, Rule.TRAINING, Rule.PROBATION),
        ),
        RecordKind("staffing.directorprobation", ProbationForm, addable=False, rules=(Rule.PROBATION,)),
    )
}


def kind_of(label: str) -> RecordKind | None:
    return KINDS.get(label)


# -- values: as stored in a correction's `changes`, as shown, as written --------------------------------


def stored_value(value: Any) -> Any:
    """A form's cleaned value as JSON: dates as ISO strings, decimals as strings, records as ids."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [stored_value(v) for v in value]
    return value


def shown(obj: Model | None, field: Field) -> str:
    """A field of a record as a reader sees it: choices by their label, 是/否, list items by label."""
    if obj is None:
        return EMPTY
    value = getattr(obj, field.attname)
    if value is None or value == "" or value == []:
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        entry = office_record(obj._meta.label_lower)
        labels = entry.list_labels.get(field.name, {}) if entry is not None else {}
        return "、".join(str(labels.get(v, v)) for v in value) or EMPTY
    if field.is_relation:
        return str(getattr(obj, field.name))
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
        return f"{value:.{field.decimal_places}f}"
    return str(value)


def apply(obj: Model, changes: dict[str, dict[str, Any]]) -> Model:
    """Write the values of `changes` onto `obj` (in memory; the caller saves)."""
    opts = obj._meta
    for name, entry in changes.items():
        field = opts.get_field(name)
        setattr(obj, field.attname, field.to_python(entry["value"]))
        if field.is_relation and field.is_cached(obj):
            # Forget the related object loaded before, so it is read again for the new id.
            field.delete_cached_value(obj)
    return obj


def changes_between(before: Model | None, after: Model, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """{field: {label, before, after, value}} for the fields of `names` that differ (all of them for a
    record to add, `before` None): what a correction stores and shows."""
    opts = after._meta
    changes: dict[str, dict[str, Any]] = {}
    for name in names:
        field = opts.get_field(name)
        new = getattr(after, field.attname)
        if before is not None and getattr(before, field.attname) == new:
            continue
        changes[name] = {
            "label": str(field.verbose_name),
            "before": shown(before, field),
            "after": shown(after, field),
            "value": stored_value(new),
        }
    return changes
