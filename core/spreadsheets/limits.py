"""Bounds on what an upload may cost: each can be changed in settings (``SPREADSHEET_*``), none is
needed by a real office's file, and every one is hit long before a hostile file can tie up a worker.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # the uploaded file
    max_data_rows: int  # rows that hold data
    max_scanned_rows: int  # rows read in all, empty and title rows included
    max_columns: int
    max_uncompressed: int  # XLSX: sum of the declared sizes of the zip members
    max_member_ratio: int  # XLSX: uncompressed ÷ compressed size of one large member
    max_members: int  # XLSX: number of zip members
    max_seconds: float  # wall clock for reading one file
    header_scan_rows: int  # how far down the header row is looked for


def limits() -> Limits:
    def get(name: str, default):
        return getattr(settings, name, default)

    data_rows = get("SPREADSHEET_MAX_ROWS", 20_000)
    return Limits(
        max_bytes=get("SPREADSHEET_MAX_BYTES", 5 * MB),
        max_data_rows=data_rows,
        max_scanned_rows=data_rows + get("SPREADSHEET_SPARE_ROWS", 5_000),
        max_columns=get("SPREADSHEET_MAX_COLUMNS", 50),
        max_uncompressed=get("SPREADSHEET_MAX_UNCOMPRESSED", 64 * MB),
        max_member_ratio=get("SPREADSHEET_MAX_RATIO", 100),
        max_members=get("SPREADSHEET_MAX_MEMBERS", 500),
        max_seconds=get("SPREADSHEET_MAX_SECONDS", 30.0),
        header_scan_rows=20,
    )


def pending_root() -> Path:
    """Where uploads wait for confirmation: private, beside the evidence folder (var/imports)."""
    configured = getattr(settings, "IMPORT_ROOT", None)
    return Path(configured) if configured else Path(settings.EVIDENCE_ROOT).parent / "imports"


def pending_ttl_seconds() -> int:
    """An upload not confirmed within this time is abandoned and deleted."""
    return getattr(settings, "IMPORT_PENDING_SECONDS", 3600)
