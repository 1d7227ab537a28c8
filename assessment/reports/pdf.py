"""PDF formatters: a report's dataclass rendered through a Django template (so every user text is
escaped) and WeasyPrint, on A4 with the title, issuing unit and date in the page margins, "第 N 页
共 M 页" at the foot, table headers repeated on every page, and Chinese text in Noto Sans CJK SC
(embedded, subset). The renderer may load nothing but the portal's static files (see fetcher)."""

import logging

from django.template.loader import render_to_string
from weasyprint import HTML

from .award import AwardReport
from .common import ISSUER, cn_date
from .fetcher import ORIGIN, StaticOnlyFetcher
from .sheet import ScoringSheet
from .summary import CitySummary

PDF_TYPE = "application/pdf"

# WeasyPrint announces every rendering step at INFO; only failures (a refused resource) belong in
# the portal's log.
for _name in ("weasyprint", "weasyprint.progress"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def render_pdf(template: str, context: dict, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render a report template to PDF bytes with the static-only fetcher."""
    html = render_to_string(template, {"issuer": ISSUER, **context})
    document = HTML(string=html, base_url=ORIGIN, url_fetcher=fetcher or StaticOnlyFetcher())
    return document.write_pdf()


def award_pdf(report: AwardReport, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    context = {"report": report, "generated": cn_date(report.generated_on)}
    return render_pdf("reports/award_report.html", context, fetcher=fetcher)


def city_summary_pdf(summary: CitySummary, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    context = {"report": summary, "generated": cn_date(summary.generated_on), "charts": summary.charts()}
    return render_pdf("reports/city_summary.html", context, fetcher=fetcher)


def scoring_sheet_pdf(sheet: ScoringSheet, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    context = {
        "report": sheet,
        "generated": cn_date(sheet.generated_on),
        "visit": cn_date(sheet.assessment.visit_date),
    }
    return render_pdf("reports/scoring_sheet.html", context, fetcher=fetcher)
