"""Permission-matrix rows of the award subsidies and reports (see tests/matrix.py).

Side a is 建设街道 (南湖区), side c 新城街道 (秀洲区). A county's report and dashboard, its matching page
and its payments page answer the city and that county's inspector (another county's 404; towns and
the administrator 403); marking a county's matching paid is its own inspector's only (another
county's 404; everybody else 403); a scoring sheet whoever may view the office; everything else is
the city's. The year 2010 is set up on first use (as the assessment rows do): confirmed, both sides
合格, a standard, both counties' matchings, their payments, and a finished zip, so the POSTs really
perform their step."""

import zipfile
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, ExportState, MatchingKind, Result, YearState
from assessment.models import (
    Assessment,
    AssessmentYear,
    CatalogVersion,
    ExportJob,
    Payment,
    Programme,
    SubsidyStandard,
)
from assessment.reports import jobs
from assessment.subsidies import services as subsidies
from assessment.workflow import services as workflow_services
from tests.matrix import LOGIN, SAFE_ONLY, Row, always, city_only, county_scope, office, office_scope

SIDES = "ac"

YEAR = 2010


def setup(world) -> None:
    world.reports = {}


def _ensure(world) -> dict:
    if world.reports:
        return world.reports
    year = AssessmentYear.objects.filter(year=YEAR).first()
    if year is None:
        programme = Programme.objects.filter(start_year=YEAR).first() or catalog_services.programme_create(
            actor=world.city, name="规范化建设三年行动", start_year=YEAR
        )
        year = workflow_services.year_open(
            actor=world.city, programme=programme, catalog=CatalogVersion.objects.get(year=YEAR)
        )
    now = timezone.now()
    AssessmentYear.objects.filter(pk=year.pk).update(state=YearState.CONFIRMED, confirmed_at=now)
    year.assessments.update(state=AssessmentState.CONFIRMED, frozen_at=now, result=Result.FAIL)
    Assessment.objects.filter(assessment_year=year, office__in=[world.office_a, world.office_c]).update(
        total=Decimal("92.50"), result=Result.PASS
    )
    programme = year.programme
    if not SubsidyStandard.objects.filter(programme=programme).exists():
        subsidies.standard_save(actor=world.city, programme=programme, city_award=Decimal("50000"))
    subsidies.matchings_save(
        actor=world.city,
        programme=programme,
        entries=[
            subsidies.MatchingEntry(
                county=office(world, side).town.county, kind=MatchingKind.AMOUNT, value=Decimal("20000")
            )
            for side in SIDES
        ],
    )
    subsidies.payments_refresh(programme=programme, actor=world.city)
    root = jobs.export_root()
    root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(root / "matrix.zip", "w") as bundle:
        bundle.writestr("readme.txt", "matrix")
    job = ExportJob.objects.create(
        year=YEAR, requested_by=world.city, state=ExportState.DONE, fingerprint="matrix", file="matrix.zip"
    )
    world.reports.update(
        year=year,
        programme=programme,
        job=job,
        payments={
            side: Payment.objects.get(programme=programme, office=office(world, side)) for side in SIDES
        },
    )
    return world.reports


def city_post(ok: int):
    return lambda role, side: LOGIN if role == "anonymous" else (ok if role == "city" else 403)


def city_writes(role: str, side: str, status: int) -> bool:
    return role == "city" and status == 302


def _county_url(name: str, *extra):
    def url(world, side: str) -> str:
        _ensure(world)
        code = office(world, side).town.county.code
        args = [YEAR, code, "pdf" if side == "a" else "xlsx"] if name == "award_report" else [code]
        return reverse(f"reports:{name}", args=args)

    return url


def _scoring_sheet_url(world, side: str) -> str:
    _ensure(world)
    return reverse(
        "reports:scoring_sheet", args=[YEAR, office(world, side).town.code, "pdf" if side == "a" else "xlsx"]
    )


def _programme_url(name: str):
    def url(world, side: str) -> str:
        return reverse(f"reports:{name}", args=[_ensure(world)["programme"].pk])

    return url


def _job_url(name: str):
    def url(world, side: str) -> str:
        return reverse(f"reports:{name}", args=[_ensure(world)["job"].pk])

    return url


def _payment_url(world, side: str) -> str:
    """The side's payment, unpaid again, so the city's POST marks it paid."""
    payment = _ensure(world)["payments"][side]
    Payment.objects.filter(pk=payment.pk).update(paid=False, paid_on=None, document_no="")
    return reverse("reports:payment_mark_paid", args=[payment.pk])


def _paid_payload(world, side: str) -> dict:
    return {"paid_on": "2011-03-15", "document_no": "嘉民〔2011〕18号"}


def _bulk_payload(world, side: str) -> dict:
    Payment.objects.filter(programme=_ensure(world)["programme"]).update(
        paid=False, paid_on=None, document_no=""
    )
    return {**_paid_payload(world, side), "county": office(world, side).town.county.code, "year": YEAR}


