"""Backup and restore of the whole portal: every table of the database and every evidence file, in one
archive (`manage.py backup`, `manage.py restore`; see docs/backup.md).

The archive is a gzip-compressed tar:

- `manifest.json`, always the first member: the format version, when and from what it was made
  (portal and Django versions, database vendor), the migrations applied per app, and for every table
  its columns, row count, size and sha256, for every evidence file its size and sha256;
- `db/<table>.jsonl`: one JSON object per row, keyed by the column's attribute name, in primary-key
  order. Values are written by type (dates and times in ISO 8601 with their offset, decimals as
  strings, bytes in base64) and read back through the field, so a row comes back exactly, whichever
  database it left;
- `evidence/<path>`: the files under EVIDENCE_ROOT, by their path relative to it.

A restore only ever fills a fresh, empty database and evidence folder, and writes all or nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
import tempfile
import tomllib
import uuid
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Field, JSONField, Model
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT_NAME = "jiaxing-minzheng-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DB_PREFIX = "db/"
DB_SUFFIX = ".jsonl"
EVIDENCE_PREFIX = "evidence/"

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

READ_CHUNK_ROWS = 2000  # rows fetched per round trip while dumping
INSERT_BATCH_ROWS = 1000  # rows per executemany while loading
COPY_CHUNK_BYTES = 1024 * 1024
# The manifest is read into memory; a real one holds about 150 bytes per evidence file.
MANIFEST_MAX_BYTES = 256 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message (in Chinese) says why and what to do."""


@dataclass(frozen=True)
class TableEntry:
    """What the manifest says about one table's member."""

    model: str
    columns: tuple[str, ...]
    rows: int
    size: int
    sha256: str


@dataclass(frozen=True)
class FileEntry:
    """What the manifest says about one evidence file."""

    size: int
    sha256: str


@dataclass
class Manifest:
    """The table of contents of an archive, and what it takes to restore it."""

    created_at: str
    portal_version: str
    django_version: str
    database_vendor: str
    migrations: dict[str, list[str]]
    tables: dict[str, TableEntry]
    files: dict[str, FileEntry]
    format_version: int = FORMAT_VERSION

    @property
    def total_rows(self) -> int:
        return sum(entry.rows for entry in self.tables.values())

    @property
    def total_file_bytes(self) -> int:
        return sum(entry.size for entry in self.files.values())

    def summary(self) -> str:
        """One line in Chinese: what the archive holds."""
        return (
            f"数据表 {len(self.tables)} 张,共 {self.total_rows} 行;"
            f"证据文件 {len(self.files)} 个,共 {filesizeformat(self.total_file_bytes)}"
        )

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "created_at": self.created_at,
            "portal_version": self.portal_version,
            "django_version": self.django_version,
            "database_vendor": self.database_vendor,
            "migrations": self.migrations,
            "tables": {
                name: {
                    "model": e.model,
                    "columns": list(e.columns),
                    "rows": e.rows,
                    "size": e.size,
                    "sha256": e.sha256,
                }
                for name, e in self.tables.items()
            },
            "files": {name: {"size": e.size, "sha256": e.sha256} for name, e in self.files.items()},
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse and check a manifest; anything malformed is refused rather than half understood."""
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise BackupError("备份清单 manifest.json 不是有效的 JSON,备份文件已损坏。") from error
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise BackupError("这不是本平台生成的备份文件(清单中没有本平台的格式标记)。")
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"备份文件的格式版本为 {version},当前程序只认识第 {FORMAT_VERSION} 版及以前的格式:"
                "请用生成该备份的平台版本(或更新的版本)恢复。"
            )
        try:
            manifest = cls(
                format_version=version,
                created_at=str(data["created_at"]),
                portal_version=str(data["portal_version"]),
                django_version=str(data["django_version"]),
                database_vendor=str(data["database_vendor"]),
                migrations={
                    str(app): [str(name) for name in names] for app, names in data["migrations"].items()
                },
                tables={
                    str(name): TableEntry(
                        model=str(e["model"]),
                        columns=tuple(str(c) for c in e["columns"]),
                        rows=_count(e["rows"]),
                        size=_count(e["size"]),
                        sha256=_digest(e["sha256"]),
                    )
                    for name, e in data["tables"].items()
                },
                files={
                    str(name): FileEntry(size=_count(e["size"]), sha256=_digest(e["sha256"]))
                    for name, e in data["files"].items()
                },
            )
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise BackupError("备份清单 manifest.json 内容不完整或格式不对,备份文件已损坏。") from error
        for name in manifest.files:
            # The names decide where files are written: refuse any that could leave the folder.
            _safe_relative_path(name)
        return manifest


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(value)
    return value


def _digest(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ValueError(value)
    return value


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


# ---------------------------------------------------------------------------------------------------
# Row encoding


def _encode(field_: Field, value: Any) -> Any:
    """A column value as JSON; the field's to_python reads every one of these forms back."""
    if value is None or isinstance(field_, JSONField):
        return value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(
        f"字段 {field_.model._meta.db_table}.{field_.column} 的值类型 {type(value).__name__} 无法备份。"
    )


