"""Shared fixtures. The reference data (7 counties, 72 towns and offices, 14 duties) comes from the
migrations, so every test database has the real Jiaxing divisions."""

import pytest

from tests import factories


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
