"""The rectification pages (整改闭环): the town's tasks and its report of one put right; the county's
tasks with the verification (验收) or the return of each reported one; the city's page of a year,
with the due date it sets and every county's counts.

Who may see and act is the permission door's (get_office_or_deny through OfficePage,
get_county_or_deny, role_required); whether the task's state allows the step is the services'."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from assessment.choices import TaskState
from assessment.errors import WorkflowError
from assessment.models import AssessmentYear, RectificationTask
from assessment.workflow import rectification as services
from assessment.workflow import rectification_selectors as selectors
from assessment.workflow.filters import DEADLINES, TASK_RESULTS, TASK_SORT_CHOICES, TaskFilters
from assessment.workflow.forms import TaskCloseForm
from core.dates import DEADLINE
from core.forms import BootstrapMixin, show_refusal
from portal.choices import Role
from portal.permissions import Action, can, get_county_or_deny, role_required
from portal.record_views import FORM_METHODS, OfficePage

PAGE_SIZE = 50


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def _list_context(page, **extra) -> dict:
    """What both task lists show: the page's rows, which of them the records show mended, today,
    and the choices of their filters and orders."""
    page.object_list = list(page.object_list)
    return {
        "page": page,
        "mended": selectors.mended(page.object_list),
        "records_year": selectors.records_year(),
        "task_states": TaskState,
        "today": timezone.localdate(),
        "states": TaskState.choices,
        "deadlines": DEADLINES,
        "results": TASK_RESULTS,
        "sorts": TASK_SORT_CHOICES,
        **extra,
    }


# -- forms ------------------------------------------------------------------------------------------


class VerifyForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(
        label="验收意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "验收意见不能超过 %(limit_value)d 个字。"},
    )


class SendBackForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label="退回意见",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="说明还需要继续整改的内容,镇(街道)在整改任务中可以看到。",
        error_messages={
            "required": "退回时须填写意见,说明需要继续整改的内容。",
            "max_length": "退回意见不能超过 %(limit_value)d 个字。",
        },
    )


class DueForm(BootstrapMixin, forms.Form):
    date_rules = {"due": DEADLINE}

    due = forms.DateField(
        label="整改截止日期",
        help_text="本年度尚未验收的整改任务,整改期限统一调整为此日期;此后确认产生的整改任务也按此日期。",
        error_messages={"required": "请填写整改截止日期。"},
    )


# -- the town ---------------------------------------------------------------------------------------


class TaskList(OfficePage):
    """整改任务 of one office: open ones first, each with the county's comment when it was sent back
    and whether the records show it mended."""

    template_name = "assessment/task_list.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        years = selectors.office_task_years(office=self.office)
        filters = TaskFilters.from_query(request.GET, years=years)
        tasks = selectors.office_tasks(office=self.office, filters=filters)
        page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render(
            **_list_context(
                page,
                filters=filters,
                years=years,
                counts=selectors.task_counts(
                    selectors.office_tasks(office=self.office, filters=TaskFilters(year=filters.year))
                ),
                may_verify=can(request.user, Action.ASSESS, self.office),
            )
        )


class TaskPage(OfficePage):
    """A page of one task of the office: 404 for a task of another office."""

    task: RectificationTask

    def load(self) -> RectificationTask:
        task = selectors.task_for(office=self.office, pk=self.kwargs["pk"])
        if task is None:
            raise Http404
        self.task = task
        return task

    def context(self, **extra) -> dict:
        return super().context(
            task=self.task,
            task_states=TaskState,
            mended=selectors.mended([self.task]),
            records_year=selectors.records_year(),
            today=timezone.localdate(),
            **extra,
        )

    def list_url(self) -> str:
        return self.office_url("assessment:task_list")


class TaskClose(TaskPage):
    """完成整改: the town's note and evidence report the task put right, for the county to verify."""

    action = Action.FILE
    http_method_names = ["get", "head", "post"]
    template_name = "assessment/task_close.html"

    def show(self, form, error: str = "") -> HttpResponse:
        return self.render(form=form, error=error, open=self.task.state == TaskState.OPEN)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        task = self.load()
        # A task sent back shows the town's earlier report, to build on.
        return self.show(TaskCloseForm(initial={"note": task.close_note}))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        task = self.load()
        form = TaskCloseForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form)
        try:
            services.task_close(
                actor=request.user, task=task, note=form.cleaned_data["note"], evidence=form.evidence_value
            )
        except WorkflowError as refused:
            return self.show(form, error=_refusal(refused))
        messages.success(request, f"整改任务“{task.item.code} {task.item.text}”已报告完成,等待县级验收。")
        return HttpResponseRedirect(self.list_url())


