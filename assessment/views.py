"""Pages of the annual assessment for towns and counties: the years, one office's assessment, the
town's self-assessment, the county's scoring, return and approval, the county's overview and its
submission to the city, and the rectification tasks.

Who may act is decided by portal.permissions (404 outside the user's scope, 403 without the
right); whether the assessment's state allows it, by assessment.services, whose refusals
(WorkflowError) are shown to the user as they are."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.evidence import PHOTOS_AND_PDF, allowed_help
from portal.choices import SecurityEventKind
from portal.permissions import Action, can, get_county_or_deny, role_may
from portal.record_views import OfficePage, RecordListPage
from portal.security import record_security_event

from . import selectors, services
from .choices import AssessmentState, Method, TaskState
from .forms import CommentForm, CountyItemForm, SelfItemForm, SelfNoteForm, TaskCloseForm, VisitForm
from .models import Assessment, CountyResult, RectificationTask
from .services import WorkflowError


def _refusal(error: WorkflowError) -> str:
    return " ".join(error.messages)


def _in_error(item_forms) -> list[str]:
    """Codes of the items whose entries were refused, to list at the top of a long page."""
    return [form.score.item.code for form in item_forms if form.errors]


def _comment(request: HttpRequest) -> str:
    form = CommentForm(request.POST)
    return form.cleaned_data["comment"] if form.is_valid() else request.POST.get("comment", "")[:2000]


# -- one office's assessment ------------------------------------------------------------------------


class AssessmentPage(OfficePage):
    """A page of one office's assessment of one year: 404 when the year has none for the office."""

    assessment: Assessment

    def load(self) -> Assessment:
        found = selectors.assessment_for(office=self.office, year=self.kwargs["year"])
        if found is None:
            raise Http404
        self.assessment = found
        return found

    def url(self, name: str) -> str:
        return reverse(f"assessment:{name}", args=[self.kwargs["year"], self.office.town.code])

    def overview_url(self) -> str:
        return reverse("assessment:county_overview", args=[self.kwargs["year"], self.office.town.county.code])

    def context(self, **extra) -> dict:
        return super().context(assessment=self.assessment, year=self.kwargs["year"], **extra)


class Detail(AssessmentPage):
    """考核结果: every item with its figures and points, the total, and the workflow log; read-only."""

    template_name = "assessment/detail.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        assessment = self.load()
        sheet = selectors.score_sheet(assessment)
        result = selectors.county_result_for(assessment)
        may_assess = can(request.user, Action.ASSESS, self.office)
        return self.render(
            sheet=sheet,
            county_result=result,
            events=selectors.workflow_log(assessment),
            may_assess=may_assess,
            may_edit=self.may_file and selectors.town_may_edit(assessment),
            may_score=may_assess and selectors.county_may_score(assessment, result),
            confirmed=assessment.state == AssessmentState.CONFIRMED,
        )


class SelfAssess(AssessmentPage):
    """自评: the town's note and evidence per item, with the score its records give today."""

    action = Action.FILE
    http_method_names = ["get", "head", "post"]
    template_name = "assessment/self_assess.html"

    def build(self, sheet: selectors.ScoreSheet, data=None, files=None):
        note = SelfNoteForm(
            data, initial={"note": self.assessment.self_note, "version": self.assessment.version}
        )
        items = [SelfItemForm(data, files, score=score) for score in sheet.scores]
        return note, items

    def show(self, sheet, note_form, item_forms, error: str = "") -> HttpResponse:
        return self.render(
            sheet=sheet,
            note_form=note_form,
            rows=list(zip(sheet.scores, item_forms, strict=True)),
            editable=selectors.town_may_edit(self.assessment),
            invalid=bool(note_form.errors) or _in_error(item_forms),
            error_items=_in_error(item_forms),
            evidence_help=allowed_help(PHOTOS_AND_PDF),
            error=error,
        )

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        sheet = selectors.score_sheet(self.load())
        return self.show(sheet, *self.build(sheet))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        assessment = self.load()
        sheet = selectors.score_sheet(assessment)
        note_form, item_forms = self.build(sheet, request.POST, request.FILES)
        valid = [form.is_valid() for form in (note_form, *item_forms)]
        if not all(valid):
            return self.show(sheet, note_form, item_forms)
        # Only the items the town touched, so each item's history shows real changes.
        items = [
            services.SelfItem(form.score, form.cleaned_data["note"], form.evidence_value)
            for form in item_forms
            if form.has_changed()
        ]
        try:
            services.self_assessment_save(
                actor=request.user,
                assessment=assessment,
                note=note_form.cleaned_data["note"],
                items=items,
                expected_version=note_form.cleaned_data.get("version"),
            )
        except WorkflowError as refused:
            return self.show(sheet, note_form, item_forms, error=_refusal(refused))
        if request.POST.get("then") != "submit":
            messages.success(request, "自评已保存。")
            return HttpResponseRedirect(self.url("self_assess"))
        try:
            services.self_assessment_submit(actor=request.user, assessment=assessment)
        except WorkflowError as refused:
            messages.error(request, f"自评已保存,但未能提交:{_refusal(refused)}")
            return HttpResponseRedirect(self.url("self_assess"))
        messages.success(request, "自评已保存并提交县级考核。")
        return HttpResponseRedirect(self.url("detail"))


