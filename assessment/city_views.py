"""The city bureau's pages of the annual assessment (督查): programmes, catalogs, opening a year, the
year's overview across the counties, the spot-check sample with the city's own scores, returning a
county's results and confirming the year.

Every page is the city's (county inspectors may also read a catalog, which they score by). The role
is checked here so other users get 403 before any lookup; every write goes through
assessment.services, which checks the actor and the workflow's state again and refuses with a
WorkflowError whose Chinese message the page shows as it is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.records import StaleEdit
from portal.choices import SecurityEventKind
from portal.permissions import is_city, is_county
from portal.security import record_security_event

from . import city_forms as forms
from . import city_selectors as selectors
from . import services
from .choices import YearState
from .models import AssessmentYear, CatalogItem, CatalogVersion

FORM_METHODS = ["GET", "HEAD", "POST"]


# -- who may come in --------------------------------------------------------------------------------


def _deny(request: HttpRequest, detail: str) -> None:
    record_security_event(SecurityEventKind.DENIED, request=request, user=request.user, detail=detail)
    raise PermissionDenied


def _require_city(request: HttpRequest, what: str) -> None:
    if not is_city(request.user):
        _deny(request, f"supervision: {what}")


def _year(year: int) -> AssessmentYear:
    found = selectors.year_queryset().filter(year=year).first()
    if found is None:
        raise Http404
    return found


def _catalog(year: int) -> CatalogVersion:
    found = CatalogVersion.objects.select_related("assessment_year", "copied_from").filter(year=year).first()
    if found is None:
        raise Http404
    return found


def _form_error(form, error: ValidationError, field: str | None = None) -> None:
    """Show a service's refusal on the form: next to the field it concerns, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error.messages)


def _overview_url(year: AssessmentYear) -> str:
    return reverse("supervision:year_overview", args=[year.year])


# -- programmes -------------------------------------------------------------------------------------


@require_safe
@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    """规范化建设行动: each programme with its years and its progress; the city's start page."""
    _require_city(request, "programme list")
    context = {"rows": selectors.programme_rows(), "tab": "programmes"}
    return render(request, "supervision/programme_list.html", context)


@require_http_methods(FORM_METHODS)
@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    _require_city(request, "programme create")
    form = forms.ProgrammeForm(request.POST or None, initial={"years": 3})
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已新建“{programme}”。")
            return HttpResponseRedirect(reverse("supervision:programme_list"))
    return render(request, "supervision/programme_form.html", {"form": form, "tab": "programmes"})


# -- catalogs ---------------------------------------------------------------------------------------


def _catalog_list_page(request: HttpRequest, form: forms.CatalogCopyForm) -> HttpResponse:
    context = {"catalogs": selectors.catalog_list(), "form": form, "tab": "catalogs"}
    return render(request, "supervision/catalog_list.html", context)


@require_safe
@login_required
def catalog_list(request: HttpRequest) -> HttpResponse:
    """考核细则: every year's catalog, locked or editable, and the form to start next year's."""
    _require_city(request, "catalog list")
    latest = selectors.latest_catalog()
    initial = {"source": latest, "year": latest.year + 1} if latest else {}
    return _catalog_list_page(request, forms.CatalogCopyForm(initial=initial))


@require_POST
@login_required
def catalog_copy(request: HttpRequest) -> HttpResponse:
    _require_city(request, "catalog copy")
    form = forms.CatalogCopyForm(request.POST)
    if form.is_valid():
        try:
            copy = services.catalog_copy(
                actor=request.user, source=form.cleaned_data["source"], year=form.cleaned_data["year"]
            )
        except ValidationError as error:
            _form_error(form, error, "year")
        else:
            messages.success(
                request,
                f"已复制{form.cleaned_data['source'].year}年考核细则为{copy.year}年考核细则,可在下方修改。",
            )
            return HttpResponseRedirect(reverse("supervision:catalog_detail", args=[copy.year]))
    return _catalog_list_page(request, form)


@require_safe
@login_required
def catalog_detail(request: HttpRequest, year: int) -> HttpResponse:
    """A year's catalog by section. County inspectors read it too: they score by it."""
    if not (is_city(request.user) or is_county(request.user)):
        _deny(request, f"supervision: catalog {year}")
    catalog = _catalog(year)
    context = {
        "view": selectors.catalog_view(catalog),
        "catalog": catalog,
        "may_edit": is_city(request.user) and not catalog.locked,
        "tab": "catalogs",
    }
    return render(request, "supervision/catalog_detail.html", context)


def _locked_message(catalog: CatalogVersion) -> str:
    try:
        services.catalog_check_editable(catalog)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@require_http_methods(FORM_METHODS)
