"""Checking and restoring a backup: only into an empty installation, with the same migrations, after
the signature and every hash and count of the whole archive are verified, before anything is written;
all rows in one transaction, the files moved into place after it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from operations.backup.archive import (
    INSERT_BATCH_ROWS,
    BackupError,
    Manifest,
    _ArchiveReader,
    _decode,
    _FileMember,
    _TableMember,
)
from operations.backup.inventory import (
    _columns,
    applied_migrations,
    code_migrations,
    dumped_models,
    evidence_store_is_empty,
    migration_differences,
    nonempty_tables,
    table_row_counts,
)
from operations.backup.signing import SigningKey, check_signature, configured_keys


def _verify_whole(reader: _ArchiveReader, keys: list[SigningKey], allow_unsigned: bool) -> Manifest:
    """The signature first, then every member against the manifest, to the end of the archive."""
    check = check_signature(reader.raw_manifest, reader.signature, keys, allow_unsigned=allow_unsigned)
    for member in reader.members():
        if isinstance(member, _TableMember):
            deque(member.rows, maxlen=0)
        else:
            deque(member.chunks, maxlen=0)
    manifest = reader.manifest
    manifest.signed_by, manifest.signature_warning = check.signed_by, check.warning
    return manifest


def verify_backup(path: Path, *, allow_unsigned: bool = False) -> Manifest:
    """Read a whole archive and check its signature and every member against its manifest, touching
    nothing else. An archive without a verified signature is refused unless allow_unsigned."""
    keys = configured_keys()
    with _ArchiveReader(Path(path)) as reader:
        return _verify_whole(reader, keys, allow_unsigned)


# ---------------------------------------------------------------------------------------------------
# Restoring


def _check_schema_matches(manifest: Manifest, models: dict[str, type[Model]]) -> None:
    """With equal migrations the tables and columns are equal; a difference means a tampered manifest
    or a hand-edited schema, and the rows would not fit."""
    if set(manifest.tables) != set(models):
        extra = sorted(set(manifest.tables) - set(models))
        absent = sorted(set(models) - set(manifest.tables))
        raise BackupError(
            "备份中的数据表与当前程序不一致"
            + (f";当前程序没有:{'、'.join(extra)}" if extra else "")
            + (f";备份中缺少:{'、'.join(absent)}" if absent else "")
            + "。"
        )
    for table, model in models.items():
        expected = {f.attname for f in _columns(model)}
        if set(manifest.tables[table].columns) != expected:
            raise BackupError(f"备份中数据表 {table} 的字段与当前程序不一致,无法恢复。")


def _load_table(connection: BaseDatabaseWrapper, model: type[Model], member: _TableMember) -> None:
    by_attname = {f.attname: f for f in _columns(model)}
    fields = [by_attname[name] for name in member.entry.columns]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names come from the models, not the archive
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in member.rows:
            batch.append([_decode(f, row[f.attname], connection) for f in fields])
            if len(batch) >= INSERT_BATCH_ROWS:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _write_file(staging: Path, member: _FileMember) -> None:
    target = staging.joinpath(*PurePosixPath(member.name).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as handle:
        for chunk in member.chunks:
            handle.write(chunk)
    if settings.FILE_UPLOAD_PERMISSIONS is not None:
        os.chmod(target, settings.FILE_UPLOAD_PERMISSIONS)


def _move_into_place(staging: Path, root: Path) -> None:
    # shutil.move renames when it can (the staging folder is next to the evidence folder, so on the
    # same disk unless the evidence folder is a mount point of its own) and copies otherwise.
    if not root.exists():
        shutil.move(staging, root)
        return
    for folder, _dirnames, filenames in os.walk(staging):
        for name in filenames:
            source = Path(folder) / name
            target = root / source.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)


def restore_backup(
    path: Path,
    *,
    allow_unsigned: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Rebuild a fresh database and evidence folder from the archive `path`: all of it or nothing.

    First the whole archive is verified (format, manifest, signature, every member's hash and count)
    and the installation looked at (the same migrations, an empty database and evidence folder), all
    without writing anything: a refusal changes nothing, not even the schema of a new database. An
    archive without a verified signature is refused unless allow_unsigned. Then a database without
    tables is migrated, and the same open file is read a second time, checked again as it goes: the
    rows go in inside one transaction, with their original primary keys, and the files are moved into
    place only once that transaction has committed."""
    say = progress or (lambda message: None)
    connection = connections[using]
    # Resolved like the portal's other data folders (imports, exports), which sit beside its target.
    root = Path(settings.EVIDENCE_ROOT).resolve()
    path = Path(path)
    keys = configured_keys()
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。")
    try:
        # Opened once: the second reading is of the very file the first one verified.
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise BackupError(f"无法打开备份文件 {path}({error})。") from error
    with handle:
        say("正在校验备份文件(格式、清单、签名和每个成员的校验值)……")
        with _ArchiveReader(path, handle) as reader:
            manifest = _verify_whole(reader, keys, allow_unsigned)
            verified = reader.manifest_sha256
        models = {model._meta.db_table: model for model in dumped_models(using)}
        _check_target(manifest, models, root, using)

        handle.seek(0)
        with _ArchiveReader(path, handle) as reader:
            if reader.manifest_sha256 != verified:
                raise BackupError(f"备份文件 {path} 在校验期间被改动,拒绝恢复。")
            if applied_migrations(using) != code_migrations():
                say("数据库尚未建表或未迁移完,先执行 migrate……")
                call_command("migrate", database=using, interactive=False, verbosity=0)
            differences = migration_differences(manifest.migrations, applied_migrations(using), "目标数据库")
            if differences:
                raise BackupError("目标数据库已应用的迁移与备份不一致:\n  " + "\n  ".join(differences))
            _load(connection, reader, manifest, models, root, say)
    # The cache maps models to the content-type ids of before the restore.
    ContentType.objects.clear_cache()
    return manifest


