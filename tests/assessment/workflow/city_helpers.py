"""Builders for the city's assessment pages: a programme, an opened year, and quick moves of a whole
year along the workflow (queryset updates, where the per-town services would only make tests slow)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, Method
from assessment.models import AssessmentYear, CatalogItem, CatalogVersion, ItemScore, Programme
from assessment.standard import scoring
from assessment.workflow import city_services
from assessment.workflow import services as workflow_services


def programme(world, start_year: int = 2010, years: int = 3) -> Programme:
    found = Programme.objects.filter(start_year=start_year).first()
    return found or catalog_services.programme_create(
        actor=world.city, name=f"{start_year}年起三年行动", start_year=start_year, years=years
    )


def catalog(world, year: int) -> CatalogVersion:
    """The catalog of `year`: the default one for 2010, a copy of 2010's for any other year."""
    found = CatalogVersion.objects.filter(year=year).first()
    return found or catalog_services.catalog_copy(
        actor=world.city, source=CatalogVersion.objects.get(year=2010), year=year
    )


def open_year(world, year: int = 2010, start_year: int | None = None) -> AssessmentYear:
    found = AssessmentYear.objects.filter(year=year).first()
    if found is not None:
        return found
    return workflow_services.year_open(
        actor=world.city,
        programme=programme(world, start_year or year),
        catalog=catalog(world, year),
        self_assessment_due=dt.date(year, 10, 31),
        county_due=dt.date(year, 12, 15),
    )


def score_on_site(year: AssessmentYear, fraction: Decimal = Decimal(1)) -> None:
    """Give every inspector item of the year `fraction` of its points, as the county would."""
    for item in year.catalog.items.filter(method=Method.INSPECTOR):
        ItemScore.objects.filter(assessment__assessment_year=year, item=item).update(
            inspector_points=(item.points * fraction).quantize(Decimal("0.01"))
        )


def approve_all(year: AssessmentYear, county_code: str | None = None) -> None:
    """Every town (of one county, or all) approved on site, and the county's results reported."""
    assessments = year.assessments.all()
    results = year.county_results.all()
    if county_code:
        assessments = assessments.filter(office__town__county__code=county_code)
        results = results.filter(county__code=county_code)
    score_on_site(year)
    assessments.update(state=AssessmentState.APPROVED, visit_date=dt.date(year.year, 11, 5))
    results.update(state=CountyState.SUBMITTED, submitted_at=timezone.now())
    scoring.refresh(list(year.assessments.select_related("assessment_year__catalog")))


def force_sample(year: AssessmentYear, *offices, seed: str = "test-seed") -> None:
    """Put exactly these offices in the sample (a drawn one would be random), every county sampled."""
    year.assessments.update(sampled=False)
    year.assessments.filter(office__in=offices).update(sampled=True)
    year.county_results.update(sample_seed=seed, sampled_at=timezone.now())
    year.refresh_from_db()


def sample_all(world, year: AssessmentYear, seed: str = "test-seed") -> None:
    """Draw the sample of every reported county that has none, as the city does."""
    for result in year.county_results.filter(state=CountyState.SUBMITTED, sample_seed=""):
        city_services.sample_draw(actor=world.city, result=result, seed=seed)


def waive_unscored(world, year: AssessmentYear) -> None:
    """Every sampled town without the city's score waived, with a reason."""
    for assessment in year.assessments.filter(sampled=True, city_scored_at__isnull=True, waiver_reason=""):
        city_services.city_score_waive(actor=world.city, assessment=assessment, reason="测试:以县级结果为准")


def confirm(world, year: AssessmentYear, comment: str = "") -> AssessmentYear:
    """Sample every reported county, waive the city's score where none was given, and confirm."""
    sample_all(world, year)
    waive_unscored(world, year)
    return city_services.year_confirm(actor=world.city, year=year, comment=comment)


def item(catalog_version: CatalogVersion, code: str) -> CatalogItem:
    return catalog_version.items.get(code=code)