# -- the county -------------------------------------------------------------------------------------


class TaskReview(TaskPage):
    """The county's verification page of one task: the town's report, then 验收通过 or 退回整改."""

    action = Action.ASSESS
    template_name = "assessment/task_verify.html"

    def show(self, verify_form=None, send_back_form=None, error: str = "") -> HttpResponse:
        return self.render(
            verify_form=verify_form or VerifyForm(),
            send_back_form=send_back_form or SendBackForm(),
            error=error,
            reviewable=self.task.state == TaskState.CLOSED,
            county_tasks_url=self.county_tasks_url(),
        )

    def county_tasks_url(self) -> str:
        return reverse("assessment:county_tasks", args=[self.office.town.county.code]) + "?state=closed"

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(self.county_tasks_url())


class TaskVerify(TaskReview):
    """验收: GET shows the task for review, POST accepts it (with an optional comment)."""

    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.load()
        return self.show()

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        task = self.load()
        form = VerifyForm(request.POST)
        if not form.is_valid():
            return self.show(verify_form=form)
        try:
            services.task_verify(actor=request.user, task=task, comment=form.cleaned_data["comment"])
        except WorkflowError as refused:
            return self.show(verify_form=form, error=_refusal(refused))
        return self.done(f"{self.office.town.name}的整改任务“{task.item.code} {task.item.text}”已验收。")


class TaskSendBack(TaskReview):
    """退回整改 (POST only, from the verification page): the task goes back to the town with the
    comment; a refusal is shown on the verification page with what was typed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        task = self.load()
        form = SendBackForm(request.POST)
        if not form.is_valid():
            return self.show(send_back_form=form)
        try:
            services.task_send_back(actor=request.user, task=task, comment=form.cleaned_data["reason"])
        except WorkflowError as refused:
            return self.show(send_back_form=form, error=_refusal(refused))
        return self.done(
            f"已将{self.office.town.name}的整改任务“{task.item.code} {task.item.text}”退回整改。"
        )


@require_safe
@login_required
def county_tasks(request: HttpRequest, code: str) -> HttpResponse:
    """本县整改任务: the tasks of the county's towns, those waiting for verification first; filtered
    by state, overdue or not, year, town and result, in the order asked. The county's inspector
    verifies or sends back from here."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    years = selectors.county_task_years(county=county)
    towns = list(county.towns.order_by("code").values_list("code", "name"))
    filters = TaskFilters.from_query(request.GET, years=years, towns=tuple(t for t, _ in towns))
    tasks = selectors.county_tasks(county=county, filters=filters)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _list_context(
        page,
        county=county,
        filters=filters,
        year=filters.year,
        years=years,
        towns=towns,
        # The counts are the year's (or every year's) whatever else narrows the list.
        counts=selectors.task_counts(
            selectors.county_tasks(county=county, filters=TaskFilters(year=filters.year))
        ),
        may_verify=can(request.user, Action.ASSESS, county),
    )
    return render(request, "assessment/county_tasks.html", context)


# -- the city ---------------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@role_required(Role.CITY)
def rectification(request: HttpRequest, year: int) -> HttpResponse:
    """整改督办 of a year: the due date the city sets, and every county's tasks counted (open,
    awaiting verification, verified, overdue)."""
    assessment_year = AssessmentYear.objects.filter(year=year).first()
    if assessment_year is None:
        raise Http404
    if request.method == "POST":
        form = DueForm(request.POST)
        if form.is_valid():
            try:
                moved = services.rectification_due_set(
                    actor=request.user, year=assessment_year, due=form.cleaned_data["due"]
                )
            except WorkflowError as refused:
                show_refusal(form, refused, "due")
            else:
                due = form.cleaned_data["due"]
                messages.success(
                    request,
                    f"{year}年度整改截止日期已设为 {due.year}年{due.month}月{due.day}日,"
                    f"{moved} 项未验收的整改任务随之调整。",
                )
                return HttpResponseRedirect(request.path)
    else:
        form = DueForm(initial={"due": assessment_year.rectification_due})
    rows = selectors.county_counts(assessment_year)
    context = {
        "year": assessment_year,
        "form": form,
        "rows": rows,
        "totals": selectors.city_totals(rows),
        "today": timezone.localdate(),
    }
    return render(request, "supervision/rectification.html", context)
