"""Permission-matrix rows of the city supervision pages (see tests/matrix.py).

Every page is the city bureau's: anonymous users go to the login page, everyone else gets 403 (the
county inspectors may also read a catalog, which they score by). The pages are city-wide, so sides a
and c share one URL, except the city's scoring of a sampled town (town A's on side a, town C's on
side c). Rows whose POST writes build a fresh target inside `url` (a new year number, a new catalog,
a county's result set back to "reported"), so each of the city's POSTs really performs its step."""

from decimal import Decimal

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from assessment.choices import AssessmentState, CountyState, Method, YearState
from assessment.models import AssessmentYear, CatalogItem, CatalogVersion, Programme
from core.dates import programme_years
from tests.matrix import LOGIN, SAFE_ONLY, Row, always, city_only, office

from . import city_helpers

# The year the rows look at: one of its own, so other rows' years never collide with it.
YEAR = 2014


def setup(world) -> None:
    year = city_helpers.open_year(world, YEAR)
    city_helpers.force_sample(year, world.office_a, world.office_c)
    world.city_year = year
    world.city_target = None


# -- expectations ---------------------------------------------------------------------------------


def city_post(ok: int):
    """A POST of the city's: `ok` for the city, 403 for every other signed-in user."""
    return lambda role, side: LOGIN if role == "anonymous" else (ok if role == "city" else 403)


def catalog_reader(role: str, side: str) -> int:
    """A catalog: the city, and the county inspectors who score by it."""
    if role == "anonymous":
        return LOGIN
    return 200 if role in ("city", "county_a", "county_c") else 403


def city_writes(role: str, side: str, status: int) -> bool:
    return role == "city" and status == 302


# -- fresh targets --------------------------------------------------------------------------------


def _free_catalog_year() -> int:
    """A year a new catalog may be for (the programme years, core/dates.py) that none uses yet."""
    used = set(CatalogVersion.objects.values_list("year", flat=True))
    return next(y for y in programme_years() if y not in used)


def _fresh_year() -> int:
    """A year no programme, catalog or assessment year uses yet."""
    used = [
        Programme.objects.aggregate(m=Max("start_year"))["m"],
        CatalogVersion.objects.aggregate(m=Max("year"))["m"],
        AssessmentYear.objects.aggregate(m=Max("year"))["m"],
    ]
    return max(2040, *(u for u in used if u)) + 1


def _fresh_catalog(world, *, with_item: bool = False) -> CatalogVersion:
    catalog = CatalogVersion.objects.create(year=_fresh_year(), staffing_bands=[[29999, 2], [None, 4]])
    if with_item:
        world.city_item = CatalogItem.objects.create(
            catalog=catalog,
            section="G",
            code="G9",
            text="矩阵测试项目",
            points=Decimal(100),
            method=Method.INSPECTOR,
        )
    world.city_target = catalog
    return catalog


def _catalog_edit_url(world, side: str) -> str:
    return reverse("supervision:catalog_edit", args=[_fresh_catalog(world).year])


def _catalog_edit_payload(world, side: str) -> dict:
    return {
        "version": world.city_target.version,
        "pass_mark": "80",
        "band_rows": "1",
        "upper_0": "30000",
        "staff_0": "2",
        "top_staff": "3",
    }


def _item_create_url(world, side: str) -> str:
    return reverse("supervision:catalog_item_create", args=[_fresh_catalog(world).year])


def _item_payload(world, side: str) -> dict:
    return {
        "section": "A",
        "code": "A9",
        "text": "矩阵测试项目",
        "points": "2",
        "method": Method.INSPECTOR,
        "order": "9",
    }


def _item_edit_url(world, side: str) -> str:
    catalog = _fresh_catalog(world, with_item=True)
    return reverse("supervision:catalog_item_edit", args=[catalog.year, world.city_item.pk])


def _item_edit_payload(world, side: str) -> dict:
    return {**_item_payload(world, side), "code": "G9", "version": world.city_item.version}


def _year_open_url(world, side: str) -> str:
    catalog = _fresh_catalog(world, with_item=True)
    programme = Programme.objects.create(name=f"矩阵测试行动{catalog.year}", start_year=catalog.year, years=1)
    world.city_open = (programme, catalog)
    return reverse("supervision:year_open")


def _year_open_payload(world, side: str) -> dict:
    programme, catalog = world.city_open
    return {"programme": programme.pk, "catalog": catalog.pk, "sample_percent": "10"}


def _unsampled(world) -> AssessmentYear:
    """The year open, every county reported and none sampled, so the city's POST draws again."""
    year = world.city_year
    AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.OPEN, confirmed_at=None)
    year.assessments.update(sampled=False, state=AssessmentState.APPROVED, frozen_at=None)
    year.county_results.update(state=CountyState.SUBMITTED, sample_seed="", sampled_at=None)
    return year


def _sample_url(world, side: str) -> str:
    _unsampled(world)
    return reverse("supervision:sample_draw", args=[YEAR])


