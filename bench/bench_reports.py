"""Benchmark: the award-subsidy reports at Zhejiang's size.

    .venv/bin/python bench/bench_reports.py

Builds a Zhejiang-sized province (90 counties, 1,365 towns; see scale.py), grows one county to 100
towns, confirms a year with believable results, sets the subsidy standard and the counties'
matching, and times:

- the county award report (以奖代补资金汇总表) of the 100-town county: data, PDF, XLSX;
- the city summary of the 90 counties: data, PDF (with its chart), XLSX;
- the zip of every county's report (what the background job does).

Target (the issue): the county PDF under 3 seconds. Prints the figures recorded in
docs/performance.md."""

import subprocess
import tempfile
from pathlib import Path

from scale import build_province, confirm_believably, set_award_subsidies, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessment.catalog import services as catalog_services  # noqa: E402
from assessment.models import CatalogVersion  # noqa: E402
from assessment.reports import (  # noqa: E402
    award,
    cache,
    jobs,
    pdf,
    summary,
    xlsx,
)
from assessment.subsidies import amounts  # noqa: E402
from assessment.subsidies import services as subsidies_services  # noqa: E402
from assessment.workflow import services as workflow_services  # noqa: E402
from offices.models import County, Office, Town  # noqa: E402
from portal.choices import Role  # noqa: E402
from portal.models import User  # noqa: E402

BIG = 100
results: dict[str, float] = {}

with timed("build the province", results):
    build_province(2010)
    # Grow the county with the most towns to 100 (Zhejiang's largest has about 30).
    county = max(County.objects.all(), key=lambda c: c.towns.count())
    have = county.towns.count()
    Town.objects.bulk_create(
        Town(county=county, code=f"{county.code}9{i:02d}", name=f"基准测试{i}镇", kind="镇")
        for i in range(BIG - have)
    )
    Office.objects.bulk_create(
        Office(town=t, name=f"{t.name}民政办公室")
        for t in Town.objects.filter(county=county, office__isnull=True)
    )

city = User.objects.create(username="bench_city", role=Role.CITY)
programme = catalog_services.programme_create(actor=city, name="规范化建设三年行动", start_year=2010)
with timed("open the year", results):
    year = workflow_services.year_open(
        actor=city, programme=programme, catalog=CatalogVersion.objects.get(year=2010)
    )

confirm_believably(year, seed=2010)

with timed("set the standard and matchings, compute payments", results):
    set_award_subsidies(city, programme)
refresh_again = subsidies_services.payments_refresh(programme=programme, actor=city)
assert refresh_again.changed == 0

out = Path(tempfile.mkdtemp(prefix="bench-reports-"))


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


# Warm up WeasyPrint and the font (the first PDF of a process loads fontconfig and the CJK font).
pdf.award_pdf(award.award_report(County.objects.exclude(pk=county.pk).first(), 2010))

with CaptureQueriesContext(connection) as county_queries, timed("county report: data", results):
    report = award.award_report(county, 2010)
with timed("county report: PDF", results):
    county_pdf = pdf.award_pdf(report)
with timed("county report: XLSX", results):
    county_xlsx = xlsx.award_xlsx(report)
(out / "county.pdf").write_bytes(county_pdf)

with CaptureQueriesContext(connection) as city_queries, timed("city summary: data", results):
    city_report = summary.city_summary(2010)
with timed("city summary: PDF", results):
    city_pdf = pdf.city_summary_pdf(city_report)
with timed("city summary: XLSX", results):
    city_xlsx = xlsx.city_summary_xlsx(city_report)
(out / "city.pdf").write_bytes(city_pdf)

job, _ = jobs.export_start(actor=city, year=2010)
with timed("zip of every county", results):
    jobs.run_export(job.pk)

# What a download asks for after the zip (or an earlier download) with unchanged data: the
# fingerprint, the report's data and the kept file instead of WeasyPrint.
with CaptureQueriesContext(connection) as kept_queries, timed("county report: kept PDF", results):
    fingerprint = jobs.data_fingerprint(2010)
    kept_pdf = cache.award_pdf(award.award_report(county, 2010), fingerprint=fingerprint)
assert kept_pdf.startswith(b"%PDF")

r = results
n_county, n_city = len(county_queries.captured_queries), len(city_queries.captured_queries)
print(f"province: {County.objects.count()} counties, {Office.objects.count()} towns")
print(f"build the province: {r['build the province']:.1f} s; open the year: {r['open the year']:.1f} s")
payments = len(amounts.ledger(programme))
print(
    f"standard, matchings, {payments} payments: {r['set the standard and matchings, compute payments']:.2f} s"
)
print(
    f"county report of {county.name} ({len(report.rows)} towns): data {r['county report: data']:.2f} s "
    f"({n_county} SQL queries), PDF {r['county report: PDF']:.2f} s ({pages(out / 'county.pdf')} pages, "
    f"{len(county_pdf) // 1024} KB), XLSX {r['county report: XLSX']:.2f} s ({len(county_xlsx) // 1024} KB)"
)
print(
    f"city summary ({len(city_report.rows)} counties): data {r['city summary: data']:.2f} s "
    f"({n_city} SQL queries), PDF {r['city summary: PDF']:.2f} s ({pages(out / 'city.pdf')} pages, "
    f"{len(city_pdf) // 1024} KB), XLSX {r['city summary: XLSX']:.2f} s ({len(city_xlsx) // 1024} KB)"
)
print(f"zip of every county's report (PDF and XLSX) and the summary: {r['zip of every county']:.1f} s")
print(
    f"county PDF again with unchanged data (kept file): {r['county report: kept PDF']:.3f} s "
    f"({len(kept_queries.captured_queries)} SQL queries)"
)
county_total = r["county report: data"] + r["county report: PDF"]
print(f"county PDF from the database to bytes: {county_total:.2f} s (target: under 3 s)")
assert county_total < 3, "the county PDF is over the 3-second target"