@login_required
def catalog_edit(request: HttpRequest, year: int) -> HttpResponse:
    """The pass mark and the staffing norm; read-only once a year is opened on the catalog."""
    _require_city(request, f"catalog edit {year}")
    catalog = _catalog(year)
    conflict = None
    if request.method == "POST":
        form = forms.CatalogForm(request.POST, instance=catalog)
        try:
            services.catalog_check_editable(catalog)
            if form.is_valid():
                services.catalog_save(
                    actor=request.user,
                    version=form.save(commit=False),
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(request, f"{catalog.year}年考核细则的合格分数线和人员配备标准已保存。")
                return HttpResponseRedirect(reverse("supervision:catalog_detail", args=[catalog.year]))
        except StaleEdit as stale:
            conflict = stale
        except ValidationError as error:
            _form_error(form, error)
        catalog = _catalog(year)  # the form's save touched the instance; show the stored state
    else:
        form = forms.CatalogForm(instance=catalog)
    context = {
        "catalog": catalog,
        "form": form,
        "locked": _locked_message(catalog),
        "bands": selectors.staffing_band_rows(catalog.staffing_bands),
        "conflict": conflict,
        "tab": "catalogs",
    }
    return render(request, "supervision/catalog_form.html", context)


def _item_page(
    request: HttpRequest, catalog: CatalogVersion, item: CatalogItem, form, conflict=None
) -> HttpResponse:
    context = {
        "catalog": catalog,
        "item": item,
        "form": form,
        "locked": _locked_message(catalog),
        "conflict": conflict,
        "versions": selectors.item_history(item) if item.pk else [],
        "title": f"编辑考核项目 {item.code}" if item.pk else "新增考核项目",
        "tab": "catalogs",
    }
    return render(request, "supervision/catalog_item_form.html", context)


def _item_form(request: HttpRequest, catalog: CatalogVersion, item: CatalogItem) -> HttpResponse:
    if request.method != "POST":
        return _item_page(request, catalog, item, forms.CatalogItemForm(instance=item, catalog=catalog))
    form = forms.CatalogItemForm(request.POST, instance=item, catalog=catalog)
    creating = item.pk is None
    try:
        services.catalog_check_editable(catalog)
        if form.is_valid():
            saved = services.catalog_item_save(
                actor=request.user,
                item=form.save(commit=False),
                expected_version=form.cleaned_data.get("version"),
            )
            messages.success(request, f"考核项目 {saved.code} 已{'新增' if creating else '保存'}。")
            return HttpResponseRedirect(reverse("supervision:catalog_detail", args=[catalog.year]))
    except StaleEdit as stale:
        return _item_page(request, catalog, item, form, conflict=stale)
    except ValidationError as error:
        _form_error(form, error)
    return _item_page(request, catalog, item, form)


@require_http_methods(FORM_METHODS)
@login_required
def catalog_item_create(request: HttpRequest, year: int) -> HttpResponse:
    _require_city(request, f"catalog item create {year}")
    catalog = _catalog(year)
    item = CatalogItem(catalog=catalog, order=selectors.next_item_order(catalog))
    return _item_form(request, catalog, item)


@require_http_methods(FORM_METHODS)
@login_required
def catalog_item_edit(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    _require_city(request, f"catalog item edit {year}/{pk}")
    catalog = _catalog(year)
    item = catalog.items.filter(pk=pk).first()
    if item is None:
        raise Http404
    return _item_form(request, catalog, item)


# -- opening a year ---------------------------------------------------------------------------------


def _open_initial(request: HttpRequest, catalogs) -> dict:
    """Suggest the catalog asked for (?catalog=2013) or the earliest waiting one, and the programme
    whose years include it."""
    wanted = request.GET.get("catalog", "")
    chosen = next((c for c in catalogs if str(c.year) == wanted), None) or next(iter(catalogs), None)
    if chosen is None:
        return {}
    return {"catalog": chosen, "programme": selectors.programme_for_year(chosen.year)}


@require_http_methods(FORM_METHODS)
@login_required
def year_open(request: HttpRequest) -> HttpResponse:
    """Open a year on a catalog: every office gets its assessment, every county its result sheet."""
    _require_city(request, "year open")
    catalogs = selectors.catalogs_to_open()
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
                _form_error(form, error)
            else:
                messages.success(request, f"{opened.year}年度考核已开启,各镇(街道)可以开始自评。")
                return HttpResponseRedirect(_overview_url(opened))
    else:
        form = forms.YearOpenForm(initial=_open_initial(request, list(catalogs)), catalogs=catalogs)
    context = {"form": form, "has_programme": selectors.programme_for_year(None) is not None, "tab": "open"}
    return render(request, "supervision/year_open.html", context)


# -- one year ---------------------------------------------------------------------------------------


@require_safe
@login_required
def year_overview(request: HttpRequest, year: int) -> HttpResponse:
    """The city's overview of a year: every county's progress and results, the programme's progress,
    the sample, and the year's steps in the workflow log."""
    _require_city(request, f"year overview {year}")
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
@login_required
def sample_draw(request: HttpRequest, year: int) -> HttpResponse:
    """Draw the spot-check sample; a seed given reproduces an earlier draw."""
    _require_city(request, f"sample draw {year}")
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
@login_required
def city_score(request: HttpRequest, year: int, town_code: str) -> HttpResponse:
    """The city's scores of a sampled town, item by item beside the county's."""
    _require_city(request, f"city score {year}/{town_code}")
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
            _form_error(form, error)
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
@login_required
def differences(request: HttpRequest, year: int) -> HttpResponse:
    """Where the city's spot-check scores differ from the counties'."""
    _require_city(request, f"differences {year}")
    assessment_year = _year(year)
    groups = selectors.differences(assessment_year)
    context = {"year": assessment_year, "groups": groups}
    return render(request, "supervision/differences.html", context)


@require_POST
@login_required
def city_return(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Return a county's results to the county, with what to put right."""
    _require_city(request, f"city return {year}/{code}")
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
@login_required
def year_confirm(request: HttpRequest, year: int) -> HttpResponse:
    """Confirm the year: the results are frozen from then on."""
    _require_city(request, f"year confirm {year}")
    assessment_year = _year(year)
    form = forms.CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _run(
        request,
        assessment_year,
        lambda: services.year_confirm(actor=request.user, year=assessment_year, comment=comment),
        f"{year}年度考核结果已确认,结果已冻结。",
    )
