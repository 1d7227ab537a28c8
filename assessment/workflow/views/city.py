"""The city bureau's pages of a year (督查): opening it, the overview across the counties, the
spot-check sample with the city's own scores, the differences, returning a county and confirming."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from assessment.catalog import selectors as catalog_selectors
from assessment.choices import YearState
from assessment.models import AssessmentYear
from assessment.workflow import city_forms as forms
from assessment.workflow import city_services as services
from assessment.workflow import previews
from assessment.workflow import selectors as workflow_selectors
from assessment.workflow import services as workflow_services
from assessment.workflow import year_selectors as selectors
from assessment.workflow.filters import TownFilters
from assessment.workflow.views.common import TOWNS_PER_PAGE, confirm_page, town_filter_context
from core.forms import show_refusal
from portal.choices import Role
from portal.permissions import role_required
from portal.record_views import FORM_METHODS


def _year(year: int) -> AssessmentYear:
    found = selectors.year_queryset().filter(year=year).first()
    if found is None:
        raise Http404
    return found


def _overview_url(year: AssessmentYear) -> str:
    return reverse("supervision:year_overview", args=[year.year])


# -- opening a year ---------------------------------------------------------------------------------


def _open_initial(request: HttpRequest, catalogs) -> dict:
    """Suggest the catalog asked for (?catalog=2013) or the earliest waiting one, and the programme
    whose years include it."""
    wanted = request.GET.get("catalog", "")
    chosen = next((c for c in catalogs if str(c.year) == wanted), None) or next(iter(catalogs), None)
    if chosen is None:
        return {}
    return {"catalog": chosen, "programme": catalog_selectors.programme_for_year(chosen.year)}


@require_http_methods(FORM_METHODS)
@role_required(Role.CITY)
def year_open(request: HttpRequest) -> HttpResponse:
    """Open a year on a catalog: every office gets its assessment, every county its result sheet."""
    catalogs = catalog_selectors.catalogs_to_open()
    if request.method == "POST":
        form = forms.YearOpenForm(request.POST, catalogs=catalogs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                opened = workflow_services.year_open(
                    actor=request.user,
                    programme=data["programme"],
                    catalog=data["catalog"],
                    self_assessment_due=data["self_assessment_due"],
                    county_due=data["county_due"],
                    sample_rate=data["sample_rate"],
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, f"{opened.year}年度考核已开启,各镇(街道)可以开始自评。")
                return HttpResponseRedirect(_overview_url(opened))
    else:
        form = forms.YearOpenForm(initial=_open_initial(request, list(catalogs)), catalogs=catalogs)
    context = {
        "form": form,
        "has_programme": catalog_selectors.programme_for_year(None) is not None,
        "tab": "open",
    }
    return render(request, "supervision/year_open.html", context)


# -- one year ---------------------------------------------------------------------------------------


@require_safe
@role_required(Role.CITY)
def year_overview(request: HttpRequest, year: int) -> HttpResponse:
    """The city's overview of a year: every county's progress and results, the programme's progress,
    the sample, and the year's steps in the workflow log."""
    assessment_year = _year(year)
    context = {
        "overview": selectors.year_overview(assessment_year),
        "year": assessment_year,
        "is_open": assessment_year.state == YearState.OPEN,
        "sample_form": forms.SampleDrawForm(),
        "confirm_form": forms.CommentForm(),
    }
    return render(request, "supervision/year_overview.html", context)


@require_safe
@role_required(Role.CITY)
def year_towns(request: HttpRequest, year: int) -> HttpResponse:
    """全市镇(街道): every town of the year across the counties, filtered (county, state, result,
    late or not) and ordered (town, state, score, submission, visit) as asked; the same list each
    county sees of its own towns."""
    assessment_year = _year(year)
    counties = selectors.county_choices()
    filters = TownFilters.from_query(request.GET, counties=tuple(code for code, _ in counties))
    rows = filters.apply(
        workflow_selectors.town_rows(assessment_year, selectors.year_assessments(assessment_year))
    )
    context = {
        "year": assessment_year,
        "page": Paginator(rows, TOWNS_PER_PAGE).get_page(request.GET.get("page")),
        "counties": counties,
        **town_filter_context(filters, assessment_year),
    }
    return render(request, "supervision/year_towns.html", context)


STEP_METHODS = ["GET", "HEAD", "POST"]


def _step(
    request: HttpRequest, year: AssessmentYear, preview, step, success: str, *, form=None, back: str = ""
):
    """A step of the year: GET asks first (what it will do, what is unfinished); POST runs the
    service and goes back to the overview, whose top shows the outcome (the service's own message
    when it refuses)."""
    back = back or _overview_url(year)
    if request.method != "POST":
        return confirm_page(request, preview, cancel=back, form=form)
    try:
        step()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(back)


def _comment(request: HttpRequest) -> str:
    form = forms.CommentForm(request.POST)
    return form.cleaned_data["comment"] if form.is_valid() else ""


@require_http_methods(STEP_METHODS)
@role_required(Role.CITY)
def sample_draw(request: HttpRequest, year: int) -> HttpResponse:
    """Draw the sample of every county that has reported and has none yet, each with its own seed."""
    assessment_year = _year(year)
    return _step(
        request,
        assessment_year,
        previews.sample_reported(assessment_year),
        lambda: services.sample_draw_reported(actor=request.user, year=assessment_year),
        f"已为已上报的县(市、区)抽取{year}年督查样本。",
    )


