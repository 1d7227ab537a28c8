"""Backup and restore of the whole portal: every table of the database and every evidence file, in one
archive (`manage.py backup`, `manage.py restore`; see docs/backup.md).

The archive is a gzip-compressed tar:

- `manifest.json`, always the first member: the format version, when and from what it was made
  (portal and Django versions, database vendor), the migrations applied per app, and for every table
  its columns, row count, size and sha256, for every evidence file its size and sha256;
- `manifest.sig`, the second member when the archive is signed: an HMAC-SHA256 of the manifest's
  bytes with a key kept apart from the archives (BACKUP_SIGNING_KEY_FILE);
- `db/<table>.jsonl`: one JSON object per row, keyed by the column's attribute name, in primary-key
  order. Values are written by type (dates and times in ISO 8601 with their offset, decimals as
  strings, bytes in base64) and read back through the field, so a row comes back exactly, whichever
  database it left;
- `evidence/<path>`: the files under EVIDENCE_ROOT, by their path relative to it.

A restore verifies the whole archive and its signature before it writes anything, only ever fills a
fresh, empty database and evidence folder, and writes all or nothing.

The package: `archive.py` (the format, the manifest, hashing readers and writers), `signing.py` (the
key file, signing and checking the signature), `inventory.py` (what an installation holds),
`writing.py` (`write_backup`), `restoring.py` (`verify_backup`, `restore_backup`). What the commands
and tests use is named here.
"""

from .archive import BackupError, Manifest
from .inventory import (
    SEEDED_MODELS,
    code_migrations,
    database_is_empty,
    dumped_models,
    evidence_store_is_empty,
    migration_differences,
    nonempty_tables,
)
from .restoring import restore_backup, verify_backup
from .writing import write_backup

__all__ = [
    "SEEDED_MODELS",
    "BackupError",
    "Manifest",
    "code_migrations",
    "database_is_empty",
    "dumped_models",
    "evidence_store_is_empty",
    "migration_differences",
    "nonempty_tables",
    "restore_backup",
    "verify_backup",
    "write_backup",
]
