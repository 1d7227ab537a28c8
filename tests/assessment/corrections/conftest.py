"""A year 2010 built through the workflow services, with town A approved by its county (and, on
demand, the year confirmed by the city), for the correction tests."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState
from assessment.corrections import services
from assessment.corrections.kinds import KINDS, changes_between
from assessment.models import Assessment, AssessmentYear, CatalogVersion, Correction
from assessment.standard import scoring
from assessment.workflow import city_services
from assessment.workflow import services as workflow
from core.locks import correcting
from tests.evidence_samples import pdf_bytes

YEAR = 2010


@pytest.fixture
def year(world) -> AssessmentYear:
    programme = catalog_services.programme_create(
        actor=world.city, name="规范化建设三年行动", start_year=YEAR
    )
    return workflow.year_open(
        actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=YEAR)
    )


def assessment_of(office, year: int = YEAR) -> Assessment:
    return Assessment.objects.select_related("assessment_year__catalog", "office__town").get(
        assessment_year__year=year, office=office
    )


def approve(world, office) -> Assessment:
    """The town submits, its county scores the on-site items and approves."""
    county = world.county_a if office.town.county_id == world.office_a.town.county_id else world.county_c
    town = {world.office_a.pk: world.town_a, world.office_b.pk: world.town_b, world.office_c.pk: world.town_c}
    assessment = assessment_of(office)
    workflow.self_assessment_submit(actor=town[office.pk], assessment=assessment)
    rows = {s.item.code: s for s in scoring.item_rows(assessment)}
    workflow.county_score_save(
        actor=county,
        assessment=assessment,
        visit_date=dt.date(2010, 11, 5),
        inspectors="张三、李四",
        items=[
            workflow.CountyItem(rows["B5"], Decimal(3)),
            workflow.CountyItem(rows["G2"], Decimal(5)),
        ],
    )
    workflow.county_approve(actor=county, assessment=assessment)
    return assessment_of(office)


def confirm(world, year: AssessmentYear) -> AssessmentYear:
    """Every other town approved and every county reported with its sample drawn (set directly: no
    town is sampled, so none waits for the city's score), then the city confirms the year."""
    year.assessments.exclude(state=AssessmentState.APPROVED).update(state=AssessmentState.APPROVED)
    year.county_results.update(state=CountyState.SUBMITTED, sample_seed="corrections")
    city_services.year_confirm(actor=world.city, year=year)
    year.refresh_from_db()
    return year


def evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("依据.pdf", pdf_bytes(), content_type="application/pdf")


def changes_for(record, **values) -> dict:
    """The `changes` a correction form would build for setting `values` on `record`."""
    kind = KINDS[record._meta.label_lower]
    after = type(record)._default_manager.get(pk=record.pk)
    for name, value in values.items():
        setattr(after, name, value)
    return changes_between(record, after, kind.fields())


def file(actor, record, *, problem="数据填报有误", reason="以财政拨款文件为准", **values) -> Correction:
    return services.correction_file(
        actor=actor,
        office=record.office,
        record_label=record._meta.label_lower,
        record_id=record.pk,
        changes=changes_for(record, **values),
        problem=problem,
        reason=reason,
        evidence=evidence(),
    )


def write_past_lock(record, **values) -> None:
    """Change a record behind everyone's back (as a restore or an earlier correction would)."""
    for name, value in values.items():
        setattr(record, name, value)
    with correcting():
        record.save()
