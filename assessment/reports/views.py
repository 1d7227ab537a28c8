"""Downloads of the reports (mounted under reports/): the three reports as PDF or XLSX, and the
background zip of every county's report with its progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from assessment.choices import ExportState
from assessment.models import AssessmentYear, ExportJob
from assessment.reports import ReportError, award, cache, jobs, pdf, selectors, sheet, summary, xlsx
from assessment.subsidies import forms as forms
from offices.models import County
from portal.choices import Role
from portal.permissions import Action, get_county_or_deny, get_office_or_deny, role_required
from portal.record_views import FORM_METHODS

CONTENT_TYPES = {"pdf": pdf.PDF_TYPE, "xlsx": xlsx.XLSX_TYPE}


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
    fingerprint = jobs.data_fingerprint(year) if fmt == "pdf" else ""
    try:
        report = award.award_report(county, year)
    except ReportError as error:
        raise Http404(str(error)) from error
    content = cache.award_pdf(report, fingerprint=fingerprint) if fmt == "pdf" else xlsx.award_xlsx(report)
    return _download(content, fmt=fmt, filename=report.filename)


@require_safe
@role_required(Role.CITY)
def city_summary(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """The city summary of a year: the city's only."""
    # Taken before the report is read, so a change in between makes the next request render anew.
    fingerprint = jobs.data_fingerprint(year) if fmt == "pdf" else ""
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


# -- every county's report at once (background job) -------------------------------------------------


def _opened_year(year: int) -> AssessmentYear:
    found = AssessmentYear.objects.select_related("programme").filter(year=year).first()
    if found is None:
        raise Http404
    return found


@require_http_methods(FORM_METHODS)
@role_required(Role.CITY)
def export_page(request: HttpRequest, year: int) -> HttpResponse:
    """The zip of every county's award report and the city summary: start it (POST), watch its
    progress, download it. A zip made from unchanged data is handed out again."""
    opened = _opened_year(year)
    if request.method == "POST":
        job, reused = jobs.export_start(actor=request.user, year=year)
        if reused and job.state == ExportState.DONE:
            messages.info(request, "数据未发生变化,沿用已生成的文件,可直接下载。")
        elif reused:
            messages.info(request, "相同数据的报表正在生成中,请稍候。")
        else:
            messages.success(request, "已开始生成各县(市、区)以奖代补报表,完成后可在本页下载。")
        return HttpResponseRedirect(reverse("reports:export_page", args=[year]))
    job = selectors.latest_export(year)
    current = job is not None and job.fingerprint == jobs.data_fingerprint(year)
    context = {"year": opened, "job": job, "current": current, "counties": County.objects.count()}
    return render(request, "reports/export.html", context)


@role_required(Role.CITY)
def _job(request: HttpRequest, pk: int) -> ExportJob:
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
    path = jobs.export_root() / job.file if job.file else None
    if job.state != ExportState.DONE or path is None or not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"嘉兴市{job.year}年度以奖代补报表.zip"
    )
    response["Cache-Control"] = "no-store"
    return response