class SelfSubmit(AssessmentPage):
    """提交自评 (POST only)."""

    action = Action.FILE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            services.self_assessment_submit(actor=request.user, assessment=self.load())
        except WorkflowError as refused:
            messages.error(request, _refusal(refused))
            return HttpResponseRedirect(self.url("self_assess"))
        messages.success(request, "自评已提交县级考核。")
        return HttpResponseRedirect(self.url("detail"))


class CountyScore(AssessmentPage):
    """县级评分: the visit, the on-site items, overrides with reasons, not-applicable items; and the
    return and approval forms."""

    action = Action.ASSESS
    http_method_names = ["get", "head", "post"]
    template_name = "assessment/county_score.html"

    def build(self, sheet: selectors.ScoreSheet, data=None):
        visit = VisitForm(
            data,
            initial={
                "visit_date": self.assessment.visit_date,
                "inspectors": self.assessment.inspectors,
                "version": self.assessment.version,
            },
        )
        return visit, [CountyItemForm(data, score=score) for score in sheet.scores]

    def show(self, sheet, visit_form, item_forms, error: str = "") -> HttpResponse:
        result = selectors.county_result_for(self.assessment)
        return self.render(
            sheet=sheet,
            visit_form=visit_form,
            rows=list(zip(sheet.scores, item_forms, strict=True)),
            editable=selectors.county_may_score(self.assessment, result),
            county_result=result,
            overview_url=self.overview_url(),
            invalid=bool(visit_form.errors) or _in_error(item_forms),
            error_items=_in_error(item_forms),
            error=error,
            by_records=Method.RECORDS,
        )

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        sheet = selectors.score_sheet(self.load())
        return self.show(sheet, *self.build(sheet))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        assessment = self.load()
        sheet = selectors.score_sheet(assessment)
        visit_form, item_forms = self.build(sheet, request.POST)
        valid = [form.is_valid() for form in (visit_form, *item_forms)]
        if not all(valid):
            return self.show(sheet, visit_form, item_forms)
        items = [
            services.CountyItem(
                score=form.score,
                inspector_points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                not_applicable=form.cleaned_data["not_applicable"],
                not_applicable_reason=form.cleaned_data["not_applicable_reason"],
            )
            for form in item_forms
            if form.has_changed()
        ]
        try:
            services.county_score_save(
                actor=request.user,
                assessment=assessment,
                visit_date=visit_form.cleaned_data["visit_date"],
                inspectors=visit_form.cleaned_data["inspectors"].strip(),
                items=items,
                expected_version=visit_form.cleaned_data.get("version"),
            )
        except WorkflowError as refused:
            return self.show(
                selectors.score_sheet(assessment), visit_form, item_forms, error=_refusal(refused)
            )
        messages.success(request, "评分已保存。")
        return HttpResponseRedirect(self.url("county_score"))


class CountyReturn(AssessmentPage):
    """退回镇(街道) (POST only): the comment says what to put right."""

    action = Action.ASSESS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        assessment = self.load()
        try:
            services.county_return(actor=request.user, assessment=assessment, comment=_comment(request))
        except WorkflowError as refused:
            messages.error(request, _refusal(refused))
            return HttpResponseRedirect(self.url("county_score"))
        messages.success(request, f"已将{self.office.town.name}的自评退回修改。")
        return HttpResponseRedirect(self.overview_url())


class CountyApprove(AssessmentPage):
    """审定 (POST only), with an optional comment."""

    action = Action.ASSESS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        assessment = self.load()
        try:
            services.county_approve(actor=request.user, assessment=assessment, comment=_comment(request))
        except WorkflowError as refused:
            messages.error(request, _refusal(refused))
            return HttpResponseRedirect(self.url("county_score"))
        messages.success(request, f"{self.office.town.name}的考核已审定。")
        return HttpResponseRedirect(self.overview_url())


