"""What every role's assessment pages share: one office's assessment page, the years a user sees."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessment.choices import AssessmentState
from assessment.corrections import selectors as corrections
from assessment.errors import WorkflowError
from assessment.models import Assessment, AssessmentYear
from assessment.workflow import evidence_selectors, selectors
from assessment.workflow.filters import DEADLINES, TOWN_RESULTS, TOWN_SORT_CHOICES, TownFilters
from assessment.workflow.forms import (
    CommentForm,
)
from assessment.workflow.previews import Preview
from portal.choices import Role
from portal.permissions import Action, can, role_required
from portal.record_views import OfficePage


def refusal_text(error: WorkflowError) -> str:
    return " ".join(error.messages)


def items_in_error(item_forms) -> list[str]:
    """Codes of the items whose entries were refused, to list at the top of a long page."""
    return [form.score.item.code for form in item_forms if form.errors]


def confirm_page(
    request: HttpRequest, preview: Preview, *, cancel: str, form=None, status: int = 200
) -> HttpResponse:
    """The page an irreversible step shows first (提交, 审定, 上报, 抽样, 确认, 退回): an ordinary page,
    no script, whose form posts to the same address."""
    context = {"preview": preview, "cancel": cancel, "form": form or CommentForm(request.POST or None)}
    return render(request, "assessment/confirm_step.html", context, status=status)


def with_evidence(assessment: Assessment, sheet, item_forms) -> list[tuple]:
    """Each item's score, form and the records its rule read (shown beside the score)."""
    evidence = evidence_selectors.item_evidence(assessment, sheet.scores)
    return [
        (score, form, evidence.get(score.item.code))
        for score, form in zip(sheet.scores, item_forms, strict=True)
    ]


def posted_comment(request: HttpRequest) -> str:
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


class StepPage(AssessmentPage):
    """A workflow step: GET shows what it will do and what is unfinished (`preview`), POST takes it,
    says what happened and goes on; a refusal is shown on the page it was asked from. Subclasses name
    the step and the words."""

    http_method_names = ["get", "head", "post"]
    asked_from = "detail"  # the URL name a refusal returns to, and the confirmation's cancel link

    def take(self, assessment: Assessment) -> None:
        raise NotImplementedError

    def preview(self, assessment: Assessment) -> Preview:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return confirm_page(request, self.preview(self.load()), cancel=self.url(self.asked_from))

    def done_message(self) -> str:
        raise NotImplementedError

    def done_url(self) -> str:
        return self.url("detail")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            self.take(self.load())
        except WorkflowError as refused:
            messages.error(request, refusal_text(refused))
            return HttpResponseRedirect(self.url(self.asked_from))
        messages.success(request, self.done_message())
        return HttpResponseRedirect(self.done_url())


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
            corrections=corrections.assessment_corrections(assessment),
            may_assess=may_assess,
            may_edit=self.may_file and selectors.town_may_edit(assessment),
            may_score=may_assess and selectors.county_may_score(assessment, result),
            confirmed=assessment.state == AssessmentState.CONFIRMED,
        )


# -- a year's towns ---------------------------------------------------------------------------------

TOWNS_PER_PAGE = 50


def town_filter_context(filters: TownFilters, year: AssessmentYear) -> dict:
    """What a list of a year's towns offers to filter and order by. The deadline filter only where
    the year has a deadline to be late for."""
    return {
        "filters": filters,
        "states": AssessmentState.choices,
        "results": TOWN_RESULTS,
        "deadlines": DEADLINES if (year.self_assessment_due or year.county_due) else [],
        "sorts": TOWN_SORT_CHOICES,
    }


def year_or_404(year: int):
    found = selectors.assessment_year(year)
    if found is None:
        raise Http404
    return found


# -- the years --------------------------------------------------------------------------------------


@require_safe
@role_required(Role.TOWN, Role.COUNTY, Role.CITY)
def year_list(request: HttpRequest) -> HttpResponse:
    """年度考核: the years the user can see, each leading to the user's own page for it."""
    entries, office, county = selectors.years_for(request.user)
    return render(
        request, "assessment/year_list.html", {"entries": entries, "office": office, "county": county}
    )