def _check_target(manifest: Manifest, models: dict[str, type[Model]], root: Path, using: str) -> None:
    """Everything that can refuse a verified archive, before anything is written: the migrations, the
    tables and columns, an empty evidence folder and an empty database."""
    differences = migration_differences(manifest.migrations, code_migrations(), "当前程序")
    if differences:
        raise BackupError(
            f"备份的数据库结构版本(平台 {manifest.portal_version},备份于 {manifest.created_at})"
            "与当前程序不一致:\n  "
            + "\n  ".join(differences)
            + "\n请先用与备份相同版本的平台程序恢复,再升级到新版本并运行 python manage.py migrate。"
        )
    _check_schema_matches(manifest, models)
    if root.exists() and not root.is_dir():
        raise BackupError(f"证据目录 {root} 不是一个目录,拒绝恢复。")
    if not evidence_store_is_empty(root):
        raise BackupError(
            f"证据目录 {root} 中已有文件,拒绝恢复(以免覆盖现有证据)。请换一个空目录,"
            "或确认这些文件无用后清空它。"
        )
    filled = nonempty_tables(using)
    if filled:
        shown = "、".join(filled[:5]) + (f" 等 {len(filled)} 张表" if len(filled) > 5 else "")
        raise BackupError(
            f"数据库不是空的({shown} 中已有数据),拒绝恢复(以免覆盖现有数据)。请在新建的空数据库上恢复。"
        )


def _load(
    connection: BaseDatabaseWrapper,
    reader: _ArchiveReader,
    manifest: Manifest,
    models: dict[str, type[Model]],
    root: Path,
    say: Callable[[str], None],
) -> None:
    root.parent.mkdir(parents=True, exist_ok=True)
    # Next to the evidence folder, so that moving the files in is a rename on the same disk.
    staging_parent = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
    staging = staging_parent / "evidence"
    staging.mkdir()
    committed = moved = False
    try:
        say("正在载入数据并校验……")
        undone = "恢复已撤销:数据库中没有载入任何数据,证据目录中没有写入任何文件。"
        try:
            with transaction.atomic(using=connection.alias):
                _replace_all_rows(connection, manifest, models, reader, staging)
        except DatabaseError as error:
            raise BackupError(f"恢复失败({error})。{undone}") from error
        except BackupError as error:
            raise BackupError(f"{error}\n{undone}") from error
        committed = True
        try:
            _move_into_place(staging, root)
        except OSError as error:
            raise BackupError(
                f"数据库已恢复,但证据文件未能移入 {root}({error})。文件保留在 {staging},请手工移入该目录。"
            ) from error
        moved = True
    finally:
        # Kept only in the one case where it holds the sole copy of restored files.
        if moved or not committed:
            shutil.rmtree(staging_parent, ignore_errors=True)


def _replace_all_rows(
    connection: BaseDatabaseWrapper,
    manifest: Manifest,
    models: dict[str, type[Model]],
    reader: _ArchiveReader,
    staging: Path,
) -> None:
    """Inside the restore's transaction: swap the rows `migrate` seeded for the archive's."""
    quote = connection.ops.quote_name
    # Foreign keys are checked at commit (Django creates them deferrable, initially deferred), so the
    # order of deletes and inserts does not matter; check_constraints below reports a dangling one.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred is the default; an enclosing transaction may have changed it.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in models:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
    for member in reader.members():
        if isinstance(member, _TableMember):
            _load_table(connection, models[member.table], member)
        else:
            _write_file(staging, member)
    counts = table_row_counts(connection.alias)
    for table, entry in manifest.tables.items():
        if counts[table] != entry.rows:
            raise BackupError(
                f"数据表 {table} 载入后有 {counts[table]} 行,清单记为 {entry.rows} 行,已撤销恢复。"
            )
    connection.check_constraints()
    # New rows must get ids after the restored ones (PostgreSQL sequences do not follow inserts that
    # name their id; SQLite's do).
    statements = connection.ops.sequence_reset_sql(no_style(), list(models.values()))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
