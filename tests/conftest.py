"""Shared fixtures. The reference data (7 counties, 72 towns and offices, 14 duties) comes from the
migrations, so every test database has the real Jiaxing divisions."""

import os
import re
from pathlib import Path

import pytest

from tests import factories

# The SQLite test database's file (jiaxing_minzheng/settings.py): named by the pid of its run.
_TEST_DATABASE = re.compile(r"jiaxing-test-(\d+)\.sqlite3")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Django deletes the SQLite test file after a run, but not after a run that was killed: remove
    the files (with their -wal and -shm) of runs whose process is gone, so /dev/shm never fills up."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" or not name:
        return
    for path in Path(name).parent.glob("jiaxing-test-*"):
        found = _TEST_DATABASE.match(path.name)
        if found and not _alive(int(found[1])):
            path.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Fast hashing and a private evidence folder per test; nothing touches the developer's files.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.AXES_ENABLED = True


@pytest.fixture
def world(db):
    """The cast of the permission matrix: three towns (A and B in one county, C in another) with
    their users, the two counties' inspectors, the city bureau and an administrator."""
    return factories.World.build()


@pytest.fixture(scope="module")
def seeded_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, seeded once for a whole test module inside a transaction that is rolled back
    afterwards (seeding takes some 20 seconds: once per module, not once per test). Tests using it
    also take the `db` fixture, which nests in this transaction."""
    from django.db import transaction
    from django.test import override_settings

    from operations.demo_data import seed_demo_city

    evidence = tmp_path_factory.mktemp("demo-evidence")
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers, EVIDENCE_ROOT=evidence):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed_demo_city()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
