"""Rendered PDFs kept for reuse: WeasyPrint takes 0.4 to 2 seconds of CPU for a county's award report
or the city summary, and the city asks for the same reports again and again while the data stays the
same.

A kept file is handed out only when everything that shaped it is unchanged:
- the year's data, by `fingerprint.data_fingerprint` (what the zip export already trusts);
- the date printed on it (a report says when it was made, so a new day makes a new file);
- the portal's report code, templates and template filters and the WeasyPrint version (an upgrade
  renders anew).

The files sit in a private folder beside the zips of the background export (shared by every app
server, like the evidence files). Each report keeps at most one file: writing a new one removes the
one it replaces, so the folder holds one PDF per county and one summary per year at most. A file is
written under a temporary name and renamed, so a reader never sees half of one."""

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import weasyprint
from django.conf import settings

from . import pdf
from .award import AwardReport
from .summary import CitySummary

logger = logging.getLogger(__name__)

REPORT_CODE = Path(__file__).resolve().parent


def cache_root() -> Path:
    """Beside the evidence folder, like the export zips; never served as static."""
    return Path(settings.EVIDENCE_ROOT).resolve().parent / "exports" / "pdf-cache"


@cache
def render_version() -> str:
    """A hash of what turns report data into a PDF: this package, the report templates, the
    portal's template filters (money, dates) and the WeasyPrint version. Read once per process; an
    upgrade restarts the processes."""
    digest = hashlib.sha256(weasyprint.__version__.encode())
    templates = Path(settings.BASE_DIR) / "templates" / "reports"
    filters = Path(settings.BASE_DIR) / "core" / "templatetags"
    for path in sorted([*REPORT_CODE.glob("*.py"), *templates.iterdir(), *filters.glob("*.py")]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cached_pdf(report: str, *, fingerprint: str, generated_on: date, render: Callable[[], bytes]) -> bytes:
    """The PDF of `report` (a file-name-safe name such as "award-2010-330402"), from the kept copy
    when the data fingerprint, the printed date and the renderer are the same; else `render()` it
    and keep the result in place of the older copy."""
    key = hashlib.sha256(f"{fingerprint}|{generated_on.isoformat()}|{render_version()}".encode()).hexdigest()
    root = cache_root()
    path = root / f"{report}.{key[:32]}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        logger.exception("could not read the kept PDF %s", path.name)
    content = render()
    try:
        _keep(root, report, path, content)
    except OSError:
        # A full or read-only disk costs the next request a render, never this one its answer.
        logger.exception("could not keep the rendered PDF %s", path.name)
    return content


def _keep(root: Path, report: str, path: Path, content: bytes) -> None:
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=root, prefix=f".{report}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    for older in root.glob(f"{report}.*.pdf"):
        if older != path:
            older.unlink(missing_ok=True)


def award_pdf(report: AwardReport, *, fingerprint: str) -> bytes:
    """A county's award report as PDF, kept per county and year."""
    return cached_pdf(
        f"award-{report.year}-{report.county.code}",
        fingerprint=fingerprint,
        generated_on=report.generated_on,
        render=lambda: pdf.award_pdf(report),
    )


def city_summary_pdf(summary: CitySummary, *, fingerprint: str) -> bytes:
    """The city summary as PDF, kept per year."""
    return cached_pdf(
        f"summary-{summary.year}",
        fingerprint=fingerprint,
        generated_on=summary.generated_on,
        render=lambda: pdf.city_summary_pdf(summary),
    )
