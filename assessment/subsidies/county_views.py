"""A county's own subsidy pages (mounted under reports/): its matching standard (配套标准), which it
sets until the city locks it, and its towns' payments, where it marks its matching paid (县级配套已
拨付). The county's inspector sees its own county (another county's is 404); the city sees every
county's, and may set a matching here too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment.models import Payment, Programme
from assessment.subsidies import forms, selectors
from assessment.subsidies import services as subsidies
from assessment.subsidies.views import mark, matching_initial
from core.records import StaleEdit
from offices.models import County
from portal.choices import Role
from portal.permissions import Action, can, get_county_or_deny, get_record_or_deny, role_required
from portal.record_views import FORM_METHODS


def _programme(pk: int) -> Programme:
    programme = selectors.programme_or_none(pk)
    if programme is None:
        raise Http404
    return programme


def _year(request: HttpRequest, programme: Programme) -> int | None:
    params = request.POST if request.method == "POST" else request.GET
    try:
        year = int(params.get("year", ""))
    except ValueError:
        return None
    return year if year in programme.year_range else None


def _payments_url(programme: Programme, county: County, year: int | None) -> str:
    url = reverse("reports:county_payments", args=[programme.pk, county.code])
    return f"{url}?year={year}" if year else url


@require_http_methods(FORM_METHODS)
@login_required
def county_matching_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """本县配套标准: the county sets its matching subsidy per standardized town, a fixed amount or a
    share of the city's award; read-only for the county once the city locked it."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    programme = _programme(pk)
    matching = selectors.matching_of(programme, county)
    form = forms.CountyMatchingForm(request.POST or None, initial=matching_initial(matching))
    editable = subsidies.may_set_matching(request.user, county, matching)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = subsidies.matching_save(
                actor=request.user,
                programme=programme,
                county=county,
                kind=data["kind"],
                value=data["value"],
                expected_version=data.get("version"),
            )
        except StaleEdit as stale:
            conflict = stale
            form.add_error(None, "配套标准已被他人(县级或市局)修改,请刷新后重试。")
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                "配套标准已保存,未拨付的县级配套资金已按新标准重新核算。"
                if changed
                else "配套标准没有变化。",
            )
            return HttpResponseRedirect(request.path)
    context = {
        "programme": programme,
        "county": county,
        "matching": matching,
        "basis": selectors.MatchingRow(county, matching).basis,
        "standard_text": selectors.standard_text(programme),
        "form": form,
        "editable": editable,
        "conflict": conflict,
        "changes": selectors.matching_changes(matching),
        "tab": "county_matching",
    }
    return render(request, "reports/county_matching_edit.html", context)


@require_safe
@login_required
def county_payments(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """本县以奖代补资金: the county's towns' payments, both parts with their paid states, and (for the
    county's inspector) the forms to mark its matching paid."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    programme = _programme(pk)
    year = _year(request, programme)
    rows = list(selectors.payments(programme, county=county, year=year))
    context = {
        "programme": programme,
        "rows": rows,
        "county": county,
        "year": year,
        "totals": selectors.payment_totals(rows),
        "form": forms.MarkPaidForm(),
        "county_page": True,
        "mark_city": False,
        "mark_county": can(request.user, Action.ASSESS, county),
        "tab": "county_payments",
    }
    return render(request, "reports/payment_list.html", context)


@require_POST
@role_required(Role.COUNTY)
def county_payments_mark_paid(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Mark the county's matching of every payment of a year not yet paid by the county, under one
    document: the county allocates a year's matching by one document."""
    county = get_county_or_deny(request.user, Action.ASSESS, code=code, request=request)
    programme = _programme(pk)
    year = _year(request, programme)
    back = _payments_url(programme, county, year)
    if year is None:
        messages.error(request, "批量拨付须先选择年度。")
        return HttpResponseRedirect(back)
    unpaid = [
        p
        for p in selectors.payments(programme, county=county, year=year)
        if not p.county_paid and p.county_amount > 0
    ]
    return mark(request, unpaid, back, county_part=True)


@require_POST
@role_required(Role.COUNTY)
def payment_mark_county_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one town's county matching paid (县级配套已拨付), with its date and document number."""
    payment = get_record_or_deny(
        request.user,
        Action.ASSESS,
        Payment.objects.select_related("programme", "office__town__county"),
        pk=pk,
        request=request,
    )
    back = _payments_url(payment.programme, payment.office.town.county, _year(request, payment.programme))
    return mark(request, [payment], back, county_part=True)