@require_http_methods(STEP_METHODS)
@role_required(Role.CITY)
def sample_county(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Draw one county's sample, once it has reported; a seed given reproduces an earlier draw."""
    assessment_year = _year(year)
    result = selectors.county_result(assessment_year, code)
    if result is None:
        raise Http404
    form = forms.SampleDrawForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        return confirm_page(
            request, previews.sample_county(result), cancel=_overview_url(assessment_year), form=form
        )
    seed = form.cleaned_data["seed"].strip() if request.method == "POST" else ""
    return _step(
        request,
        assessment_year,
        previews.sample_county(result),
        lambda: services.sample_draw(actor=request.user, result=result, seed=seed or None),
        f"已抽取{result.county}{year}年督查样本。",
        form=form,
    )


@require_http_methods(FORM_METHODS)
@role_required(Role.CITY)
def city_score(request: HttpRequest, year: int, town_code: str) -> HttpResponse:
    """The city's scores of a sampled town, item by item beside the county's."""
    assessment_year = _year(year)
    assessment = selectors.sampled_assessment(assessment_year, town_code)
    if assessment is None:
        raise Http404
    scores = selectors.score_rows(assessment)
    form = forms.CityScoreForm(
        request.POST or None,
        scores=scores,
        comment=assessment.city_comment,
        initial={
            "version": assessment.version,
            "visit_date": assessment.city_visit_date,
            "inspectors": assessment.city_inspectors,
            "difference_note": assessment.difference_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        items = [services.CityItem(score=s, city_points=p, note=n) for s, p, n in form.entries()]
        data = form.cleaned_data
        try:
            services.city_score_save(
                actor=request.user,
                assessment=assessment,
                items=items,
                visit_date=data["visit_date"],
                inspectors=data["inspectors"],
                comment=data["comment"],
                difference_note=data["difference_note"],
                expected_version=data.get("version"),
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{assessment.office.town.name}的市级督查评分已保存。")
            return HttpResponseRedirect(request.path)
    context = {
        "year": assessment_year,
        "assessment": assessment,
        "form": form,
        "summary": selectors.score_summary(assessment, scores),
        "is_open": assessment_year.state == YearState.OPEN,
    }
    return render(request, "supervision/city_score.html", context)


@require_safe
@role_required(Role.CITY)
def differences(request: HttpRequest, year: int) -> HttpResponse:
    """Where the city's spot-check scores differ from the counties'."""
    assessment_year = _year(year)
    groups = selectors.differences(assessment_year)
    context = {"year": assessment_year, "groups": groups}
    return render(request, "supervision/differences.html", context)


@require_http_methods(STEP_METHODS)
@role_required(Role.CITY)
def city_return(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Return a county's results to the county, with what to put right; its approvals stay."""
    assessment_year = _year(year)
    result = selectors.county_result(assessment_year, code)
    if result is None:
        raise Http404
    return _step(
        request,
        assessment_year,
        previews.city_return_county(result),
        lambda: services.city_return_county(actor=request.user, result=result, comment=_comment(request)),
        f"已将{result.county}的考核结果退回县级。",
    )


def _sampled_or_approved(assessment_year: AssessmentYear, town_code: str):
    found = selectors.year_assessment(assessment_year, town_code)
    if found is None:
        raise Http404
    return found


@require_http_methods(STEP_METHODS)
@role_required(Role.CITY)
def city_return_town(request: HttpRequest, year: int, town_code: str) -> HttpResponse:
    """Return one town to the town (its county reports again); the county's other towns stay."""
    assessment_year = _year(year)
    assessment = _sampled_or_approved(assessment_year, town_code)
    return _step(
        request,
        assessment_year,
        previews.city_return_town(assessment),
        lambda: services.city_return_town(
            actor=request.user, assessment=assessment, comment=_comment(request)
        ),
        f"已将{assessment.office.town.name}的考核退回镇(街道)。",
    )


@require_http_methods(STEP_METHODS)
@role_required(Role.CITY)
def waive(request: HttpRequest, year: int, town_code: str) -> HttpResponse:
    """A sampled town confirmed without the city's own scores, for a stated reason."""
    assessment_year = _year(year)
    assessment = selectors.sampled_assessment(assessment_year, town_code)
    if assessment is None:
        raise Http404
    return _step(
        request,
        assessment_year,
        previews.waive(assessment),
        lambda: services.city_score_waive(
            actor=request.user, assessment=assessment, reason=_comment(request)
        ),
        f"{assessment.office.town.name}已免于市级督查评分。",
    )


@require_http_methods(STEP_METHODS)
@role_required(Role.CITY)
def year_confirm(request: HttpRequest, year: int) -> HttpResponse:
    """Confirm the year: the results are frozen from then on."""
    assessment_year = _year(year)
    return _step(
        request,
        assessment_year,
        previews.year_confirm(assessment_year),
        lambda: services.year_confirm(actor=request.user, year=assessment_year, comment=_comment(request)),
        f"{year}年度考核结果已确认,结果已冻结。",
    )
