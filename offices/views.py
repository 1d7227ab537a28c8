"""Pages of counties and offices. Who sees what is decided by portal.permissions; writes
go through core.records (edit-version check, audit history)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from assessment.gaps import gaps_for, office_gaps
from core.history import office_activity
from portal.choices import SecurityEventKind
from portal.permissions import Action, get_county_or_deny, get_office_or_deny, is_city
from portal.record_views import (
    OfficePage,
    RecordDeletePage,
    RecordEditPage,
    RecordListPage,
    parse_year,
    year_choices,
)
from portal.security import record_security_event
from staffing.selectors import active_staff

from . import forms, selectors
from .choices import PlanKind, PostedRuleKind
from .models import Budget, InternalCheck, OfficeYearFacts, Plan, PostedRule, Premises


def _working_year(request: HttpRequest, default: int | None = None) -> int:
    return parse_year(request.GET.get("year"), default or timezone.localdate().year)


@require_safe
@login_required
def county_list(request: HttpRequest) -> HttpResponse:
    """The city's view of its counties."""
    if not is_city(request.user):
        record_security_event(
            SecurityEventKind.DENIED, request=request, user=request.user, detail="county list"
        )
        raise PermissionDenied
    counties = selectors.county_list(user=request.user)
    return render(request, "offices/county_list.html", {"counties": counties})


