"""Writing a backup: every table from one consistent read and every evidence file, into an archive
written atomically (a temporary name, fsync, rename) with mode 0600."""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.utils import timezone

from operations.backup.archive import (
    DB_PREFIX,
    DB_SUFFIX,
    EVIDENCE_PREFIX,
    MANIFEST_NAME,
    READ_CHUNK_ROWS,
    SIGNATURE_NAME,
    BackupError,
    FileEntry,
    Manifest,
    TableEntry,
    _encode,
    _HashingWriter,
    _tar_info,
    _VerifyingReader,
)
from operations.backup.inventory import (
    _columns,
    _evidence_inventory,
    applied_migrations,
    dumped_models,
    portal_version,
)
from operations.backup.signing import configured_keys, sign


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One read transaction over the whole dump, so the tables agree with each other even while the
    portal is in use. PostgreSQL needs REPEATABLE READ for that (READ COMMITTED sees each statement's
    own moment); SQLite keeps one snapshot per transaction anyway."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _dump_table(model: type[Model], using: str, dest: Path) -> TableEntry:
    fields = _columns(model)
    attnames = [f.attname for f in fields]
    rows = 0
    queryset = model._base_manager.db_manager(using).order_by("pk").values_list(*attnames)
    with open(dest, "wb") as handle:
        out = _HashingWriter(handle)
        # Streamed from a server-side cursor where there is one: a table is never held in memory.
        for values in queryset.iterator(chunk_size=READ_CHUNK_ROWS):
            row = {name: _encode(f, v) for name, f, v in zip(attnames, fields, values, strict=True)}
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
            rows += 1
    return TableEntry(
        model=model._meta.label_lower,
        columns=tuple(attnames),
        rows=rows,
        size=out.size,
        sha256=out.digest.hexdigest(),
    )


def _add_member(archive: tarfile.TarFile, name: str, source: Path, entry: FileEntry, mtime: float) -> None:
    """Copy a file into the archive, refusing one that changed since it was hashed for the manifest."""
    with open(source, "rb") as handle:
        if os.fstat(handle.fileno()).st_size != entry.size:
            raise BackupError(f"文件 {source} 在备份过程中被修改,请稍后重新备份。")
        reader = _VerifyingReader(handle)
        archive.addfile(_tar_info(name, entry.size, mtime), reader)  # type: ignore[arg-type]
        if reader.digest.hexdigest() != entry.sha256:
            raise BackupError(f"文件 {source} 在备份过程中被修改,请稍后重新备份。")


def write_backup(path: Path, *, overwrite: bool = False, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Write the whole database and every evidence file to the archive `path`.

    The archive is built next to `path` and renamed into place once complete, so a file under that
    name is always a whole backup. It holds personal data and password hashes: it is created readable
    by its owner only. With a key file configured (BACKUP_SIGNING_KEY_FILE) the manifest is signed
    with its first key; without one the archive is unsigned (`signed_by` is "")."""
    path = Path(path).absolute()
    # A key file that is configured but unusable stops the backup before any work.
    keys = configured_keys()
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在,无法写入备份文件。")
    if path.exists() and not overwrite:
        raise BackupError(f"文件 {path} 已存在,不会覆盖(需要覆盖时加 --force)。")
    connection = connections[using]
    root = Path(settings.EVIDENCE_ROOT)
    try:
        with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=path.parent) as work_dir:
            work = Path(work_dir)
            (work / "db").mkdir()
            tables: dict[str, TableEntry] = {}
            with _snapshot(using):
                migrations = applied_migrations(using)
                for model in dumped_models(using):
                    table = model._meta.db_table
                    tables[table] = _dump_table(model, using, work / "db" / f"{table}{DB_SUFFIX}")
            # After the database: a file uploaded meanwhile is kept without its row, which is harmless;
            # the other order could keep a row whose file is missing.
            files = _evidence_inventory(root)
            now = timezone.now()
            manifest = Manifest(
                created_at=timezone.localtime(now).isoformat(timespec="seconds"),
                portal_version=portal_version(),
                django_version=django.get_version(),
                database_vendor=connection.vendor,
                migrations=migrations,
                tables=tables,
                files=files,
            )
            partial = work / "archive.partial"
            mtime = now.timestamp()
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(
                    fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT
                ) as archive:
                    data = manifest.to_json()
                    archive.addfile(_tar_info(MANIFEST_NAME, len(data), mtime), io.BytesIO(data))
                    if keys:
                        signature = sign(data, keys[0])
                        info = _tar_info(SIGNATURE_NAME, len(signature), mtime)
                        archive.addfile(info, io.BytesIO(signature))
                        manifest.signed_by = keys[0].key_id
                    for table, entry in tables.items():
                        source = work / "db" / f"{table}{DB_SUFFIX}"
                        member = f"{DB_PREFIX}{table}{DB_SUFFIX}"
                        _add_member(archive, member, source, FileEntry(entry.size, entry.sha256), mtime)
                    for name, entry in files.items():
                        _add_member(archive, f"{EVIDENCE_PREFIX}{name}", root / name, entry, mtime)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
            _fsync_directory(path.parent)
    except OSError as error:
        raise BackupError(f"写入备份失败:{error}。未生成备份文件 {path}。") from error
    return manifest


def _fsync_directory(folder: Path) -> None:
    # The rename itself must survive a power cut, not only the file's contents.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
