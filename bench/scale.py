"""Shared set-up of the benchmarks: a throw-away SQLite database (or the DATABASE_URL given), and a
Zhejiang-sized province built from the real division table (fixtures/zhejiang_divisions.csv:
90 counties, 1,365 towns) with a year of believable records per office, written in bulk."""

import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    """Point Django at a fresh temporary SQLite file unless BENCH_DATABASE_URL is set, then migrate."""
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="bench-")
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    # Its own evidence folder, and with it its own exports and kept PDFs (never an earlier run's).
    os.environ.setdefault("EVIDENCE_ROOT", f"{folder}/evidence")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxing_minzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


@contextmanager
def timed(label: str, results: dict):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start


def build_province(year: int = 2010) -> int:
    """Replace the Jiaxing divisions by Zhejiang's and give every office a year of records; returns
    the number of offices."""
    from duties.models import Duty, DutyRecord, DutySheetEntry
    from offices.models import (
        Budget,
        County,
        InternalCheck,
        Office,
        OfficeYearFacts,
        Plan,
        PostedRule,
        Premises,
        Town,
    )
    from staffing.models import StaffMember, TrainingAttendance, TrainingEvent

    rows = list(csv.DictReader((ROOT / "fixtures" / "zhejiang_divisions.csv").open(encoding="utf-8")))
    Office.objects.all().delete()
    Town.objects.all().delete()
    County.objects.all().delete()
    counties = {r["code"]: County(code=r["code"], name=r["name"]) for r in rows if r["level"] == "3"}
    County.objects.bulk_create(counties.values())
    counties = {c.code: c for c in County.objects.all()}
    Town.objects.bulk_create(
        Town(
            county=counties[r["parent_code"]],
            code=r["code"],
            name=r["name"],
            kind="街道" if r["name"].endswith("街道") else "镇",
        )
        for r in rows
        if r["level"] == "4" and r["parent_code"] in counties
    )
    Office.objects.bulk_create(Office(town=t, name=f"{t.name}民政办公室") for t in Town.objects.all())
    offices = list(Office.objects.select_related("town"))
    duties = list(Duty.objects.all())
    rng = random.Random(1365)
    on = dt.date(year, 6, 1)
    OfficeYearFacts.objects.bulk_create(
        OfficeYearFacts(office=o, year=year, service_population=rng.randrange(15_000, 90_000))
        for o in offices
    )
    Premises.objects.bulk_create(
        Premises(
            office=o,
            year=year,
            area_m2=Decimal(rng.randrange(40, 150)),
            equipment=["desks", "computer"],
            it_facilities=["egov"],
        )
        for o in offices
    )
    Budget.objects.bulk_create(
        Budget(office=o, year=year, guaranteed_funds=Decimal(rng.randrange(10_000, 80_000))) for o in offices
    )
    Plan.objects.bulk_create(Plan(office=o, year=year, kind="annual", title="年度计划") for o in offices)
    PostedRule.objects.bulk_create(
        PostedRule(office=o, year=year, kind=k, photo="x.jpg")
        for o in offices
        for k in ("office_duties", "post_duties", "service_guide", "service_pledge", "conduct", "policies")
    )
    InternalCheck.objects.bulk_create(
        InternalCheck(office=o, checked_on=on, checked_by="镇社会事务办", scope="制度执行")
        for o in offices
        for _ in range(2)
    )
    DutySheetEntry.objects.bulk_create(
        DutySheetEntry(office=o, duty=d, standard="标准", requirements="要求")
        for o in offices
        for d in duties
    )
    DutyRecord.objects.bulk_create(
        DutyRecord(office=o, duty=d, date=on, title=f"{d.name}工作")
        for o in offices
        for d in duties
        if rng.random() < 0.9
    )
    StaffMember.objects.bulk_create(
        StaffMember(
            office=o,
            name=f"人员{i}",
            sex="F",
            birth_date=dt.date(1980, 1, 1),
            education="bachelor",
            employment_type="civil_servant" if i == 0 else "institution",
            post="director" if i == 0 else "staff",
            started_on=dt.date(2005, 1, 1),
        )
        for o in offices
        for i in range(5)
    )
    event = TrainingEvent.objects.create(
        level="city", kind="periodic", title="全省培训", starts_on=on, ends_on=on
    )
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(event=event, staff=s) for s in StaffMember.objects.all() if rng.random() < 0.85
    )
    return len(offices)


def set_award_subsidies(city, programme) -> None:
    """The programme's award standard (50,000 yuan, 60,000 from 95 points) and every county's matching,
    by amount and by share in turn, as the city would enter them."""
    from assessment.choices import MatchingKind
    from assessment.subsidies import services as subsidies
    from offices.models import County

    subsidies.standard_save(
        actor=city,
        programme=programme,
        city_award=Decimal("50000"),
        tiers=[(Decimal("95"), Decimal("60000"))],
    )
    subsidies.matchings_save(
        actor=city,
        programme=programme,
        entries=[
            subsidies.MatchingEntry(
                county=c,
                kind=MatchingKind.AMOUNT if i % 2 else MatchingKind.SHARE,
                value=Decimal("30000") if i % 2 else Decimal("0.5"),
            )
            for i, c in enumerate(County.objects.order_by("code"))
        ],
    )


def confirm_believably(assessment_year, seed: int) -> None:
    """Confirm a year with believable random results (70 to 99.99 points, passed from 85) rather
    than computed ones: no records were filed for it, and the workflow is bench_scoring's business."""
    from django.utils import timezone

    from assessment.choices import AssessmentState, CountyState, Result, YearState
    from assessment.models import Assessment, AssessmentYear, CountyResult

    rng = random.Random(seed)
    now = timezone.now()
    assessments = list(assessment_year.assessments.all())
    for a in assessments:
        a.total = Decimal(rng.randrange(7000, 10000)) / 100
        a.result = Result.PASS if a.total >= 85 else Result.FAIL
        a.state = AssessmentState.CONFIRMED
        a.frozen_at = now
    Assessment.objects.bulk_update(assessments, ["total", "result", "state", "frozen_at"], batch_size=500)
    CountyResult.objects.filter(assessment_year=assessment_year).update(
        state=CountyState.CONFIRMED, submitted_at=now
    )
    AssessmentYear.objects.filter(pk=assessment_year.pk).update(state=YearState.CONFIRMED, confirmed_at=now)
