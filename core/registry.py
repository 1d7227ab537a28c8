"""What the apps tell the ground floor about themselves, so the ground floor never imports them.

Each app registers, in its ``AppConfig.ready()``, the records it keeps for an office: how a record
reaches its office, which of its file fields hold evidence, and whether its history is shown. The
history pages, the evidence downloads and the permission door read these answers from here; before,
each kept a list of its own, and the three lists drifted apart.

The offices app also registers the two models access is scoped by (an office and its county), so the
permission door can build its queries without importing the app above it.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Model


@dataclass(frozen=True)
class OfficeRecordType:
    """How one model of an app belongs to an office.

    ``office`` is the ORM path from a row to its office's id (``"office_id"``, ``"record__office_id"``;
    ``"id"`` for the office itself). A record whose parent may be deleted before it (an attachment of a
    duty record) names that parent in ``history_parent``: its history finds the office through the
    parent's history, as the parent row itself may be gone.
    """

    label: str
    office: str = "office_id"
    evidence: tuple[str, ...] = ()
    history: bool = True
    history_parent: tuple[str, str] | None = None  # (field on this model, label of the parent)
    list_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # The years a row counts in for a score (core/locks.py): a path to a year or a date, a function of
    # the row, or locks.ALWAYS; None for a record no score reads. `scored_fields`: the only fields
    # the standard reads (None: every field).
    counts_in: str | int | Callable[[Model], Iterable[int]] | None = None
    scored_fields: tuple[str, ...] | None = None

    @property
    def history_office_field(self) -> str:
        """The field of a history row that leads to the office (directly or through the parent)."""
        if self.history_parent is not None:
            return self.history_parent[0]
        return self.office


@dataclass
class Scope:
    """The models access is scoped by: every record reaches an office, every office a county."""

    office: type[Model] | None = None
    county: type[Model] | None = None


_records: dict[str, OfficeRecordType] = {}
scope = Scope()


def register_office_record(model: type[Model], **options) -> None:
    """Declare that `model` is kept for an office (called from the owning app's ready())."""
    label = model._meta.label_lower
    _records[label] = OfficeRecordType(label=label, **options)
    if options.get("counts_in") is not None:
        from core.locks import guard

        guard(model)


def register_scope(*, office: type[Model], county: type[Model]) -> None:
    scope.office = office
    scope.county = county


def office_record(label: str) -> OfficeRecordType | None:
    """The registration of a model by its label (``"duties.dutyrecord"``), or None."""
    return _records.get(label)


def office_record_of(model: type[Model]) -> OfficeRecordType | None:
    return _records.get(model._meta.label_lower)


def office_records() -> Iterator[OfficeRecordType]:
    """Every registered record type, in the order the apps registered them."""
    return iter(_records.values())


def office_id_of(obj: Model) -> int | None:
    """The id of the office a record belongs to, following its registered path (None: not an
    office's record). Costs a query only when the path crosses a relation not loaded yet."""
    entry = office_record_of(type(obj))
    if entry is None:
        return getattr(obj, "office_id", None)
    value = obj
    *relations, last = entry.office.split("__")
    for name in relations:
        value = getattr(value, name, None)
        if value is None:
            return None
    return getattr(value, last, None)
