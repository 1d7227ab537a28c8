"""Benchmark: score every office of a Zhejiang-sized province (1,365 towns) for one year.

    .venv/bin/python bench/bench_scoring.py

Target (issue 6): under 10 seconds, with a number of SQL queries that does not grow with the number
of offices. Prints the figures recorded in docs/performance.md."""

from scale import build_province, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assessment.models import CatalogVersion  # noqa: E402
from assessment.standard import scoring  # noqa: E402
from offices.models import Office  # noqa: E402

results: dict[str, float] = {}
with timed("build the province", results):
    count = build_province(2010)
catalog = CatalogVersion.objects.get(year=2010)

few = list(Office.objects.select_related("town")[:10])
with CaptureQueriesContext(connection) as small:
    scoring.score_offices(few, catalog, 2010)
everyone = list(Office.objects.select_related("town"))
with CaptureQueriesContext(connection) as large, timed("score every office", results):
    scores = scoring.score_offices(everyone, catalog, 2010)

items = sum(len(v) for v in scores.values())
print(f"offices: {count}, item scores computed: {items}")
print(f"build the province: {results['build the province']:.1f} s")
print(f"score every office: {results['score every office']:.2f} s")
print(f"SQL queries: {len(small.captured_queries)} for 10 offices, {len(large.captured_queries)} for {count}")
assert len(large.captured_queries) == len(small.captured_queries), "query count grows with the offices"
assert results["score every office"] < 10, "over the 10-second target"

# Opening the year writes what scoring computed: 1,365 assessments and their item scores.
from assessment.catalog import services as catalog_services  # noqa: E402
from assessment.workflow import services as workflow_services  # noqa: E402
from portal.choices import Role  # noqa: E402
from portal.models import User  # noqa: E402

city = User.objects.create(username="bench_city", role=Role.CITY)
programme = catalog_services.programme_create(actor=city, name="三年行动", start_year=2010)
with CaptureQueriesContext(connection) as opening, timed("open the year", results):
    workflow_services.year_open(actor=city, programme=programme, catalog=catalog)
print(
    f"open the year (create and score {count} assessments): {results['open the year']:.2f} s, "
    f"{len(opening.captured_queries)} SQL queries"
)
