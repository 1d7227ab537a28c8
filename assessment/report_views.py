"""Pages and downloads of the award subsidies and reports: the city's and a county's dashboards, the
three reports as PDF and XLSX, the background zip of every county's report with its progress, and
the city's subsidy pages (standard and tiers, county matching, payments and marking them paid).

Who may see what is decided by portal.permissions: a county's report for the city and that
county's inspectors (another county's answers 404; towns and the administrator get 403); a scoring
sheet for whoever may view the office; everything else is the city's. Writes go through
assessment.subsidies and assessment.tasks, which check the city's right again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.records import StaleEdit
from offices.models import County
from portal.choices import SecurityEventKind
from portal.permissions import Action, get_county_or_deny, get_office_or_deny, is_city
from portal.security import record_security_event

from . import report_forms as forms
from . import report_selectors as selectors
from . import subsidies, tasks
from .models import AssessmentYear, ExportJob, ExportState, Payment, SubsidyStandard
from .reports import ReportError, award, cache, pdf, sheet, summary, xlsx

FORM_METHODS = ["GET", "HEAD", "POST"]
CONTENT_TYPES = {"pdf": pdf.PDF_TYPE, "xlsx": xlsx.XLSX_TYPE}


def _require_city(request: HttpRequest, what: str) -> None:
    if not is_city(request.user):
        record_security_event(
            SecurityEventKind.DENIED, request=request, user=request.user, detail=f"reports: {what}"
        )
        raise PermissionDenied


def _download(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{fmt}"
    )
    # Official figures and personal data: no cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


# -- the three reports ------------------------------------------------------------------------------


@require_safe
@login_required
def award_report(request: HttpRequest, year: int, code: str, fmt: str) -> HttpResponse:
    """以奖代补资金汇总表 of a county and year: the city for every county, an inspector for its own."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    # Taken before the report is read, so a change in between makes the next request render anew.
    fingerprint = tasks.data_fingerprint(year) if fmt == "pdf" else ""
    try:
        report = award.award_report(county, year)
    except ReportError as error:
        raise Http404(str(error)) from error
    content = cache.award_pdf(report, fingerprint=fingerprint) if fmt == "pdf" else xlsx.award_xlsx(report)
    return _download(content, fmt=fmt, filename=report.filename)


