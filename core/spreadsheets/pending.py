"""Uploads waiting for the user's confirmation: the rows read from the file, kept server-side in a
private folder (var/imports, beside the evidence files, never served) under a random token, with the
user, the kind of import and its target. Only that user, on that page, can preview or confirm it.

The uploaded file itself is not kept: only its rows, as text. An upload is abandoned after an hour
(settings.IMPORT_PENDING_SECONDS); every new upload deletes the abandoned ones, and so does the
`purge_imports` command, for a cron job."""

import contextlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser as User

from core.spreadsheets.columns import DataRow, Layout
from core.spreadsheets.limits import pending_root, pending_ttl_seconds

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass
class PendingUpload:
    token: str
    user_id: int
    kind: str
    target: str
    filename: str
    file_format: str
    created: float
    layout: Layout
    rows: list[DataRow]

    @property
    def expires_in_minutes(self) -> int:
        return max(0, int((self.created + pending_ttl_seconds() - time.time()) // 60))


def _path(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return pending_root() / f"{token}.json"


def pending_save(
    *,
    user: User,
    kind: str,
    target: str,
    filename: str,
    file_format: str,
    layout: Layout,
    rows: list[DataRow],
) -> str:
    """Keep an upload's rows until the user confirms or cancels; returns its token."""
    root = pending_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    pending_purge()
    token = secrets.token_urlsafe(24)
    keys = sorted(layout.letters)
    document = {
        "user": user.pk,
        "kind": kind,
        "target": target,
        "filename": filename[:200],
        "format": file_format,
        "created": time.time(),
        "header_row": layout.header_row,
        "letters": layout.letters,
        "ignored": layout.ignored,
        "keys": keys,
        "rows": [[row.number, [row.cells.get(k, "") for k in keys]] for row in rows],
    }
    path = root / f"{token}.json"
    # Written under a temporary name and renamed, so a reader never sees half a file.
    temporary = root / f".{token}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
    temporary.replace(path)
    return token


def pending_load(*, token: str, user: User, kind: str, target: str) -> PendingUpload | None:
    """The upload with this token if it is this user's, for this import, and not abandoned."""
    path = _path(token)
    if path is None or not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (document.get("user"), document.get("kind"), document.get("target")) != (user.pk, kind, target):
        return None
    if document["created"] + pending_ttl_seconds() < time.time():
        pending_delete(token)
        return None
    keys = document["keys"]
    return PendingUpload(
        token=token,
        user_id=document["user"],
        kind=kind,
        target=target,
        filename=document["filename"],
        file_format=document.get("format", ""),
        created=document["created"],
        layout=Layout(
            header_row=document["header_row"], letters=document["letters"], ignored=document["ignored"]
        ),
        rows=[DataRow(number=n, cells=dict(zip(keys, cells, strict=True))) for n, cells in document["rows"]],
    )


def pending_claim(token: str) -> bool:
    """Take an upload for confirmation: true for exactly one caller (a rename is atomic), so the
    same upload is never imported twice."""
    path = _path(token)
    if path is None:
        return False
    try:
        path.rename(path.with_suffix(".claimed"))
    except FileNotFoundError:
        return False
    return True


def pending_release(token: str) -> None:
    """Give a claimed upload back (the import was refused): the user may correct and retry."""
    path = _path(token)
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.with_suffix(".claimed").rename(path)


def pending_delete(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
        path.with_suffix(".claimed").unlink(missing_ok=True)


def pending_purge(*, older_than: float | None = None) -> int:
    """Delete uploads older than `older_than` seconds (default: the confirmation time); returns how
    many were deleted."""
    root = pending_root()
    if not root.is_dir():
        return 0
    limit = time.time() - (pending_ttl_seconds() if older_than is None else older_than)
    deleted = 0
    for path in root.iterdir():
        if not path.name.endswith((".json", ".tmp", ".claimed")):
            continue
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted
