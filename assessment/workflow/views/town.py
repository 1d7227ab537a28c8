"""The town's pages: its self-assessment and submission, and closing its rectification tasks."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from assessment.choices import TaskState
from assessment.errors import WorkflowError
from assessment.models import Assessment, RectificationTask
from assessment.workflow import selectors, services
from assessment.workflow.forms import (
    SelfItemForm,
    SelfNoteForm,
    TaskCloseForm,
)
from assessment.workflow.views.common import AssessmentPage, StepPage, items_in_error, refusal_text
from core.evidence import PHOTOS_AND_PDF, allowed_help
from portal.permissions import Action
from portal.record_views import OfficePage, RecordListPage


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
            invalid=bool(note_form.errors) or items_in_error(item_forms),
            error_items=items_in_error(item_forms),
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
            return self.show(sheet, note_form, item_forms, error=refusal_text(refused))
        if request.POST.get("then") != "submit":
            messages.success(request, "自评已保存。")
            return HttpResponseRedirect(self.url("self_assess"))
        try:
            services.self_assessment_submit(actor=request.user, assessment=assessment)
        except WorkflowError as refused:
            messages.error(request, f"自评已保存,但未能提交:{refusal_text(refused)}")
            return HttpResponseRedirect(self.url("self_assess"))
        messages.success(request, "自评已保存并提交县级考核。")
        return HttpResponseRedirect(self.url("detail"))


class SelfSubmit(StepPage):
    """提交自评 (POST only)."""

    action = Action.FILE
    asked_from = "self_assess"

    def take(self, assessment: Assessment) -> None:
        services.self_assessment_submit(actor=self.request.user, assessment=assessment)

    def done_message(self) -> str:
        return "自评已提交县级考核。"


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
            return self.show(task, form, error=refusal_text(refused))
        messages.success(request, f"整改任务“{task.item.code} {task.item.text}”已完成。")
        return HttpResponseRedirect(self.office_url("assessment:task_list"))
