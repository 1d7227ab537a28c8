"""The city's configuration pages (mounted under supervision/): programmes, catalogs and their items."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment.catalog import forms, selectors, services
from assessment.models import CatalogItem, CatalogVersion
from core.forms import show_refusal
from core.records import StaleEdit
from portal.choices import Role
from portal.permissions import is_city, role_required
from portal.record_views import FORM_METHODS

# -- who may come in --------------------------------------------------------------------------------


def _catalog(year: int) -> CatalogVersion:
    found = CatalogVersion.objects.select_related("assessment_year", "copied_from").filter(year=year).first()
    if found is None:
        raise Http404
    return found


# -- programmes -------------------------------------------------------------------------------------


@require_safe
@role_required(Role.CITY)
def programme_list(request: HttpRequest) -> HttpResponse:
    """规范化建设行动: each programme with its years and its progress; the city's start page."""
    context = {"rows": selectors.programme_rows(), "tab": "programmes"}
    return render(request, "supervision/programme_list.html", context)


@require_http_methods(FORM_METHODS)
@role_required(Role.CITY)
def programme_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProgrammeForm(request.POST or None, initial={"years": 3})
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"已新建“{programme}”。")
            return HttpResponseRedirect(reverse("supervision:programme_list"))
    return render(request, "supervision/programme_form.html", {"form": form, "tab": "programmes"})


# -- catalogs ---------------------------------------------------------------------------------------


def _catalog_list_page(request: HttpRequest, form: forms.CatalogCopyForm) -> HttpResponse:
    context = {"catalogs": selectors.catalog_list(), "form": form, "tab": "catalogs"}
    return render(request, "supervision/catalog_list.html", context)


@require_safe
@role_required(Role.CITY)
def catalog_list(request: HttpRequest) -> HttpResponse:
    """考核细则: every year's catalog, locked or editable, and the form to start next year's."""
    latest = selectors.latest_catalog()
    initial = {"source": latest, "year": latest.year + 1} if latest else {}
    return _catalog_list_page(request, forms.CatalogCopyForm(initial=initial))


@require_POST
@role_required(Role.CITY)
def catalog_copy(request: HttpRequest) -> HttpResponse:
    form = forms.CatalogCopyForm(request.POST)
    if form.is_valid():
        try:
            copy = services.catalog_copy(
                actor=request.user, source=form.cleaned_data["source"], year=form.cleaned_data["year"]
            )
        except ValidationError as error:
            show_refusal(form, error, "year")
        else:
            messages.success(
                request,
                f"已复制{form.cleaned_data['source'].year}年考核细则为{copy.year}年考核细则,可在下方修改。",
            )
            return HttpResponseRedirect(reverse("supervision:catalog_detail", args=[copy.year]))
    return _catalog_list_page(request, form)


@require_safe
@role_required(Role.CITY, Role.COUNTY)
def catalog_detail(request: HttpRequest, year: int) -> HttpResponse:
    """A year's catalog by section. County inspectors read it too: they score by it."""
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
@role_required(Role.CITY)
def catalog_edit(request: HttpRequest, year: int) -> HttpResponse:
    """The pass mark and the staffing norm; read-only once a year is opened on the catalog."""
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
            show_refusal(form, error)
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
        show_refusal(form, error)
    return _item_page(request, catalog, item, form)


@require_http_methods(FORM_METHODS)
@role_required(Role.CITY)
def catalog_item_create(request: HttpRequest, year: int) -> HttpResponse:
    catalog = _catalog(year)
    item = CatalogItem(catalog=catalog, order=selectors.next_item_order(catalog))
    return _item_form(request, catalog, item)


@require_http_methods(FORM_METHODS)
@role_required(Role.CITY)
def catalog_item_edit(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    catalog = _catalog(year)
    item = catalog.items.filter(pk=pk).first()
    if item is None:
        raise Http404
    return _item_form(request, catalog, item)