@require_safe
@login_required
def county_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A county with its towns and each town's gaps for the year: the inspector's start page."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    query = request.GET.get("q", "").strip()
    year = _working_year(request, selectors.latest_filed_year(county=county))
    offices = selectors.office_list(user=request.user, county=county, query=query)
    page = Paginator(offices, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    gaps = gaps_for(rows, year)
    for office in rows:
        office.gaps = gaps[office.pk]
    context = {
        "county": county,
        "page": page,
        "rows": rows,
        "query": query,
        "year": year,
        "years": year_choices(),
    }
    return render(request, "offices/county_detail.html", context)


class OfficeHome(OfficePage):
    """我的民政办: the office's state for a year, and what it misses against the standard."""

    template_name = "offices/office_detail.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        year = _working_year(request, selectors.latest_filed_year(office=self.office))
        gaps = office_gaps(self.office, year)
        return self.render(
            year=year,
            years=year_choices(),
            gaps=gaps,
            summary=selectors.office_year_summary(office=self.office, year=year),
            staff=active_staff(office=self.office),
            assessment=selectors.office_assessment(office=self.office, year=year),
        )


@require_safe
@login_required
def office_history(request: HttpRequest, town_code: str) -> HttpResponse:
    """Everything changed on an office and its records, for whoever may view the office."""
    office = get_office_or_deny(request.user, Action.VIEW, town_code=town_code, request=request)
    page = office_activity(office, page=request.GET.get("page"))
    return render(request, "offices/office_history.html", {"office": office, "page": page})


class ProfileEdit(RecordEditPage):
    form_class = forms.OfficeProfileForm
    title = "编辑基本信息"

    def get_object(self) -> Model:
        return self.office

    def success_url(self, obj: Model) -> str:
        return self.office_url("offices:office_detail")


class YearlyRecordEdit(RecordEditPage):
    """Edit the one record an office files per year (and per kind, for rules and plans)."""

    model: type[Model]
    list_url_name = ""

    def year(self) -> int:
        year = parse_year(self.kwargs["year"])
        if year is None:
            raise Http404
        return year

    def lookup(self) -> dict:
        return {"year": self.year()}

    def get_object(self) -> Model:
        found = self.model.objects.filter(office=self.office, **self.lookup()).first()
        return found or self.model(office=self.office, **self.lookup())

    def success_url(self, obj: Model) -> str:
        return self.back_url()

    def back_url(self) -> str:
        return self.office_url(self.list_url_name) + f"?year={self.year()}"

    def get_title(self, obj: Model) -> str:
        return f"{self.year()}年{self.parent_label}"


class YearlyRecordList(RecordListPage):
    model: type[Model]
    page_size = 20

    def get_queryset(self):
        return self.model.objects.filter(office=self.office).order_by("-year")

    def extra_context(self) -> dict:
        return {"years": year_choices(), "year": _working_year(self.request)}


class FactsList(YearlyRecordList):
    model = OfficeYearFacts
    template_name = "offices/facts_list.html"


class FactsEdit(YearlyRecordEdit):
    model = OfficeYearFacts
    form_class = forms.YearFactsForm
    list_url_name = "offices:facts_list"
    parent_label = "服务人口和民政对象"


class PremisesList(YearlyRecordList):
    model = Premises
    template_name = "offices/premises_list.html"


class PremisesEdit(YearlyRecordEdit):
    model = Premises
    form_class = forms.PremisesForm
    list_url_name = "offices:premises_list"
    parent_label = "办公服务场所"


class BudgetList(YearlyRecordList):
    model = Budget
    template_name = "offices/budget_list.html"


class BudgetEdit(YearlyRecordEdit):
    model = Budget
    form_class = forms.BudgetForm
    list_url_name = "offices:budget_list"
    parent_label = "办公经费"


class RulesPage(OfficePage):
    """The six posted rules for a year, each with its photo."""

    template_name = "offices/rules.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        year = _working_year(request, selectors.latest_filed_year(office=self.office))
        found = {r.kind: r for r in PostedRule.objects.filter(office=self.office, year=year)}
        rows = [(kind, found.get(kind.value)) for kind in PostedRuleKind]
        return self.render(year=year, years=year_choices(), rows=rows)


class KindedRecordEdit(YearlyRecordEdit):
    """A yearly record of which an office files one per kind (a posted rule, a plan)."""

    kinds: type  # the TextChoices of the kind

    def kind(self):
        if self.kwargs["kind"] not in self.kinds.values:
            raise Http404
        return self.kinds(self.kwargs["kind"])

    def lookup(self) -> dict:
        return {"year": self.year(), "kind": self.kind().value}

    def get_title(self, obj: Model) -> str:
        return f"{self.year()}年{self.title_prefix}{self.kind().label}"


class RuleEdit(KindedRecordEdit):
    model = PostedRule
    form_class = forms.PostedRuleForm
    list_url_name = "offices:rules"
    parent_label = "上墙制度"
    kinds = PostedRuleKind
    title_prefix = "上墙制度:"


class PlansPage(YearlyRecordList):
    model = Plan
    template_name = "offices/plans.html"

    def get_queryset(self):
        return Plan.objects.filter(office=self.office).order_by("-year", "kind")

    def extra_context(self) -> dict:
        return {**super().extra_context(), "kinds": PlanKind.choices}


class PlanEdit(KindedRecordEdit):
    model = Plan
    form_class = forms.PlanForm
    list_url_name = "offices:plans"
    parent_label = "计划与规划"
    kinds = PlanKind
    title_prefix = ""


class CheckList(RecordListPage):
    template_name = "offices/check_list.html"

    def get_queryset(self):
        checks = InternalCheck.objects.filter(office=self.office).order_by("-checked_on", "-id")
        year = parse_year(self.request.GET.get("year"))
        return checks.filter(checked_on__year=year) if year else checks

    def extra_context(self) -> dict:
        return {"years": year_choices(), "year": parse_year(self.request.GET.get("year"))}


class CheckEdit(RecordEditPage):
    form_class = forms.InternalCheckForm
    parent_label = "内部检查"

    def get_object(self) -> Model:
        if "pk" not in self.kwargs:
            return InternalCheck(office=self.office)
        found = InternalCheck.objects.filter(office=self.office, pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found

    def get_title(self, obj: Model) -> str:
        return "编辑内部检查" if obj.pk else "登记内部检查"

    def success_url(self, obj: Model) -> str:
        return self.back_url()

    def back_url(self) -> str:
        return self.office_url("offices:check_list")


class CheckDelete(RecordDeletePage):
    model = InternalCheck

    def success_url(self, obj: Model) -> str:
        return reverse("offices:check_list", args=[self.office.town.code])
