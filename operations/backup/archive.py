"""The backup archive's format: a gzip-compressed tar with `manifest.json` first, `db/<table>.jsonl`
and `evidence/<path>` (see docs/backup.md), its manifest, how values are written and read back, and
the readers and writers that hash every byte on the way."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import tarfile
import uuid
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, JSONField
from django.template.defaultfilters import filesizeformat
from django.utils.duration import duration_iso_string

FORMAT_NAME = "jiaxing-minzheng-backup"


# 2: the manifest may be followed by its signature, `manifest.sig` (signing.py); 1 had none.
FORMAT_VERSION = 2


MANIFEST_NAME = "manifest.json"


SIGNATURE_NAME = "manifest.sig"  # the second member when the archive is signed


SIGNATURE_MAX_BYTES = 4096


DB_PREFIX = "db/"


DB_SUFFIX = ".jsonl"


EVIDENCE_PREFIX = "evidence/"


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
    # Not part of the JSON: the id of the key that signed the archive (writing) or whose signature was
    # verified (reading), "" when there was none; and, for an archive let through by --allow-unsigned,
    # why its signature was not verified.
    signed_by: str = field(default="", compare=False)
    signature_warning: str = field(default="", compare=False)

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


def hash_file(path: Path) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(size=size, sha256=digest.hexdigest())


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
    goes: names, types, sizes, row counts and hashes. A problem anywhere raises BackupError.

    It reads the manifest and, when there is one, its signature (`raw_manifest`, `signature`); checking
    the signature is the caller's (signing.py). Given an open `handle`, it reads from it (from where
    the handle stands) and leaves it open: a restore reads the same open file twice."""

    def __init__(self, path: Path, handle: IO[bytes] | None = None) -> None:
        self.path = path
        if handle is None and not path.is_file():
            raise BackupError(f"找不到备份文件 {path}。")
        with self._guard():
            # Closed by close(): the reader outlives this method.
            if handle is None:
                self._tar = tarfile.open(path, mode="r|gz")  # noqa: SIM115
            else:
                self._tar = tarfile.open(fileobj=handle, mode="r|gz")  # noqa: SIM115
        self._pending: list[tarfile.TarInfo | None] = []  # a member read ahead, not yet handed out
        self.signature: bytes | None = None
        try:
            with self._guard():
                first = self._tar.next()
                if first is None or first.name != MANIFEST_NAME or not first.isreg():
                    raise BackupError("这不是本平台生成的备份文件(开头没有 manifest.json)。")
                if first.size > MANIFEST_MAX_BYTES:
                    raise BackupError("备份清单 manifest.json 大得不合常理,备份文件已损坏。")
                self.raw_manifest = self._read_small(first)
            self.manifest = Manifest.from_json(self.raw_manifest)
            with self._guard():
                second = self._tar.next()
                if second is not None and second.name == SIGNATURE_NAME:
                    if not second.isreg() or second.size > SIGNATURE_MAX_BYTES:
                        raise BackupError(
                            f"备份文件的签名 {SIGNATURE_NAME} 格式不对,备份文件已损坏或被改动,拒绝处理。"
                        )
                    self.signature = self._read_small(second)
                else:
                    self._pending.append(second)
        except BaseException:
            self._tar.close()
            raise

    def _read_small(self, member: tarfile.TarInfo) -> bytes:
        handle = self._tar.extractfile(member)
        assert handle is not None  # noqa: S101 - a regular member always has contents
        return handle.read()

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.raw_manifest).hexdigest()

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
            if self._pending:
                member = self._pending.pop()
            else:
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
