"""Reads of the audit trail (django-simple-history): one object's versions with what changed, and an
office's activity across all its records. Each is a fixed number of queries, whatever the length."""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, FileField, Model, QuerySet, Value

from . import registry

HIDDEN_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "version",
    "created_at",
    "updated_at",
    "history_user_id",
}
TYPE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}


def _list_labels(model: type[Model]) -> dict[str, dict[str, str]]:
    """Labels for checklist fields stored as lists of keys, so a diff reads 计算机, not computer."""
    entry = registry.office_record_of(model)
    return entry.list_labels if entry is not None else {}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Version:
    date: Any
    kind: str
    user: Model | None
    changes: list[FieldChange]
    snapshot: Model

    @property
    def created(self) -> bool:
        """The version that created the object (its changes have no "before")."""
        return self.kind == TYPE_LABELS["+"]


def _display(record: Model, field, related: dict, file_fields: frozenset[str] = frozenset()) -> str:
    value = getattr(record, field.attname)
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        labels = _list_labels(record.instance_type).get(field.name, {})
        return "、".join(labels.get(v, str(v)) for v in value) or "—"
    if field.name in file_fields:
        # History keeps the stored path, which means nothing to a reader.
        return f"已上传文件(…{str(value)[-8:]})"
    if field.is_relation:
        return str(related.get((field.related_model, value), value))
    return str(value)


def _related_objects(rows: list[Model], fields: list) -> dict:
    """Every object the versions point at, one query per related model, for readable names."""
    related = {}
    for field in fields:
        if not field.is_relation:
            continue
        ids = {getattr(r, field.attname) for r in rows} - {None}
        for pk, obj in field.related_model._default_manager.in_bulk(ids).items():
            related[(field.related_model, pk)] = obj
    return related


def tracked_model(label: str) -> type[Model] | None:
    """The model of an office's record whose history the portal shows, by its label."""
    entry = registry.office_record(label)
    if entry is None or not entry.history:
        return None
    return apps.get_model(label)


def office_id_of_history(model: type[Model], pk: int) -> int | None:
    """The office an object belongs (or belonged, if deleted) to, from its newest history row."""
    entry = registry.office_record_of(model)
    path = entry.history_office_field
    row = model.history.filter(id=pk).order_by("-history_date").values(path).first()
    if row is None:
        return None
    if entry.history_parent is not None:
        return office_id_of_history(apps.get_model(entry.history_parent[1]), row[path])
    return row[path]


def _history_of_office(entry: registry.OfficeRecordType, office: Model) -> QuerySet:
    model = apps.get_model(entry.label)
    path = entry.history_office_field
    if entry.history_parent is not None:
        parent = apps.get_model(entry.history_parent[1])
        parents = parent.history.filter(office_id=office.pk).values("id")
        return model.history.filter(**{f"{path}__in": parents})
    return model.history.filter(**{path: office.pk})


def object_versions(model: type[Model], pk: int) -> list[Version]:
    """Every version of one object, newest first, with the fields that changed from the one before."""
    rows = list(
        model.history.filter(id=pk).select_related("history_user").order_by("history_date", "history_id")
    )
    # The office never changes under a record and is named on the page: leave it out of the diff.
    fields = [
        f
        for f in model.history.model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and f.name not in ("id", "office")
    ]
    related = _related_objects(rows, fields)
    file_fields = frozenset(f.name for f in model._meta.concrete_fields if isinstance(f, FileField))
    versions: list[Version] = []
    previous = None
    for row in rows:
        changes = []
        for field in fields:
            after = _display(row, field, related, file_fields)
            before = _display(previous, field, related, file_fields) if previous is not None else "—"
            if previous is None and row.history_type == "+" and after != "—":
                changes.append(FieldChange(str(field.verbose_name), "—", after))
            elif previous is not None and before != after:
                changes.append(FieldChange(str(field.verbose_name), before, after))
        versions.append(
            Version(
                row.history_date,
                TYPE_LABELS.get(row.history_type, row.history_type),
                row.history_user,
                changes,
                row,
            )
        )
        previous = row
    versions.reverse()
    return versions


def office_activity(office: Model, *, page: int | str | None = 1, per_page: int = 30) -> Page:
    """Every create, change and delete on the office and its records, newest first: one UNION query
    for the page and one for the count."""
    parts: list[QuerySet] = []
    for entry in registry.office_records():
        if not entry.history:
            continue
        parts.append(
            _history_of_office(entry, office)
            .annotate(
                model_label=Value(entry.label, output_field=CharField()),
                object_id=F("id"),
                user_id=F("history_user_id"),
                hid=F("history_id"),
            )
            .values("hid", "history_date", "history_type", "model_label", "object_id", "user_id")
            .order_by()
        )
    union = parts[0].union(*parts[1:], all=True).order_by("-history_date")
    paginated = Paginator(union, per_page).get_page(page)
    rows = list(paginated.object_list)
    users = get_user_model().objects.in_bulk({r["user_id"] for r in rows if r["user_id"]})
    # Current objects by model, for their names: at most one query per tracked model.
    objects: dict[str, dict] = {}
    for label in {r["model_label"] for r in rows}:
        ids = {r["object_id"] for r in rows if r["model_label"] == label}
        model = apps.get_model(label)
        # Names of records mention their office or duty: fetch those in the same query.
        joins = [f.name for f in model._meta.concrete_fields if f.many_to_one and f.name != "created_by"]
        objects[label] = model._default_manager.select_related(*joins).in_bulk(ids)
    for row in rows:
        model = apps.get_model(row["model_label"])
        row["model_name"] = model._meta.verbose_name
        row["kind"] = TYPE_LABELS.get(row["history_type"], row["history_type"])
        row["user"] = users.get(row["user_id"])
        current = objects[row["model_label"]].get(row["object_id"])
        row["title"] = str(current) if current is not None else "(已删除)"
    paginated.object_list = rows
    return paginated
