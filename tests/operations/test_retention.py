"""The audit trail is kept at least 180 days: prune_history deletes only what is older."""

import datetime as dt

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.utils import timezone

from offices.models import Budget
from operations.retention import RetentionError, history_models, prune_audit_trail
from portal.choices import SecurityEventKind
from portal.models import SecurityEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _age_history(obj, days: int) -> None:
    obj.history.update(history_date=timezone.now() - dt.timedelta(days=days))


def _event(days: int) -> SecurityEvent:
    event = SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN, username="town_a")
    SecurityEvent.objects.filter(pk=event.pk).update(at=timezone.now() - dt.timedelta(days=days))
    return event


def test_history_models_are_the_audit_tables():
    labels = {model._meta.label for model in history_models()}
    assert {"offices.HistoricalBudget", "duties.HistoricalDutyRecord", "portal.HistoricalUser"} <= labels
    assert all(label.split(".")[1].startswith("Historical") for label in labels)


def test_prune_deletes_only_rows_older_than_the_period(world):
    old = factories.budget(world.office_a, 2010)
    recent = factories.budget(world.office_b, 2010)
    recent.guaranteed_funds += 1
    recent.save()
    _age_history(old, 400)
    _age_history(recent, 179)
    old_event, recent_event = _event(400), _event(179)

    result = prune_audit_trail(365)

    assert not old.history.exists()
    assert recent.history.count() == 2
    assert list(SecurityEvent.objects.filter(pk__in=[old_event.pk, recent_event.pk])) == [recent_event]
    assert result.deleted[str(Budget.history.model._meta.verbose_name)] == 1
    assert result.deleted[str(SecurityEvent._meta.verbose_name)] == 1
    # The records themselves stay.
    assert Budget.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2


def test_exactly_the_minimum_is_kept(world):
    budget = factories.budget(world.office_a, 2010)
    _age_history(budget, 181)
    newer = factories.budget(world.office_b, 2010)
    _age_history(newer, 179)
    prune_audit_trail(180)
    assert not budget.history.exists() and newer.history.exists()


def test_less_than_180_days_is_refused_and_nothing_is_deleted(world):
    budget = factories.budget(world.office_a, 2010)
    _age_history(budget, 400)
    with pytest.raises(RetentionError, match="至少保留 180 天"):
        prune_audit_trail(179)
    with pytest.raises(CommandError, match="至少保留 180 天"):
        call_command("prune_history", "--days", "30")
    assert budget.history.count() == 1


def test_dry_run_counts_and_deletes_nothing(world, capsys):
    budget = factories.budget(world.office_a, 2010)
    _age_history(budget, 400)
    call_command("prune_history", "--days", "365", "--dry-run")
    out = capsys.readouterr().out
    assert "将删除" in out and "共 1 条" in out
    assert budget.history.count() == 1


def test_the_command_uses_the_configured_period(world, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 200
    budget = factories.budget(world.office_a, 2010)
    _age_history(budget, 250)
    call_command("prune_history")
    assert "保留 200 天:已删除" in capsys.readouterr().out
    assert not budget.history.exists()


def test_a_period_below_the_minimum_fails_the_system_check(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    assert [e.id for e in run_checks() if e.id.startswith("portal.")] == ["portal.E001"]
    settings.AUDIT_RETENTION_DAYS = 180
    assert not [e.id for e in run_checks() if e.id.startswith("portal.")]
