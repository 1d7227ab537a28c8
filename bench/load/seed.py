"""Seed the load test's database: Zhejiang at full size, a working day in November.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaxing_load \\
        .venv/bin/python bench/load/seed.py --accounts bench/load/out/accounts.json

Builds on bench/scale.py (90 counties, 1,365 towns, a year of records per office, five staff each)
and adds what the simulated people need:

- accounts: one per office (town staff), one per county (inspector) and a few for the city, all
  with one password, made through the portal's own service (`user_create`, which binds the object
  permissions) with one precomputed hash;
- the assessment: a programme, last year opened and confirmed with results, the award standard and
  every county's matching (so the city's reports have content), and this year opened, with one town
  in three still writing its self-assessment (draft) and the others submitted for the county's
  scoring;
- a JSON file naming the accounts and towns each kind of simulated user works on, in a fixed
  shuffled order, so that 50 users spread over many counties and never edit the same record.

Writes go in bulk where the portal itself would write one row at a time, so seeding takes about a
minute or two on PostgreSQL."""

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scale import build_province, confirm_believably, set_award_subsidies, setup_django

PASSWORD = "load-test-2026"  # noqa: S105 - a throw-away database on the loopback interface
CITY_ACCOUNTS = 5
# One town in this many keeps its self-assessment open (draft); the others wait for the county.
DRAFT_EVERY = 3


def working_year(today: dt.date) -> int:
    """The year the offices are working on: this one, once its records (dated 1 June) are past."""
    return today.year if today >= dt.date(today.year, 6, 2) else today.year - 1


def make_accounts() -> dict[str, list]:
    """One account per office, per county, and a few for the city, through the portal's service."""
    from django.contrib.auth.hashers import make_password

    from offices.models import County, Office
    from portal.account_services import user_create
    from portal.choices import Role
    from portal.models import User

    User.objects.filter(username__startswith="load_").delete()
    password_hash = make_password(PASSWORD)
    city = [f"load_city_{i}" for i in range(1, CITY_ACCOUNTS + 1)]
    for username in city:
        user_create(
            actor=None,
            username=username,
            password=None,
            password_hash=password_hash,
            role=Role.CITY,
            full_name="市民政局基层政权处",
        )
    for county in County.objects.order_by("code"):
        user_create(
            actor=None,
            username=f"load_county_{county.code}",
            password=None,
            password_hash=password_hash,
            role=Role.COUNTY,
            full_name=f"{county.name}民政局考核组",
            county=county,
        )
    for office in Office.objects.select_related("town").order_by("town__code"):
        user_create(
            actor=None,
            username=f"load_town_{office.town.code}",
            password=None,
            password_hash=password_hash,
            role=Role.TOWN,
            full_name=f"{office.town.name}民政办",
            office=office,
        )
    return {"city": city}


def open_years(year: int) -> None:
    """Last year confirmed with results and the award subsidies set; this year open, one town in
    three drafting its self-assessment and the others submitted to their county."""

    from assessment.catalog import services as catalog_services
    from assessment.choices import AssessmentState
    from assessment.models import Assessment, CatalogVersion
    from assessment.workflow import services as workflow_services
    from portal.models import User

    city = User.objects.get(username="load_city_1")
    programme = catalog_services.programme_create(
        actor=city, name=f"规范化建设三年行动({year - 1}—{year + 1}年)", start_year=year - 1
    )
    source = CatalogVersion.objects.get(year=2010)
    last = workflow_services.year_open(
        actor=city,
        programme=programme,
        catalog=catalog_services.catalog_copy(actor=city, source=source, year=year - 1),
    )
    confirm_believably(last, seed=year)  # last year's results
    set_award_subsidies(city, programme)

    current = workflow_services.year_open(
        actor=city,
        programme=programme,
        catalog=catalog_services.catalog_copy(actor=city, source=source, year=year),
        self_assessment_due=dt.date(year, 10, 31),
        county_due=dt.date(year, 12, 15),
    )
    ordered = list(current.assessments.order_by("office__town__code").values_list("pk", flat=True))
    submitted = [pk for i, pk in enumerate(ordered) if i % DRAFT_EVERY]
    Assessment.objects.filter(pk__in=submitted).update(
        state=AssessmentState.SUBMITTED, self_note=f"{year}年度自评已完成,相关台账资料已上传。"
    )


def plan(year: int, city: list[str]) -> dict:
    """Who the simulated users are: draft towns for town staff, counties with submitted towns for the
    inspectors, in a fixed shuffled order so consecutive users land in different counties."""
    from assessment.choices import AssessmentState
    from assessment.models import Assessment

    rows = Assessment.objects.filter(assessment_year__year=year).values_list(
        "office__town__code", "office__town__county__code", "state"
    )
    towns, counties = [], {}
    for town, county, state in rows:
        if state == AssessmentState.DRAFT:
            towns.append(town)
        else:
            counties.setdefault(county, []).append(town)
    rng = random.Random(2026)
    towns.sort()
    rng.shuffle(towns)
    county_list = [{"code": code, "submitted": sorted(codes)} for code, codes in sorted(counties.items())]
    rng.shuffle(county_list)
    return {
        "password": PASSWORD,
        "year": year,
        "last_year": year - 1,
        "towns": [{"username": f"load_town_{code}", "town": code} for code in towns],
        "counties": [{"username": f"load_county_{c['code']}", **c} for c in county_list],
        "city": [{"username": name} for name in city],
        "all_counties": sorted(counties),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=Path, required=True, help="where to write the accounts JSON")
    parser.add_argument("--year", type=int, default=None, help="the working year (default: this year)")
    args = parser.parse_args()

    setup_django()
    from django.db import connection, transaction

    from duties.models import DutyRecord
    from offices.models import Office
    from portal.models import User
    from staffing.models import StaffMember

    year = args.year or working_year(dt.datetime.now(dt.UTC).date())
    started = time.perf_counter()
    with transaction.atomic():
        offices = build_province(year)
    print(f"province: {offices} offices, {time.perf_counter() - started:.0f} s", flush=True)
    step = time.perf_counter()
    with transaction.atomic():
        accounts = make_accounts()
    print(f"accounts: {User.objects.count()}, {time.perf_counter() - step:.0f} s", flush=True)
    step = time.perf_counter()
    with transaction.atomic():
        open_years(year)
    print(f"assessment years {year - 1} (confirmed) and {year} (open): {time.perf_counter() - step:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    data = plan(year, accounts["city"])
    args.accounts.parent.mkdir(parents=True, exist_ok=True)
    args.accounts.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: {Office.objects.count()} offices, "
        f"{StaffMember.objects.count()} staff, {DutyRecord.objects.count()} duty records, "
        f"{len(data['towns'])} draft towns, {len(data['counties'])} counties; accounts in {args.accounts}"
    )


if __name__ == "__main__":
    main()