def _county_payment_url(world, side: str) -> str:
    """The side's payment, its county part unpaid again, so its county's POST marks it paid."""
    payment = _ensure(world)["payments"][side]
    Payment.objects.filter(pk=payment.pk).update(
        county_paid=False, county_paid_on=None, county_document_no=""
    )
    return reverse("reports:payment_mark_county_paid", args=[payment.pk])


def _county_bulk_payload(world, side: str) -> dict:
    Payment.objects.filter(programme=_ensure(world)["programme"]).update(
        county_paid=False, county_paid_on=None, county_document_no=""
    )
    return {"paid_on": "2011-04-01", "document_no": "南民〔2011〕6号", "year": YEAR}


def _programme_county_url(name: str):
    def url(world, side: str) -> str:
        code = office(world, side).town.county.code
        return reverse(f"reports:{name}", args=[_ensure(world)["programme"].pk, code])

    return url


def _county_matching_payload(world, side: str) -> dict:
    return {"kind": "share", "value": "0.5" if side == "a" else "0.6"}


def _lock_payload(world, side: str) -> dict:
    return {"locked": "1"}


def _standard_payload(world, side: str) -> dict:
    standard = SubsidyStandard.objects.get(programme=_ensure(world)["programme"])
    return {
        "version": standard.version,
        "city_award": "55000" if side == "a" else "60000",
        "note": "矩阵测试",
    }


def _matching_payload(world, side: str) -> dict:
    code = office(world, side).town.county.code
    return {f"kind_{code}": "amount", f"value_{code}": "30000" if side == "a" else "31000"}


def county_or_city_post(ok: int):
    """A county's own page the city may also write on: its inspector and the city."""

    def expect(role: str, side: str) -> int:
        seen = county_scope(role, side)
        return ok if seen == 200 else seen

    return expect


def own_county_post(ok: int):
    """What only a county's own inspector does: another county's 404, everybody else 403."""

    def expect(role: str, side: str) -> int:
        if role == "anonymous":
            return LOGIN
        if role in ("county_a", "county_c"):
            return ok if role[-1] == side else 404
        return 403

    return expect


def county_or_city_writes(role: str, side: str, status: int) -> bool:
    return status == 302 and (role == "city" or role == f"county_{side}")


def own_county_writes(role: str, side: str, status: int) -> bool:
    return status == 302 and role == f"county_{side}"


READ = {"get": city_only, "post": always(SAFE_ONLY)}
FORM = {"get": city_only, "post": city_post(302), "writes": city_writes}
POST_ONLY = {"get": always(405), "post": city_post(302), "writes": city_writes}

ROWS: dict[str, Row] = {
    "reports:city_dashboard": Row(lambda w, s: (_ensure(w), reverse("reports:city_dashboard"))[1], **READ),
    "reports:county_dashboard": Row(
        _county_url("county_dashboard"), get=county_scope, post=always(SAFE_ONLY)
    ),
    "reports:award_report": Row(_county_url("award_report"), get=county_scope, post=always(SAFE_ONLY)),
    "reports:city_summary": Row(
        lambda w, s: (
            _ensure(w),
            reverse("reports:city_summary", args=[YEAR, "pdf" if s == "a" else "xlsx"]),
        )[1],
        **READ,
    ),
    "reports:scoring_sheet": Row(_scoring_sheet_url, get=office_scope, post=always(SAFE_ONLY)),
    "reports:export_page": Row(
        lambda w, s: (_ensure(w), reverse("reports:export_page", args=[YEAR]))[1],
        get=city_only,
        post=city_post(302),
        writes=city_writes,
    ),
    "reports:export_status": Row(_job_url("export_status"), **READ),
    "reports:export_download": Row(_job_url("export_download"), **READ),
    "reports:subsidy_standard": Row(_programme_url("subsidy_standard"), payload=_standard_payload, **FORM),
    "reports:county_matching": Row(_programme_url("county_matching"), payload=_matching_payload, **FORM),
    "reports:payment_list": Row(_programme_url("payment_list"), **READ),
    "reports:payments_refresh": Row(_programme_url("payments_refresh"), **POST_ONLY),
    "reports:payments_mark_paid": Row(
        _programme_url("payments_mark_paid"), payload=_bulk_payload, **POST_ONLY
    ),
    "reports:payment_mark_paid": Row(_payment_url, payload=_paid_payload, **POST_ONLY),
    "reports:county_matching_edit": Row(
        _programme_county_url("county_matching_edit"),
        get=county_scope,
        post=county_or_city_post(302),
        payload=_county_matching_payload,
        writes=county_or_city_writes,
    ),
    "reports:county_matching_lock": Row(
        _programme_county_url("county_matching_lock"), payload=_lock_payload, **POST_ONLY
    ),
    "reports:county_payments": Row(
        _programme_county_url("county_payments"), get=county_scope, post=always(SAFE_ONLY)
    ),
    "reports:county_payments_mark_paid": Row(
        _programme_county_url("county_payments_mark_paid"),
        get=always(405),
        post=own_county_post(302),
        payload=_county_bulk_payload,
        writes=own_county_writes,
    ),
    "reports:payment_mark_county_paid": Row(
        _county_payment_url,
        get=always(405),
        post=own_county_post(302),
        payload=_paid_payload,
        writes=own_county_writes,
    ),
}
