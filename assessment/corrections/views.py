"""The pages of corrections (更正): an office's requests and a new one, a request with its decision and
withdrawal, the county's and the city's lists. Who may do what is the permission door's answer and
the services'; the pages only choose what to show."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import DateField, Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from assessment.choices import CorrectionState, Level
from assessment.errors import WorkflowError
from assessment.models import Correction
from core.forms import show_refusal
from core.registry import office_id_of, office_record
from portal.choices import Role
from portal.permissions import Action, get_county_or_deny, get_record_or_deny, refuse, role_required
from portal.record_views import OfficePage, RecordListPage, parse_year

from . import selectors, services
from .forms import CorrectionForm, DecideForm, KeyForm, record_changes, record_form
from .kinds import KINDS, RecordKind, shown

PICKER_ROWS = 100


def _state(request: HttpRequest) -> str:
    state = request.GET.get("state", "")
    return state if state in CorrectionState.values else ""


def _key(opts, instance: Model, name: str) -> tuple[str, str]:
    field = opts.get_field(name)
    return str(field.verbose_name), shown(instance, field)


def _detail(correction: Correction) -> str:
    return reverse("assessment:correction_detail", args=[correction.pk])


# -- an office's requests ----------------------------------------------------------------------------


class OfficeCorrections(RecordListPage):
    """更正申请 of one office, waiting ones first; a new one starts here."""

    template_name = "assessment/corrections/office_list.html"

    def get_queryset(self):
        return selectors.office_corrections(office=self.office, state=_state(self.request))

    def extra_context(self) -> dict:
        return {
            "may_correct": services.may_file(self.request.user, self.office),
            "kinds": list(KINDS.values()),
            "state": _state(self.request),
            "states": CorrectionState.choices,
        }


class CorrectionCreate(OfficePage):
    """申请更正: the record's own form with its current values, what is wrong, why, and the evidence.

    The address names the record: ``?record=<label>&pk=<id>``, or ``?record=<label>&new=1`` with the
    fields naming a record to add (``&year=2011&kind=…``). Without them the page asks for them."""

    http_method_names = ["get", "head", "post"]
    template_name = "assessment/corrections/new.html"
    kind: RecordKind
    before: Model | None
    instance: Model

    def prepare(self) -> HttpResponse | None:
        """Find the record (or the record to add); a page to choose it when the address is short."""
        if not services.may_file(self.request.user, self.office):
            raise refuse(self.request, f"may not file a correction for office {self.office.pk}")
        query = self.request.GET
        kind = KINDS.get(query.get("record", ""))
        if kind is None:
            return self.render(step="kind", kinds=list(KINDS.values()))
        self.kind = kind
        if query.get("pk"):
            record = self._record(kind, query["pk"])
            self.before, self.instance = record, copy.deepcopy(record)
            return None
        if not query.get("new"):
            year = parse_year(query.get("year"))
            return self.render(step="record", kind=kind, records=self._records(kind, year), year=year)
        if not kind.addable:
            raise Http404
        keys = KeyForm(query if any(k in query for k in kind.keys) else None, kind=kind)
        if not keys.is_valid() and kind.keys:
            return self.render(step="keys", kind=kind, key_form=keys)
        values = keys.cleaned_data if kind.keys else {}
        found = kind.model._default_manager.filter(office=self.office, **values).first() if values else None
        if found is not None:
            # The record exists: correct it instead of adding a second one.
            url = reverse("assessment:correction_create", args=[self.office.town.code])
            return HttpResponseRedirect(f"{url}?record={kind.label}&pk={found.pk}")
        self.before, self.instance = None, kind.model(office=self.office, **values)
        return None

    def _record(self, kind: RecordKind, pk: str) -> Model:
        record = kind.model._default_manager.filter(pk=pk).first() if pk.isdigit() else None
        if record is None or office_id_of(record) != self.office.pk:
            raise Http404
        return record

    def _records(self, kind: RecordKind, year: int | None) -> list[Model]:
        entry = office_record(kind.label)
        rows = kind.model._default_manager.filter(**{entry.office: self.office.pk})
        if year and isinstance(entry.counts_in, str) and "__" not in entry.counts_in:
            field = kind.model._meta.get_field(entry.counts_in)
            lookup = f"{entry.counts_in}__year" if isinstance(field, DateField) else entry.counts_in
            rows = rows.filter(**{lookup: year})
        return list(rows.order_by("-pk")[:PICKER_ROWS])

    def show(self, form, correction_form) -> HttpResponse:
        opts = self.kind.model._meta
        keys = [] if self.before is not None else self.kind.keys
        return self.render(
            step="form",
            kind=self.kind,
            record=self.before,
            adding=self.before is None,
            key_values=[
                (opts.get_field(n).verbose_name, shown(self.instance, opts.get_field(n))) for n in keys
            ],
            form=form,
            correction_form=correction_form,
        )

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        early = self.prepare()
        if early is not None:
            return early
        return self.show(record_form(self.kind, self.instance), CorrectionForm())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        early = self.prepare()
        if early is not None:
            return early
        form = record_form(self.kind, self.instance, request.POST)
        correction_form = CorrectionForm(request.POST, request.FILES)
        valid = form.is_valid()
        if not (correction_form.is_valid() and valid):
            return self.show(form, correction_form)
        changes = record_changes(self.kind, form, self.before)
        if not changes:
            form.add_error(None, "没有修改任何内容:请在下面改正有误的资料后再提交。")
            return self.show(form, correction_form)
        data = correction_form.cleaned_data
        try:
            correction = services.correction_file(
                actor=request.user,
                office=self.office,
                record_label=self.kind.label,
                record_id=self.before.pk if self.before is not None else None,
                changes=changes,
                problem=data["problem"],
                reason=data["reason"],
                evidence=data["evidence"],
            )
        except PermissionDenied as denied:
            raise refuse(request, f"correction of office {self.office.pk}") from denied
        except WorkflowError as refused:
            show_refusal(correction_form, refused)
            return self.show(form, correction_form)
        except ValidationError as invalid:
            show_refusal(form, invalid)
            return self.show(form, correction_form)
        messages.success(
            request, f"更正申请#{correction.pk}已提交,等待{correction.get_level_display()}审核。"
        )
        return HttpResponseRedirect(_detail(correction))


# -- one request ------------------------------------------------------------------------------------------


def _get(request: HttpRequest, pk: int) -> Correction:
    return get_record_or_deny(request.user, Action.VIEW, selectors.correction_rows(), pk=pk, request=request)


@require_safe
@login_required
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: what it changes, why, the evidence, the decision and what it did to the score."""
    correction = _get(request, pk)
    kind = KINDS.get(correction.record_label)
    entry = office_record(correction.record_label)
    history_url = ""
    if correction.record_id and entry is not None and entry.history:
        history_url = reverse("object_history", args=[correction.record_label, correction.record_id])
    context = {
        "office": correction.office,
        "correction": correction,
        "kind_name": kind.name if kind else correction.record_label,
        "changes": correction.change_list,
        "may_decide": services.may_decide(request.user, correction),
        "may_withdraw": services.may_withdraw(request.user, correction),
        "decider": selectors.decider_label(correction),
        "city_decides": selectors.decider_level(correction) == Level.CITY,
        "decide_form": DecideForm(),
        "history_url": history_url,
    }
    return render(request, "assessment/corrections/detail.html", context)


