"""Writes of any office's record that needs nothing beyond a plain save or delete: the scope check of
the permission door, then the edit-version guard of core.records. Apps with more to do on a write
(duties, staffing) have services of their own, which begin with the same check."""

from django.db import transaction
from django.db.models import Model

from core.records import record_delete, record_save

from .models import User
from .permissions import Action, require


@transaction.atomic
def office_record_save(*, actor: User | None, instance: Model, expected_version: int | None = None) -> Model:
    """Save a record of an office the actor may file for (StaleEdit if someone saved in between)."""
    require(actor, Action.FILE, instance)
    return record_save(actor=actor, instance=instance, expected_version=expected_version)


@transaction.atomic
def office_record_delete(*, actor: User | None, instance: Model) -> None:
    """Delete a record of an office the actor may file for; its history names the actor."""
    require(actor, Action.FILE, instance)
    record_delete(actor=actor, instance=instance)
