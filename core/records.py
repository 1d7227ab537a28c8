"""Writes on any record an office files: create, update with an edit-version check, delete.

Every app's services call these, so each write is atomic, validated, names its actor in the audit
history, and never silently overwrites a change someone else saved in the meantime."""

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.db import transaction
from django.db.models import F, Model

from core.models import TrackedModel


class StaleEdit(Exception):
    """The record changed since the form was shown; nothing was written."""

    def __init__(self, current: Model | None) -> None:
        super().__init__("此资料已被他人修改")
        self.current = current

    @property
    def last_change(self):
        if self.current is None:
            return None
        return self.current.history.select_related("history_user").order_by("-history_date").first()


@transaction.atomic
def record_save(
    *, actor: User | None, instance: TrackedModel, expected_version: int | None = None
) -> TrackedModel:
    """Validate and save a record. For an existing record, `expected_version` is the version the
    user's form was built from: if anybody saved in between, StaleEdit is raised and nothing changes."""
    instance.full_clean()
    if instance.pk is not None:
        if expected_version is None:
            raise ValueError("updating a record needs the version the form was built from")
        model = type(instance)
        # One conditional UPDATE claims the next version: it is atomic on every database, so of
        # two concurrent saves from the same version exactly one wins.
        claimed = model.objects.filter(pk=instance.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not claimed:
            raise StaleEdit(model.objects.filter(pk=instance.pk).first())
        instance.version = expected_version + 1
    instance._history_user = actor
    instance.save()
    return instance


@transaction.atomic
def record_delete(*, actor: User | None, instance: TrackedModel) -> None:
    """Delete a record; its history keeps the last values and who deleted it."""
    instance._history_user = actor
    instance.delete()
