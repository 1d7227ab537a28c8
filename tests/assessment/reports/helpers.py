"""Builders for the subsidy and report tests: a programme with years set up directly (no scoring,
which these tests do not need), results put in place per town, a Zhejiang-sized fake county, and
reading PDFs back with poppler-utils (pdffonts, pdftotext, pdfinfo, pdfdetach)."""

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, Result, YearState
from assessment.models import Assessment, AssessmentYear, CatalogVersion, Programme
from offices.models import County, Office, Town


def programme(world, start_year: int = 2010, years: int = 3) -> Programme:
    found = Programme.objects.filter(start_year=start_year).first()
    return found or catalog_services.programme_create(
        actor=world.city, name=f"{start_year}年起三年行动", start_year=start_year, years=years
    )


def year(world, number: int, *, start_year: int = 2010, confirmed: bool = True) -> AssessmentYear:
    """An assessment year of the programme with an assessment (not scored) for every office."""
    found = AssessmentYear.objects.filter(year=number).first()
    if found is None:
        catalog = CatalogVersion.objects.filter(year=number).first() or catalog_services.catalog_copy(
            actor=world.city, source=CatalogVersion.objects.get(year=2010), year=number
        )
        found = AssessmentYear.objects.create(
            year=number, programme=programme(world, start_year), catalog=catalog, state=YearState.OPEN
        )
        Assessment.objects.bulk_create(
            Assessment(
                assessment_year=found,
                office=o,
                state=AssessmentState.APPROVED,
                total=Decimal(70),
                result=Result.FAIL,
            )
            for o in Office.objects.all()
        )
    if confirmed:
        confirm(found)
    return found


def confirm(assessment_year: AssessmentYear) -> None:
    now = timezone.now()
    AssessmentYear.objects.filter(pk=assessment_year.pk).update(state=YearState.CONFIRMED, confirmed_at=now)
    assessment_year.assessments.update(state=AssessmentState.CONFIRMED, frozen_at=now)
    assessment_year.refresh_from_db()


def result(
    assessment_year: AssessmentYear, town_code: str, total: str, passed: bool, **changes
) -> Assessment:
    """Put one town's result of a year in place."""
    Assessment.objects.filter(assessment_year=assessment_year, office__town__code=town_code).update(
        total=Decimal(total), result=Result.PASS if passed else Result.FAIL, **changes
    )
    return Assessment.objects.get(assessment_year=assessment_year, office__town__code=town_code)


def fake_county(code: str = "339901", name: str = "测试县", towns: int = 60) -> County:
    """A county of `towns` towns with offices, as big as Zhejiang's largest and then some."""
    county = County.objects.create(code=code, name=name)
    Town.objects.bulk_create(
        Town(county=county, code=f"{code}{i:03d}", name=f"第{i}测试镇", kind="镇")
        for i in range(1, towns + 1)
    )
    Office.objects.bulk_create(
        Office(town=t, name=f"{t.name}民政办公室") for t in Town.objects.filter(county=county)
    )
    return county


def add_assessments(
    assessment_year: AssessmentYear, county: County, *, total: str = "90", passed: bool = True
) -> None:
    state = (
        AssessmentState.CONFIRMED
        if assessment_year.state == YearState.CONFIRMED
        else AssessmentState.APPROVED
    )
    Assessment.objects.bulk_create(
        Assessment(
            assessment_year=assessment_year,
            office=o,
            state=state,
            total=Decimal(total),
            result=Result.PASS if passed else Result.FAIL,
        )
        for o in Office.objects.filter(town__county=county)
    )


# -- reading PDFs back ------------------------------------------------------------------------------


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603


def write(tmp_path: Path, content: bytes, name: str = "report.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) per font of the PDF, from pdffonts."""
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    return [(line.split()[0], line.split()[-5]) for line in lines if line.strip()]


def text(path: Path, page: int | None = None, *, raw: bool = False) -> str:
    """The PDF's text: laid out as on the page, or (raw) in the order it was drawn, which keeps a
    cell's wrapped lines together."""
    args = ["pdftotext", "-raw" if raw else "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return _run(*args, str(path), "-")


def pages(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(path)), re.MULTILINE).group(1))


def attachments(path: Path) -> str:
    return _run("pdfdetach", "-list", str(path))


def flat(value: str) -> str:
    """Text without the spaces and line breaks pdftotext puts between laid-out characters."""
    return re.sub(r"\s+", "", value)


def day(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)
