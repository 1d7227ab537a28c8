"""The system checks of operations/checks.py, as `manage.py check` runs them before every deploy."""

import pytest

from operations.checks import audit_retention, backups_are_signed


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_production_without_a_backup_key_is_warned(settings):
    settings.DEBUG = False
    settings.BACKUP_SIGNING_KEY_FILE = ""
    [warning] = backups_are_signed(None)
    assert warning.id == "operations.W001"
    assert "unsigned" in warning.msg and "BACKUP_SIGNING_KEY_FILE" in warning.hint


def test_development_without_a_backup_key_is_not_warned(settings):
    settings.DEBUG = True
    settings.BACKUP_SIGNING_KEY_FILE = ""
    assert backups_are_signed(None) == []


def test_a_usable_key_file_satisfies_the_check(settings, tmp_path):
    key = tmp_path / "backup.key"
    key.write_text("# signing key\n" + "a1" * 32 + "\n")
    settings.DEBUG = False
    settings.BACKUP_SIGNING_KEY_FILE = str(key)
    assert backups_are_signed(None) == []


@pytest.mark.parametrize("content", [None, "", "short\n"])
def test_a_key_file_that_cannot_be_used_is_an_error_at_deploy_time(settings, tmp_path, content):
    key = tmp_path / "backup.key"
    if content is not None:
        key.write_text(content)
    settings.BACKUP_SIGNING_KEY_FILE = str(key)
    for debug in (True, False):
        settings.DEBUG = debug
        assert ids(backups_are_signed(None)) == ["operations.E002"]


def test_audit_retention_below_the_minimum_is_an_error(settings):
    settings.AUDIT_RETENTION_DAYS = settings.AUDIT_MIN_RETENTION_DAYS - 1
    assert ids(audit_retention(None)) == ["portal.E001"]
    settings.AUDIT_RETENTION_DAYS = settings.AUDIT_MIN_RETENTION_DAYS
    assert audit_retention(None) == []
