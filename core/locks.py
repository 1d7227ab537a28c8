"""Locks on the records behind an approved or confirmed score.

Once a town's self-assessment is submitted, approved or confirmed, the records its score was read
from must not change: a score the county signed must stay the score of the records it saw. The rule is
enforced here, below every app, so that no path (a form, an import, a service, the shell) can write a
locked record, and the error is the same everywhere:

- each app declares in ``register_office_record(..., counts_in=...)`` which years a row counts in
  (``"year"``, ``"date"``, ``"record__date"``; a function for a staff member, who counts in every
  year in post; ``ALWAYS`` for a record without a year, such as the duty sheet) and, optionally, the
  only fields the standard reads (``scored_fields``);
- the assessment app, which knows the states, registers the *oracle* that names the locked
  (office, year) pairs;
- a pre-save and a pre-delete signal refuse any change whose footprint in a locked year differs;
  the spreadsheet import checks its rows in bulk before it writes; forms check before they save.

A correction (更正) writes through ``correcting()``, the one way past a lock, after it was approved.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.db.models.signals import pre_delete, pre_save

ALWAYS = 0  # the "year" of a record that counts in every year (it has no year of its own)
BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "created_by", "created_by_id"})

# (office ids, years) -> {(office id, year): why it is locked}; ALWAYS in years asks about the
# office's assessments still under review.
Oracle = Callable[[set[int], set[int]], dict[tuple[int, int], str]]
_oracle: list[Oracle] = []
_correcting: ContextVar[bool] = ContextVar("correcting", default=False)


class RecordLocked(ValidationError):
    """A write that would change a record of a locked year; nothing was written."""


def register_oracle(oracle: Oracle) -> None:
    """Called once by the app that knows which years are locked (the assessment)."""
    _oracle[:] = [oracle]


@contextmanager
def correcting() -> Iterator[None]:
    """Write past the locks: only an approved correction does this."""
    token = _correcting.set(True)
    try:
        yield
    finally:
        _correcting.reset(token)


# -- what a row counts in ---------------------------------------------------------------------------


def _follow(obj: Model, path: str) -> Any:
    value: Any = obj
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def years_of(obj: Model | None, counts_in) -> set[int]:
    """The years a row counts in, with its current values."""
    if obj is None:
        return set()
    if counts_in == ALWAYS:
        return {ALWAYS}
    if callable(counts_in):
        return set(counts_in(obj))
    value = _follow(obj, counts_in)
    if value is None:
        return set()
    return {value.year if isinstance(value, date) else int(value)}


def _fields(obj: Model, scored: tuple[str, ...] | None) -> tuple:
    if scored is None:
        scored = tuple(
            f.attname for f in obj._meta.concrete_fields if f.attname not in BOOKKEEPING and not f.primary_key
        )
    values = []
    for name in scored:
        value = getattr(obj, name, None)
        values.append(value.name if hasattr(value, "name") and hasattr(value, "storage") else value)
    return tuple(values)


def changed_years(old: Model | None, new: Model | None) -> set[int]:
    """The years in which the row, as the standard reads it, would differ after the write."""
    from core.registry import office_record_of

    entry = office_record_of(type(new if new is not None else old))
    if entry is None or entry.counts_in is None:
        return set()
    before, after = years_of(old, entry.counts_in), years_of(new, entry.counts_in)
    changed = before ^ after
    common = before & after
    if common and _fields(old, entry.scored_fields) != _fields(new, entry.scored_fields):
        changed |= common
    return changed


def problems(pairs: Iterable[tuple[Model | None, Model | None]]) -> list[str | None]:
    """For each (row before, row after) of a planned write, why it is refused, or None. One query to
    the oracle for all of them, however many there are (an import's rows)."""
    from core.registry import office_id_of

    pairs = list(pairs)
    if _correcting.get() or not _oracle:
        return [None] * len(pairs)
    wanted: list[tuple[set[int], set[int]]] = []
    offices: set[int] = set()
    years: set[int] = set()
    for old, new in pairs:
        changed = changed_years(old, new)
        ids = {i for i in (office_id_of(old) if old else None, office_id_of(new) if new else None) if i}
        wanted.append((ids, changed))
        if changed:
            offices |= ids
            years |= changed
    locked = _oracle[0](offices, years) if offices and years else {}
    answers: list[str | None] = []
    for ids, changed in wanted:
        reason = None
        for office_id in sorted(ids):
            for year in sorted(changed):
                reason = reason or locked.get((office_id, year))
        answers.append(reason)
    return answers


def locked_years(office_id: int, years: Iterable[int]) -> dict[int, str]:
    """{year: why it is locked} for the years of `years` in which the office's records are locked,
    for a list that shows or filters them: one query (the oracle's), none without an oracle."""
    years = {y for y in years if y != ALWAYS}
    if not _oracle or not years:
        return {}
    return {year: why for (_, year), why in _oracle[0]({office_id}, years).items()}


def check(old: Model | None, new: Model | None) -> None:
    """Raise RecordLocked if writing `new` over `old` (None: created or deleted) touches a locked year."""
    reason = problems([(old, new)])[0]
    if reason:
        raise RecordLocked(reason)


def stored(obj: Model) -> Model | None:
    """The row as the database holds it now (None for a new row)."""
    if obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


# -- the guards: every save and delete of a registered record ------------------------------------------


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or _correcting.get():  # loaddata and restore write what was, corrections are approved
        return
    check(stored(instance), instance)


def _before_delete(sender, instance, **kwargs) -> None:
    if _correcting.get():
        return
    check(instance, None)


def guard(model: type[Model]) -> None:
    """Connect the guards for a model that counts in the years of a score (the registry calls it)."""
    uid = f"core.locks:{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid, weak=False)
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid, weak=False)
