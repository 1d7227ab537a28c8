"""What an installation holds, as a backup sees it: the tables it dumps, their row counts and hashes,
the evidence files, the migrations applied and the code's own, and whether it is still empty."""

from __future__ import annotations

import os
import stat
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Field, Model

from operations.backup.archive import BackupError, FileEntry, hash_file

# The tables a plain `migrate` fills: content types and permissions (post_migrate), the Jiaxing
# divisions, the 14 duties and the default 2010 catalog (data migrations). A database with rows in
# any other table has been used, and a restore would overwrite someone's work.
SEEDED_MODELS = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "offices.county",
        "offices.town",
        "offices.office",
        "duties.duty",
        "assessment.catalogversion",
        "assessment.catalogitem",
    }
)


# ---------------------------------------------------------------------------------------------------
# What is backed up


def dumped_models(using: str = DEFAULT_DB_ALIAS) -> list[type[Model]]:
    """One model per table the portal keeps in the database: every installed model, the automatic
    many-to-many tables included; proxies and unmanaged models have no table of their own to copy."""
    connection = connections[using]
    tables: dict[str, type[Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or not opts.can_migrate(connection):
            continue
        if not router.allow_migrate_model(using, model):
            continue
        tables.setdefault(opts.db_table, model)
    return list(tables.values())


def _columns(model: type[Model]) -> list[Field]:
    """The columns of the model's own table (a multi-table child's parent fields live in the parent's
    table, which is dumped on its own). Generated columns are computed by the database, not copied."""
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def nonempty_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables that hold rows a plain `migrate` would not have written (see SEEDED_MODELS).

    Only tables that exist are looked at, so a database without any schema yet counts as empty."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    found = []
    with connection.cursor() as cursor:
        for model in dumped_models(using):
            table = model._meta.db_table
            if model._meta.label_lower in SEEDED_MODELS or table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                found.append(table)
    return found


def database_is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database is as a plain `migrate` leaves it: no accounts, no records, no history,
    no logs, no sessions; only content types, permissions and the reference data."""
    return not nonempty_tables(using)


def evidence_files(root: Path | None = None) -> Iterator[Path]:
    """Every entry under the evidence folder that is not a directory, in a stable order."""
    root = Path(settings.EVIDENCE_ROOT) if root is None else root
    if not root.exists():
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(folder)
        for name in sorted(dirnames):
            # os.walk lists a link to a directory among the directories but does not enter it.
            if (base / name).is_symlink():
                yield base / name
        for name in sorted(filenames):
            yield base / name


def evidence_store_is_empty(root: Path | None = None) -> bool:
    """Whether the evidence folder is missing or holds no files (empty subfolders are allowed)."""
    return next(evidence_files(root), None) is None


def table_row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per dumped table, counted by the database."""
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        for model in dumped_models(using):
            table = model._meta.db_table
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


# ---------------------------------------------------------------------------------------------------
# Migration state: an archive fits the code whose migrations are exactly the ones applied when it
# was made. Rows are copied column by column, so any schema difference would lose or break data.


def code_migrations() -> dict[str, list[str]]:
    """The migrations this version of the portal has, per app: what a full `migrate` records."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    names: dict[str, list[str]] = defaultdict(list)
    for app_label, name in loader.disk_migrations:
        names[app_label].append(name)
    return {app_label: sorted(names[app_label]) for app_label in sorted(names)}


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The migrations recorded as applied in the database, per app, for the apps the code has (rows
    left behind by an app that was removed long ago say nothing about this version's schema)."""
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return {}
    known = set(code_migrations())
    names: dict[str, list[str]] = defaultdict(list)
    for app_label, name in recorder.applied_migrations():
        if app_label in known:
            names[app_label].append(name)
    return {app_label: sorted(names[app_label]) for app_label in sorted(names)}


def migration_differences(
    archive: dict[str, list[str]], other: dict[str, list[str]], other_label: str
) -> list[str]:
    """Per app, in Chinese, what the archive has that `other` lacks and the reverse."""
    lines = []
    for app_label in sorted(set(archive) | set(other)):
        mine, theirs = set(archive.get(app_label, [])), set(other.get(app_label, []))
        if mine == theirs:
            continue
        parts = []
        if mine - theirs:
            parts.append(f"备份中有而{other_label}没有:{'、'.join(sorted(mine - theirs))}")
        if theirs - mine:
            parts.append(f"{other_label}有而备份中没有:{'、'.join(sorted(theirs - mine))}")
        lines.append(f"应用 {app_label}:{';'.join(parts)}")
    return lines


def portal_version() -> str:
    """The version in pyproject.toml, kept in the manifest so people know which release to restore with."""
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "未知"


def _evidence_inventory(root: Path) -> dict[str, FileEntry]:
    inventory = {}
    for path in evidence_files(root):
        mode = path.lstat().st_mode
        if not stat.S_ISREG(mode):
            # The portal only ever writes plain files; a link could point anywhere and would not
            # come back the same, so a person should look at it rather than the backup guess.
            raise BackupError(
                f"证据目录中有链接或特殊文件 {path},备份不处理这类文件:请核实后移走,再重新备份。"
            )
        inventory[path.relative_to(root).as_posix()] = hash_file(path)
    return inventory
