"""The town's pages: its self-assessment and submission, and closing its rectification tasks."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from assessment.errors import WorkflowError
from assessment.models import Assessment
from assessment.workflow import previews, selectors, services
from assessment.workflow.forms import (
    SelfItemForm,
    SelfNoteForm,
)
from assessment.workflow.views.common import (
    AssessmentPage,
    StepPage,
    items_in_error,
    refusal_text,
    with_evidence,
)
from core.evidence import PHOTOS_AND_DOCUMENTS, allowed_help
from portal.permissions import Action


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
            rows=with_evidence(self.assessment, sheet, item_forms),
            editable=selectors.town_may_edit(self.assessment),
            invalid=bool(note_form.errors) or items_in_error(item_forms),
            error_items=items_in_error(item_forms),
            evidence_help=allowed_help(PHOTOS_AND_DOCUMENTS),
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
        # Saved first, so nothing typed is lost; the submission itself asks first.
        messages.success(request, "自评已保存。请确认提交。")
        return HttpResponseRedirect(self.url("self_submit"))


class SelfSubmit(StepPage):
    """提交自评: asks first, then submits."""

    action = Action.FILE
    asked_from = "self_assess"

    def preview(self, assessment: Assessment) -> previews.Preview:
        return previews.self_submit(assessment)

    def take(self, assessment: Assessment) -> None:
        services.self_assessment_submit(actor=self.request.user, assessment=assessment)

    def done_message(self) -> str:
        return "自评已提交县级考核。"