# -- a county's towns -------------------------------------------------------------------------------


def _year_or_404(year: int):
    found = selectors.assessment_year(year)
    if found is None:
        raise Http404
    return found


@require_safe
@login_required
def county_overview(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """本县考核情况: every town's state, score and result, and the county's submission to the city."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    overview = selectors.county_overview(county=county, year=_year_or_404(year))
    if overview is None:
        raise Http404
    context = {
        "county": county,
        "year": year,
        "overview": overview,
        "may_assess": can(request.user, Action.ASSESS, county),
        "years": selectors.county_years(county=county),
        "approved": AssessmentState.APPROVED,
        "submitted": AssessmentState.SUBMITTED,
    }
    return render(request, "assessment/county_overview.html", context)


@require_POST
@login_required
def county_submit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """上报市局 (POST only): the county's results, once every town is approved."""
    county = get_county_or_deny(request.user, Action.ASSESS, code=code, request=request)
    result = CountyResult.objects.filter(assessment_year=_year_or_404(year), county=county).first()
    if result is None:
        raise Http404
    try:
        services.county_submit(actor=request.user, result=result, comment=_comment(request))
    except WorkflowError as refused:
        messages.error(request, _refusal(refused))
    else:
        messages.success(request, f"{county.name}{year}年度考核结果已上报市民政局。")
    return HttpResponseRedirect(reverse("assessment:county_overview", args=[year, county.code]))


# -- rectification ----------------------------------------------------------------------------------


class TaskList(RecordListPage):
    """整改任务 of one office, open ones first."""

    template_name = "assessment/task_list.html"
    page_size = 50

    def get_queryset(self):
        return selectors.office_tasks(office=self.office)

    def extra_context(self) -> dict:
        return {
            "counts": selectors.task_counts(self.get_queryset()),
            "open": TaskState.OPEN,
            "today": timezone.localdate(),
        }


class TaskClose(OfficePage):
    """完成整改: the town's note and evidence close the task."""

    action = Action.FILE
    http_method_names = ["get", "head", "post"]
    template_name = "assessment/task_close.html"

    def get_task(self) -> RectificationTask:
        task = (
            RectificationTask.objects.select_related("item", "assessment__assessment_year")
            .filter(office=self.office, pk=self.kwargs["pk"])
            .first()
        )
        if task is None:
            raise Http404
        return task

    def show(self, task: RectificationTask, form, error: str = "") -> HttpResponse:
        return self.render(task=task, form=form, error=error, open=task.state == TaskState.OPEN)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.show(self.get_task(), TaskCloseForm())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        task = self.get_task()
        form = TaskCloseForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(task, form)
        try:
            services.task_close(
                actor=request.user, task=task, note=form.cleaned_data["note"], evidence=form.evidence_value
            )
        except WorkflowError as refused:
            return self.show(task, form, error=_refusal(refused))
        messages.success(request, f"整改任务“{task.item.code} {task.item.text}”已完成。")
        return HttpResponseRedirect(self.office_url("assessment:task_list"))


@require_safe
@login_required
def county_tasks(request: HttpRequest, code: str) -> HttpResponse:
    """本县整改任务: open (and closed) tasks of the county's towns."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    state = request.GET.get("state", "")
    state = state if state in TaskState.values else ""
    page = Paginator(selectors.county_tasks(county=county, state=state), 50).get_page(request.GET.get("page"))
    context = {
        "county": county,
        "page": page,
        "state": state,
        "states": TaskState.choices,
        "counts": selectors.task_counts(selectors.county_tasks(county=county)),
        "open": TaskState.OPEN,
        "today": timezone.localdate(),
    }
    return render(request, "assessment/county_tasks.html", context)


# -- the years --------------------------------------------------------------------------------------


@require_safe
@login_required
def year_list(request: HttpRequest) -> HttpResponse:
    """年度考核: the years the user can see, each leading to the user's own page for it."""
    if not role_may(request.user, Action.VIEW):
        record_security_event(
            SecurityEventKind.DENIED, request=request, user=request.user, detail="assessment years"
        )
        raise PermissionDenied
    entries, office, county = selectors.years_for(request.user)
    return render(
        request, "assessment/year_list.html", {"entries": entries, "office": office, "county": county}
    )