@require_safe
@login_required
def city_summary(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """The city summary of a year: the city's only."""
    _require_city(request, f"city summary {year}")
    # Taken before the report is read, so a change in between makes the next request render anew.
    fingerprint = tasks.data_fingerprint(year) if fmt == "pdf" else ""
    try:
        report = summary.city_summary(year)
    except ReportError as error:
        raise Http404(str(error)) from error
    if fmt == "pdf":
        content = cache.city_summary_pdf(report, fingerprint=fingerprint)
    else:
        content = xlsx.city_summary_xlsx(report)
    return _download(content, fmt=fmt, filename=report.filename)


@require_safe
@login_required
def scoring_sheet(request: HttpRequest, year: int, town_code: str, fmt: str) -> HttpResponse:
    """考核评分表 of a town and year, for whoever may view the office; 404 without an assessment."""
    office = get_office_or_deny(request.user, Action.VIEW, town_code=town_code, request=request)
    try:
        report = sheet.scoring_sheet(office, year)
    except ReportError as error:
        raise Http404(str(error)) from error
    content = pdf.scoring_sheet_pdf(report) if fmt == "pdf" else xlsx.scoring_sheet_xlsx(report)
    return _download(content, fmt=fmt, filename=report.filename)


# -- dashboards -------------------------------------------------------------------------------------


@require_safe
@login_required
def city_dashboard(request: HttpRequest) -> HttpResponse:
    """The city's home page: the programme's progress per county, the year's assessment state, award
    totals and the staff structure over the programme years."""
    _require_city(request, "city dashboard")
    years = selectors.opened_years()
    year = selectors.pick_year(years, request.GET.get("year"))
    context = {
        "dashboard": selectors.city_dashboard(year, years) if year else None,
        "years": years,
        "year_numbers": [y.year for y in years],
    }
    return render(request, "reports/city_dashboard.html", context)


@require_safe
@login_required
def county_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A county's home page: the same for its towns."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    years = selectors.opened_years()
    year = selectors.pick_year(years, request.GET.get("year"))
    context = {
        "county": county,
        "dashboard": selectors.county_dashboard(county, year, years) if year else None,
        "years": years,
        "year_numbers": [y.year for y in years],
    }
    return render(request, "reports/county_dashboard.html", context)


# -- every county's report at once (background job) -------------------------------------------------


def _opened_year(year: int) -> AssessmentYear:
    found = AssessmentYear.objects.select_related("programme").filter(year=year).first()
    if found is None:
        raise Http404
    return found


@require_http_methods(FORM_METHODS)
@login_required
def export_page(request: HttpRequest, year: int) -> HttpResponse:
    """The zip of every county's award report and the city summary: start it (POST), watch its
    progress, download it. A zip made from unchanged data is handed out again."""
    _require_city(request, f"export {year}")
    opened = _opened_year(year)
    if request.method == "POST":
        job, reused = tasks.export_start(actor=request.user, year=year)
        if reused and job.state == ExportState.DONE:
            messages.info(request, "数据未发生变化,沿用已生成的文件,可直接下载。")
        elif reused:
            messages.info(request, "相同数据的报表正在生成中,请稍候。")
        else:
            messages.success(request, "已开始生成各县(市、区)以奖代补报表,完成后可在本页下载。")
        return HttpResponseRedirect(reverse("reports:export_page", args=[year]))
    job = selectors.latest_export(year)
    current = job is not None and job.fingerprint == tasks.data_fingerprint(year)
    context = {"year": opened, "job": job, "current": current, "counties": County.objects.count()}
    return render(request, "reports/export.html", context)


def _job(request: HttpRequest, pk: int) -> ExportJob:
    _require_city(request, f"export job {pk}")
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@require_safe
@login_required
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the progress bar polls."""
    job = _job(request, pk)
    done = job.state == ExportState.DONE and bool(job.file)
    return JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "progress": job.progress,
            "done": job.done,
            "total": job.total,
            "download": reverse("reports:export_download", args=[job.pk]) if done else None,
            "error": job.error,
        },
        headers={"Cache-Control": "no-store"},
    )


@require_safe
@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    path = tasks.export_root() / job.file if job.file else None
    if job.state != ExportState.DONE or path is None or not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"嘉兴市{job.year}年度以奖代补报表.zip"
    )
    response["Cache-Control"] = "no-store"
    return response


# -- the city's subsidy pages -----------------------------------------------------------------------


def _programme(request: HttpRequest, pk: int, what: str):
    _require_city(request, f"{what} {pk}")
    programme = selectors.programme_or_none(pk)
    if programme is None:
        raise Http404
    return programme


def _form_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _standard_initial(standard: SubsidyStandard | None) -> dict:
    if standard is None:
        return {}
    initial = {"city_award": standard.city_award, "note": standard.note, "version": standard.version}
    for i, tier in enumerate(standard.tiers.order_by("min_score")[: forms.TIER_ROWS]):
        initial[f"tier_min_{i}"] = tier.min_score
        initial[f"tier_amount_{i}"] = tier.amount
    return initial


@require_http_methods(FORM_METHODS)
@login_required
def subsidy_standard(request: HttpRequest, pk: int) -> HttpResponse:
    """以奖代补标准 of a programme: the base award per town and the score tiers."""
    programme = _programme(request, pk, "subsidy standard")
    standard = SubsidyStandard.objects.filter(programme=programme).first()
    form = forms.StandardForm(request.POST or None, initial=_standard_initial(standard))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subsidies.standard_save(
                actor=request.user,
                programme=programme,
                city_award=data["city_award"],
                tiers=data["tiers"],
                note=data["note"],
                expected_version=data.get("version") if standard else None,
            )
        except StaleEdit as stale:
            conflict = stale
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "以奖代补标准已保存,未拨付的奖补资金已按新标准重新核算。")
            return HttpResponseRedirect(request.path)
    changes = list(standard.history.select_related("history_user")[:10]) if standard else []
    context = {
        "programme": programme,
        "standard": standard,
        "form": form,
        "conflict": conflict,
        "changes": changes,
        "tab": "standard",
    }
    return render(request, "reports/subsidy_standard.html", context)


@require_http_methods(FORM_METHODS)
@login_required
def county_matching(request: HttpRequest, pk: int) -> HttpResponse:
    """县级配套标准: every county's matching subsidy, a fixed amount or a share of the city's award."""
    programme = _programme(request, pk, "county matching")
    rows = selectors.matching_rows(programme)
    counties = [r.county for r in rows]
    initial = {}
    for row in rows:
        if row.matching:
            initial[f"kind_{row.county.code}"] = row.matching.kind
            value = row.matching.amount if row.matching.kind == "amount" else row.matching.share
            initial[f"value_{row.county.code}"] = value
    form = forms.MatchingForm(request.POST or None, initial=initial, counties=counties)
    form.bases = {r.county.code: r.basis for r in rows}
    if request.method == "POST" and form.is_valid():
        entries = [
            subsidies.MatchingEntry(county=c, kind=kind, value=value)
            for c, kind, value in form.cleaned_data["entries"]
        ]
        try:
            changed = subsidies.matchings_save(actor=request.user, programme=programme, entries=entries)
        except (ValidationError, StaleEdit) as error:
            form.add_error(None, getattr(error, "messages", None) or "配套标准已被他人修改,请刷新后重试。")
        else:
            messages.success(
                request, f"已保存 {changed} 个县(市、区)的配套标准。" if changed else "配套标准没有变化。"
            )
            return HttpResponseRedirect(request.path)
    context = {"programme": programme, "form": form, "rows": rows, "tab": "matching"}
    return render(request, "reports/county_matching.html", context)


def _filters(request: HttpRequest, programme) -> tuple[County | None, int | None]:
    params = request.POST if request.method == "POST" else request.GET
    county = County.objects.filter(code=params.get("county", "")).first()
    try:
        year = int(params.get("year", ""))
    except ValueError:
        year = None
    return county, year if year in programme.year_range else None


def _payments_url(programme, county: County | None, year: int | None) -> str:
    url = reverse("reports:payment_list", args=[programme.pk])
    query = "&".join(
        p for p in (f"county={county.code}" if county else "", f"year={year}" if year else "") if p
    )
    return f"{url}?{query}" if query else url


@require_safe
@login_required
def payment_list(request: HttpRequest, pk: int) -> HttpResponse:
    """以奖代补资金: the programme's payments per county and year, with the forms to mark them paid."""
    programme = _programme(request, pk, "payment list")
    county, year = _filters(request, programme)
    rows = list(selectors.payments(programme, county=county, year=year))
    unpaid = [p for p in rows if not p.paid]
    context = {
        "programme": programme,
        "rows": rows,
        "county": county,
        "year": year,
        "counties": County.objects.order_by("code"),
        "totals": {
            "city": sum((p.city_amount for p in rows), subsidies.ZERO),
            "county": sum((p.county_amount for p in rows), subsidies.ZERO),
            "paid": sum((p.total for p in rows if p.paid), subsidies.ZERO),
            "unpaid": sum((p.total for p in unpaid), subsidies.ZERO),
        },
        "unpaid": len(unpaid),
        "stale": subsidies.payments_stale(programme),
        "has_standard": SubsidyStandard.objects.filter(programme=programme).exists(),
        "form": forms.MarkPaidForm(),
        "tab": "payments",
    }
    return render(request, "reports/payment_list.html", context)


@require_POST
@login_required
def payments_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the unpaid payments from the confirmed years (paid ones never change)."""
    programme = _programme(request, pk, "payments refresh")
    result = subsidies.payments_refresh(programme=programme, actor=request.user)
    messages.success(
        request,
        f"已按已确认的考核结果重新核算:新增 {result.created} 条、更新 {result.updated} 条、"
        f"撤销 {result.deleted} 条;已拨付的 {result.paid} 条保持不变。",
    )
    county, year = _filters(request, programme)
    return HttpResponseRedirect(_payments_url(programme, county, year))


def _mark(request: HttpRequest, programme, payments: list[Payment], back: str) -> HttpResponse:
    form = forms.MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(back)
    if not payments:
        messages.info(request, "没有需要标记的未拨付记录。")
        return HttpResponseRedirect(back)
    try:
        subsidies.payments_mark_paid(
            actor=request.user,
            payments=payments,
            paid_on=form.cleaned_data["paid_on"],
            document_no=form.cleaned_data["document_no"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        total = sum((p.total for p in payments), subsidies.ZERO)
        messages.success(request, f"已将 {len(payments)} 条奖补资金(合计 {total:,.2f} 元)标记为已拨付。")
    return HttpResponseRedirect(back)


@require_POST
@login_required
def payment_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one town's payment paid, with its date and document number."""
    _require_city(request, f"payment paid {pk}")
    payment = Payment.objects.select_related("programme", "office").filter(pk=pk).first()
    if payment is None:
        raise Http404
    county, year = _filters(request, payment.programme)
    return _mark(request, payment.programme, [payment], _payments_url(payment.programme, county, year))


@require_POST
@login_required
def payments_mark_paid_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark every unpaid payment of the list as filtered (a county and a year) paid under one
    document: the city allocates a year's awards to a county by one document."""
    programme = _programme(request, pk, "payments paid")
    county, year = _filters(request, programme)
    back = _payments_url(programme, county, year)
    if county is None or year is None:
        messages.error(request, "批量拨付须先选择县(市、区)和年度。")
        return HttpResponseRedirect(back)
    unpaid = [p for p in selectors.payments(programme, county=county, year=year) if not p.paid]
    return _mark(request, programme, unpaid, back)