def _decode(field_: Field, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """A JSON value from the archive as the database parameter the field would write."""
    if value is None:
        if isinstance(field_, JSONField) and not field_.null:
            # A NOT NULL JSON column can only have held JSON null, which reads back as None too.
            return connection.ops.adapt_json_value(None, field_.encoder)
        return None
    try:
        python = field_.to_python(value)
    except ValidationError as error:
        raise BackupError(
            f"数据表 {field_.model._meta.db_table} 的字段 {field_.column} 有无法识别的值,备份文件已损坏。"
        ) from error
    return field_.get_db_prep_save(python, connection)


# ---------------------------------------------------------------------------------------------------
# Writing


class _HashingWriter:
    """Writes through to a file while counting bytes and computing the sha256."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)


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


def _hash_file(path: Path) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(size=size, sha256=digest.hexdigest())


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
        inventory[path.relative_to(root).as_posix()] = _hash_file(path)
    return inventory


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o640
    info.type = tarfile.REGTYPE
    return info


class _VerifyingReader:
    """Reads a file for the archive and checks it is still what was hashed for the manifest."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


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
    by its owner only."""
    path = Path(path).absolute()
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


# ---------------------------------------------------------------------------------------------------
# Reading


def _safe_relative_path(name: str) -> PurePosixPath:
    """A member's path below its folder, or a refusal: nothing may be written outside the target."""
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(f"备份文件中有不安全的路径 {name!r}(绝对路径或含 ..),拒绝处理。")
    return path


@dataclass
class _TableMember:
    table: str
    entry: TableEntry
    rows: Iterator[dict[str, Any]]


@dataclass
class _FileMember:
    name: str
    entry: FileEntry
    chunks: Iterator[bytes]


class _ArchiveReader:
    """Reads an archive in one pass, front to back, checking every member against the manifest as it
    goes: names, types, sizes, row counts and hashes. A problem anywhere raises BackupError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise BackupError(f"找不到备份文件 {path}。")
        with self._guard():
            # Closed by close(): the reader outlives this method.
            self._tar = tarfile.open(path, mode="r|gz")  # noqa: SIM115
        try:
            with self._guard():
                first = self._tar.next()
                if first is None or first.name != MANIFEST_NAME or not first.isreg():
                    raise BackupError("这不是本平台生成的备份文件(开头没有 manifest.json)。")
                if first.size > MANIFEST_MAX_BYTES:
                    raise BackupError("备份清单 manifest.json 大得不合常理,备份文件已损坏。")
                handle = self._tar.extractfile(first)
                assert handle is not None  # noqa: S101 - a regular member always has contents
                raw = handle.read()
            self.manifest = Manifest.from_json(raw)
        except BaseException:
            self._tar.close()
            raise

    def close(self) -> None:
        self._tar.close()

    def __enter__(self) -> _ArchiveReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise BackupError(f"备份文件 {self.path} 不完整或已损坏,无法读取({error})。") from error

    def members(self) -> Iterator[_TableMember | _FileMember]:
        """Every member after the manifest; each must be consumed before the next is asked for."""
        seen_tables: set[str] = set()
        seen_files: set[str] = set()
        while True:
            with self._guard():
                member = self._tar.next()
            if member is None:
                break
            name = member.name
            _safe_relative_path(name)
            if not member.isreg():
                raise BackupError(f"备份文件中有链接、设备或目录成员 {name!r},拒绝处理。")
            if name.startswith(DB_PREFIX) and name.endswith(DB_SUFFIX):
                table = name[len(DB_PREFIX) : -len(DB_SUFFIX)]
                entry = self.manifest.tables.get(table)
                if entry is None or table in seen_tables:
                    raise BackupError(f"备份文件中的成员 {name!r} 不在清单中或重复出现,备份文件已被改动。")
                seen_tables.add(table)
                rows = self._rows(member, table, entry)
                yield _TableMember(table, entry, rows)
                deque(rows, maxlen=0)  # an unread rest is still checked
            elif name.startswith(EVIDENCE_PREFIX):
                relative = _safe_relative_path(name[len(EVIDENCE_PREFIX) :]).as_posix()
                file_entry = self.manifest.files.get(relative)
                if file_entry is None or relative in seen_files:
                    raise BackupError(f"备份文件中的成员 {name!r} 不在清单中或重复出现,备份文件已被改动。")
                if member.size != file_entry.size:
                    raise BackupError(f"证据文件 {relative} 的大小与清单不符,备份文件已被改动或损坏。")
                seen_files.add(relative)
                chunks = self._chunks(member, relative, file_entry)
                yield _FileMember(relative, file_entry, chunks)
                deque(chunks, maxlen=0)
            else:
                raise BackupError(f"备份文件中有不认识的成员 {name!r},拒绝处理。")
        missing = sorted(set(self.manifest.tables) - seen_tables) + sorted(
            set(self.manifest.files) - seen_files
        )
        if missing:
            shown = "、".join(missing[:5]) + (" 等" if len(missing) > 5 else "")
            raise BackupError(f"备份文件不完整:清单中的 {len(missing)} 项不在文件里({shown})。")

    def _rows(self, member: tarfile.TarInfo, table: str, entry: TableEntry) -> Iterator[dict[str, Any]]:
        expected = set(entry.columns)
        digest = hashlib.sha256()
        count = 0
        with self._guard():
            handle = self._tar.extractfile(member)
            assert handle is not None  # noqa: S101
            for line in handle:
                digest.update(line)
                count += 1
                if count > entry.rows:
                    raise BackupError(
                        f"数据表 {table} 的行数多于清单所记的 {entry.rows} 行,备份文件已被改动。"
                    )
                try:
                    row = json.loads(line)
                except ValueError as error:
                    raise BackupError(
                        f"数据表 {table} 第 {count} 行不是有效的 JSON,备份文件已损坏。"
                    ) from error
                if not isinstance(row, dict) or set(row) != expected:
                    raise BackupError(f"数据表 {table} 第 {count} 行的字段与清单不符,备份文件已损坏。")
                yield row
        if digest.hexdigest() != entry.sha256:
            raise BackupError(f"数据表 {table} 的内容与清单的校验值不符,备份文件已被改动或损坏。")
        if count != entry.rows:
            raise BackupError(
                f"数据表 {table} 有 {count} 行,清单记为 {entry.rows} 行,备份文件已被改动或损坏。"
            )

    def _chunks(self, member: tarfile.TarInfo, name: str, entry: FileEntry) -> Iterator[bytes]:
        digest = hashlib.sha256()
        with self._guard():
            handle = self._tar.extractfile(member)
            assert handle is not None  # noqa: S101
            while chunk := handle.read(COPY_CHUNK_BYTES):
                digest.update(chunk)
                yield chunk
        if digest.hexdigest() != entry.sha256:
            raise BackupError(f"证据文件 {name} 与清单的校验值不符,备份文件已被改动或损坏。")


def verify_backup(path: Path) -> Manifest:
    """Read a whole archive and check every member against its manifest, touching nothing else."""
    with _ArchiveReader(Path(path)) as reader:
        for member in reader.members():
            if isinstance(member, _TableMember):
                deque(member.rows, maxlen=0)
            else:
                deque(member.chunks, maxlen=0)
        return reader.manifest


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
    path: Path, *, using: str = DEFAULT_DB_ALIAS, progress: Callable[[str], None] | None = None
) -> Manifest:
    """Rebuild a fresh database and evidence folder from the archive `path`: all of it or nothing.

    Refuses a database or evidence folder that is not empty, and an archive made with other
    migrations than this version's. A database without tables is migrated first. Every row and file
    is checked against the manifest; the rows go in inside one transaction, with their original
    primary keys, and the files are moved into place only once that transaction has committed."""
    say = progress or (lambda message: None)
    connection = connections[using]
    # Resolved like the portal's other data folders (imports, exports), which sit beside its target.
    root = Path(settings.EVIDENCE_ROOT).resolve()
    with _ArchiveReader(Path(path)) as reader:
        manifest = reader.manifest
        differences = migration_differences(manifest.migrations, code_migrations(), "当前程序")
        if differences:
            raise BackupError(
                f"备份的数据库结构版本(平台 {manifest.portal_version},备份于 {manifest.created_at})"
                "与当前程序不一致:\n  "
                + "\n  ".join(differences)
                + "\n请先用与备份相同版本的平台程序恢复,再升级到新版本并运行 python manage.py migrate。"
            )
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
        if applied_migrations(using) != code_migrations():
            say("数据库尚未建表或未迁移完,先执行 migrate……")
            call_command("migrate", database=using, interactive=False, verbosity=0)
        differences = migration_differences(manifest.migrations, applied_migrations(using), "目标数据库")
        if differences:
            raise BackupError("目标数据库已应用的迁移与备份不一致:\n  " + "\n  ".join(differences))

        models = {model._meta.db_table: model for model in dumped_models(using)}
        _check_schema_matches(manifest, models)

        root.parent.mkdir(parents=True, exist_ok=True)
        # Next to the evidence folder, so that moving the files in is a rename on the same disk.
        staging_parent = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
        staging = staging_parent / "evidence"
        staging.mkdir()
        committed = moved = False
        try:
            say("正在载入数据并校验……")
            undone = "恢复已撤销:数据库仍是空的,证据目录中没有写入任何文件。"
            try:
                with transaction.atomic(using=using):
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
                    f"数据库已恢复,但证据文件未能移入 {root}({error})。文件保留在 {staging},"
                    "请手工移入该目录。"
                ) from error
            moved = True
        finally:
            # Kept only in the one case where it holds the sole copy of restored files.
            if moved or not committed:
                shutil.rmtree(staging_parent, ignore_errors=True)
    # The cache maps models to the content-type ids of before the restore.
    ContentType.objects.clear_cache()
    return manifest


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
