"""Pages of an office's own records: its profile, yearly facts, premises, posted rules, plans, budgets,
internal checks and its history. Who sees what is decided by portal.permissions; writes go through
core.records (edit-version check, audit history)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.history import office_activity
from offices import forms, selectors
from offices.choices import PlanKind, PostedRuleKind
from offices.models import Budget, InternalCheck, OfficeYearFacts, Plan, PostedRule, Premises
from portal.permissions import Action, get_office_or_deny
from portal.record_views import (
    OfficePage,
    RecordDeletePage,
    RecordEditPage,
    RecordListPage,
    parse_year,
    working_year,
    year_choices,
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
        return {"years": year_choices(), "year": working_year(self.request)}


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
        year = working_year(request, selectors.latest_filed_year(office=self.office))
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
