"""The city's subsidy pages (mounted under reports/): the award standard and tiers, every county's
matching with its lock, the payments due and marking the city's award paid. A county's own pages
(its matching, its towns' payments, marking its matching paid) are in county_views.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment.choices import MatchingKind
from assessment.models import Payment, SubsidyStandard
from assessment.subsidies import amounts, selectors
from assessment.subsidies import forms as forms
from assessment.subsidies import services as subsidies
from core.forms import show_refusal
from core.records import StaleEdit
from offices.models import County
from portal.choices import Role
from portal.permissions import role_required
from portal.record_views import FORM_METHODS

# -- the city's subsidy pages -----------------------------------------------------------------------


@role_required(Role.CITY)
def _programme(request: HttpRequest, pk: int, what: str):
    programme = selectors.programme_or_none(pk)
    if programme is None:
        raise Http404
    return programme


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
            show_refusal(form, error)
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


def matching_initial(matching) -> dict:
    """The form's values for a matching row (or none)."""
    if matching is None:
        return {}
    value = matching.amount if matching.kind == MatchingKind.AMOUNT else matching.share
    return {"kind": matching.kind, "value": value, "version": matching.version}


@require_http_methods(FORM_METHODS)
@login_required
def county_matching(request: HttpRequest, pk: int) -> HttpResponse:
    """县级配套标准: every county's matching subsidy (set by the county, or by the city), a fixed amount
    or a share of the city's award, with the city's lock on each."""
    programme = _programme(request, pk, "county matching")
    rows = selectors.matching_rows(programme)
    counties = [r.county for r in rows]
    initial = {}
    for row in rows:
        for name, value in matching_initial(row.matching).items():
            initial[f"{name}_{row.county.code}"] = value
    form = forms.MatchingForm(request.POST or None, initial=initial, counties=counties)
    form.bases = {r.county.code: r.basis for r in rows}
    form.matchings = {r.county.code: r.matching for r in rows}
    if request.method == "POST" and form.is_valid():
        entries = [
            subsidies.MatchingEntry(county=c, kind=kind, value=value, expected_version=version)
            for c, kind, value, version in form.cleaned_data["entries"]
        ]
        try:
            changed = subsidies.matchings_save(actor=request.user, programme=programme, entries=entries)
        except StaleEdit:
            form.add_error(None, "配套标准已被他人(县级或市局)修改,请刷新后重试。")
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, f"已保存 {changed} 个县(市、区)的配套标准。" if changed else "配套标准没有变化。"
            )
            return HttpResponseRedirect(request.path)
    context = {"programme": programme, "form": form, "rows": rows, "tab": "matching"}
    return render(request, "reports/county_matching.html", context)


@require_POST
@role_required(Role.CITY)
def county_matching_lock(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The city locks a county's matching (locked=1: the county can no longer change it) or unlocks
    it (locked=0)."""
    programme = selectors.programme_or_none(pk)
    county = County.objects.filter(code=code).first()
    if programme is None or county is None:
        raise Http404
    locked = request.POST.get("locked") == "1"
    try:
        subsidies.matching_lock(actor=request.user, programme=programme, county=county, locked=locked)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"已锁定{county.name}的配套标准,县级不能再修改。"
            if locked
            else f"已解锁{county.name}的配套标准,县级可以重新设定。",
        )
    if request.POST.get("back") == "county":
        return HttpResponseRedirect(reverse("reports:county_matching_edit", args=[programme.pk, county.code]))
    return HttpResponseRedirect(reverse("reports:county_matching", args=[programme.pk]))


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
    """以奖代补资金: the programme's payments per county and year, both parts with their paid states,
    and the forms to mark the city's award paid."""
    programme = _programme(request, pk, "payment list")
    county, year = _filters(request, programme)
    rows = list(selectors.payments(programme, county=county, year=year))
    context = {
        "programme": programme,
        "rows": rows,
        "county": county,
        "year": year,
        "counties": County.objects.order_by("code"),
        "totals": selectors.payment_totals(rows),
        "stale": subsidies.payments_stale(programme),
        # Paid awards a correction turned into a fail: listed on top for the city to handle.
        "to_handle": selectors.payments_to_handle(programme),
        "has_standard": SubsidyStandard.objects.filter(programme=programme).exists(),
        "form": forms.MarkPaidForm(),
        "mark_city": True,
        "mark_county": False,
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
        f"撤销 {result.deleted} 条;{result.paid} 条已有拨付,其已拨付部分保持不变。",
    )
    county, year = _filters(request, programme)
    return HttpResponseRedirect(_payments_url(programme, county, year))


def mark(request: HttpRequest, payments: list[Payment], back: str, *, county_part: bool) -> HttpResponse:
    """Mark one part of payments paid from the posted date and 文号: the city's award, or (with
    `county_part`) the county's matching."""
    form = forms.MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(back)
    if not payments:
        messages.info(request, "没有需要标记的未拨付记录。")
        return HttpResponseRedirect(back)
    service = subsidies.payments_mark_county_paid if county_part else subsidies.payments_mark_paid
    try:
        service(
            actor=request.user,
            payments=payments,
            paid_on=form.cleaned_data["paid_on"],
            document_no=form.cleaned_data["document_no"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        label = "县级配套资金" if county_part else "市级奖补资金"
        total = sum((p.county_amount if county_part else p.city_amount for p in payments), amounts.ZERO)
        messages.success(request, f"已将 {len(payments)} 条{label}(合计 {total:,.2f} 元)标记为已拨付。")
    return HttpResponseRedirect(back)


@require_POST
@role_required(Role.CITY)
def payment_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one town's city award paid (市级奖补已拨付), with its date and document number."""
    payment = Payment.objects.select_related("programme", "office").filter(pk=pk).first()
    if payment is None:
        raise Http404
    county, year = _filters(request, payment.programme)
    return mark(request, [payment], _payments_url(payment.programme, county, year), county_part=False)


@require_POST
@login_required
def payments_mark_paid_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the city's award of every payment of the list as filtered (a county and a year) not yet
    paid by the city, under one document: the city allocates a year's awards to a county by one
    document."""
    programme = _programme(request, pk, "payments paid")
    county, year = _filters(request, programme)
    back = _payments_url(programme, county, year)
    if county is None or year is None:
        messages.error(request, "批量拨付须先选择县(市、区)和年度。")
        return HttpResponseRedirect(back)
    unpaid = [p for p in selectors.payments(programme, county=county, year=year) if not p.paid]
    return mark(request, unpaid, back, county_part=False)
