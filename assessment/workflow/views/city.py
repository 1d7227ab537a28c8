"""The city bureau's pages of a year (督查): opening it, the overview across the counties, the
spot-check sample with the city's own scores, the differences, returning a county and confirming."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment.catalog import selectors as catalog_selectors
from assessment.choices import YearState
from assessment.models import AssessmentYear
from assessment.workflow import city_forms as forms
from assessment.workflow import services
from assessment.workflow import year_selectors as selectors
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
                opened = services.year_open(
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


def _run(request: HttpRequest, year: AssessmentYear, step, success: str) -> HttpResponse:
    """A POST-only step of the year: run the service and go back to the overview, whose top shows
    the outcome (the service's own message when it refuses)."""
    try:
        step()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(_overview_url(year))


@require_POST
@role_required(Role.CITY)
def sample_draw(request: HttpRequest, year: int) -> HttpResponse:
    """Draw the spot-check sample; a seed given reproduces an earlier draw."""
    assessment_year = _year(year)
    form = forms.SampleDrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(_overview_url(assessment_year))
    seed = form.cleaned_data["seed"].strip()
    return _run(
        request,
        assessment_year,
        lambda: services.sample_draw(actor=request.user, year=assessment_year, seed=seed or None),
        f"{year}年督查样本已抽取。",
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
        initial={"version": assessment.version},
    )
    if request.method == "POST" and form.is_valid():
        items = [services.CityItem(score=s, city_points=p, note=n) for s, p, n in form.entries()]
        try:
            services.city_score_save(
                actor=request.user,
                assessment=assessment,
                items=items,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data.get("version"),
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


@require_POST
@role_required(Role.CITY)
def city_return(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Return a county's results to the county, with what to put right."""
    assessment_year = _year(year)
    result = selectors.county_result(assessment_year, code)
    if result is None:
        raise Http404
    form = forms.CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _run(
        request,
        assessment_year,
        lambda: services.city_return_county(actor=request.user, result=result, comment=comment),
        f"已将{result.county}的考核结果退回县级。",
    )


@require_POST
@role_required(Role.CITY)
def year_confirm(request: HttpRequest, year: int) -> HttpResponse:
    """Confirm the year: the results are frozen from then on."""
    assessment_year = _year(year)
    form = forms.CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _run(
        request,
        assessment_year,
        lambda: services.year_confirm(actor=request.user, year=assessment_year, comment=comment),
        f"{year}年度考核结果已确认,结果已冻结。",
    )