@require_POST
@login_required
def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """批准 or 驳回, by the county while the year is open and by the city once it is confirmed."""
    correction = _get(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果。")
        return HttpResponseRedirect(_detail(correction))
    try:
        services.correction_decide(
            actor=request.user, correction=correction, approve=form.approve, note=form.cleaned_data["note"]
        )
    except PermissionDenied as denied:
        raise refuse(request, f"may not decide correction {correction.pk}") from denied
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return HttpResponseRedirect(_detail(correction))
    messages.success(request, "已批准更正,资料和得分已更新。" if form.approve else "已驳回更正申请。")
    return HttpResponseRedirect(_detail(correction))


@require_POST
@login_required
def correction_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回: the one who filed it, or the office's staff, while it waits."""
    correction = _get(request, pk)
    try:
        services.correction_withdraw(actor=request.user, correction=correction)
    except PermissionDenied as denied:
        raise refuse(request, f"may not withdraw correction {correction.pk}") from denied
    except WorkflowError as refused:
        messages.error(request, " ".join(refused.messages))
        return HttpResponseRedirect(_detail(correction))
    messages.success(request, "更正申请已撤回。")
    return HttpResponseRedirect(reverse("assessment:correction_list", args=[correction.office.town.code]))


# -- the county's and the city's lists -------------------------------------------------------------------


def _list_page(request: HttpRequest, template: str, rows, waiting, **context) -> HttpResponse:
    state = _state(request)
    page = Paginator(rows(state=state), 50).get_page(request.GET.get("page"))
    context |= {
        "page": page,
        "state": state,
        "states": CorrectionState.choices,
        "counts": selectors.state_counts(rows()),
        "waiting": waiting.count(),
    }
    return render(request, template, context)


@require_safe
@login_required
def county_corrections(request: HttpRequest, code: str) -> HttpResponse:
    """本县更正申请: the requests of the county's towns, those waiting for the county first."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    return _list_page(
        request,
        "assessment/corrections/county_list.html",
        lambda state="": selectors.county_corrections(county=county, state=state),
        selectors.county_pending(county=county),
        county=county,
    )


@require_safe
@role_required(Role.CITY, what="city corrections")
def city_corrections(request: HttpRequest) -> HttpResponse:
    """全市更正申请: requests on confirmed years wait for the city and come first."""
    return _list_page(
        request,
        "assessment/corrections/city_list.html",
        lambda state="": selectors.city_corrections(state=state),
        selectors.city_pending(),
    )
