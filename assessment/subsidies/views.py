"""The city's subsidy pages (mounted under reports/): the award standard and tiers, the counties'
matching, the payments due and marking them paid."""

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
            value = row.matching.amount if row.matching.kind == MatchingKind.AMOUNT else row.matching.share
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
            "city": sum((p.city_amount for p in rows), amounts.ZERO),
            "county": sum((p.county_amount for p in rows), amounts.ZERO),
            "paid": sum((p.total for p in rows if p.paid), amounts.ZERO),
            "unpaid": sum((p.total for p in unpaid), amounts.ZERO),
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
        total = sum((p.total for p in payments), amounts.ZERO)
        messages.success(request, f"已将 {len(payments)} 条奖补资金(合计 {total:,.2f} 元)标记为已拨付。")
    return HttpResponseRedirect(back)


@require_POST
@role_required(Role.CITY)
def payment_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one town's payment paid, with its date and document number."""
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