def _sample_county_url(world, side: str) -> str:
    _unsampled(world)
    return reverse("supervision:sample_county", args=[YEAR, office(world, side).town.county.code])


def _sampled_town(world, side: str):
    """The side's town sampled, approved and its county reported, the city's score not yet given."""
    year = world.city_year
    AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.OPEN, confirmed_at=None)
    target = year.assessments.get(office=office(world, side))
    year.assessments.filter(pk=target.pk).update(
        sampled=True, state=AssessmentState.APPROVED, frozen_at=None, city_scored_at=None, waiver_reason=""
    )
    year.county_results.filter(county=target.office.town.county).update(state=CountyState.SUBMITTED)
    return target


def _city_score_url(world, side: str) -> str:
    target = _sampled_town(world, side)
    return reverse("supervision:city_score", args=[YEAR, target.office.town.code])


def _town_url(name: str):
    def url(world, side: str) -> str:
        target = _sampled_town(world, side)
        return reverse(f"supervision:{name}", args=[YEAR, target.office.town.code])

    return url


def _return_url(world, side: str) -> str:
    """The side's county has (again) reported its results, so the city's POST returns them."""
    county = office(world, side).town.county
    world.city_year.county_results.filter(county=county).update(state=CountyState.SUBMITTED)
    return reverse("supervision:city_return", args=[YEAR, county.code])


def _confirm_url(world, side: str) -> str:
    """The year open again, every county reported and the sample drawn, so the city may confirm."""
    year = world.city_year
    AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.OPEN, confirmed_at=None)
    year.assessments.update(state=AssessmentState.APPROVED, frozen_at=None)
    year.assessments.filter(sampled=True, city_scored_at__isnull=True).update(waiver_reason="矩阵测试")
    year.county_results.update(state=CountyState.SUBMITTED, sample_seed="matrix", sampled_at=timezone.now())
    return reverse("supervision:year_confirm", args=[YEAR])


def _fixed(name: str, *args):
    return lambda world, side: reverse(f"supervision:{name}", args=list(args))


READ = {"get": city_only, "post": always(SAFE_ONLY)}
POST_ONLY = {"get": always(405), "post": city_post(302), "writes": city_writes}
ASKS_FIRST = {"get": city_only, "post": city_post(302), "writes": city_writes}  # GET: the question
FORM = {"get": city_only, "post": city_post(302), "writes": city_writes}

ROWS: dict[str, Row] = {
    "supervision:programme_list": Row(_fixed("programme_list"), **READ),
    "supervision:programme_create": Row(
        _fixed("programme_create"),
        payload=lambda w, s: {"name": "矩阵测试行动", "start_year": str(_fresh_year()), "years": "3"},
        **FORM,
    ),
    "supervision:catalog_list": Row(_fixed("catalog_list"), **READ),
    "supervision:catalog_copy": Row(
        _fixed("catalog_copy"),
        payload=lambda w, s: {
            "source": CatalogVersion.objects.get(year=2010).pk,
            "year": str(_free_catalog_year()),
        },
        **POST_ONLY,
    ),
    "supervision:catalog_detail": Row(
        _fixed("catalog_detail", YEAR), get=catalog_reader, post=always(SAFE_ONLY)
    ),
    "supervision:catalog_edit": Row(_catalog_edit_url, payload=_catalog_edit_payload, **FORM),
    "supervision:catalog_item_create": Row(_item_create_url, payload=_item_payload, **FORM),
    "supervision:catalog_item_edit": Row(_item_edit_url, payload=_item_edit_payload, **FORM),
    "supervision:year_open": Row(_year_open_url, payload=_year_open_payload, **FORM),
    "supervision:year_overview": Row(_fixed("year_overview", YEAR), **READ),
    "supervision:year_towns": Row(_fixed("year_towns", YEAR), **READ),
    "supervision:sample_draw": Row(_sample_url, **ASKS_FIRST),
    "supervision:sample_county": Row(
        _sample_county_url, payload=lambda w, s: {"seed": "matrix"}, **ASKS_FIRST
    ),
    "supervision:city_score": Row(
        _city_score_url,
        payload=lambda w, s: {
            "comment": "矩阵测试:市级督查",
            "visit_date": "2014-12-01",
            "inspectors": "王五",
        },
        **FORM,
    ),
    "supervision:city_return_town": Row(
        _town_url("city_return_town"), payload=lambda w, s: {"comment": "请复核"}, **ASKS_FIRST
    ),
    "supervision:waive": Row(
        _town_url("waive"), payload=lambda w, s: {"comment": "矩阵测试:免于评分"}, **ASKS_FIRST
    ),
    "supervision:differences": Row(_fixed("differences", YEAR), **READ),
    "supervision:city_return": Row(_return_url, payload=lambda w, s: {"comment": "请复核"}, **ASKS_FIRST),
    "supervision:year_confirm": Row(_confirm_url, payload=lambda w, s: {"comment": "确认"}, **ASKS_FIRST),
}
