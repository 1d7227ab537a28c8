"""The county inspector's pages: scoring, returning and approving a town, the county's towns in a year
and their submission to the city, and the county's rectification tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from assessment.choices import AssessmentState, Method
from assessment.errors import WorkflowError
from assessment.models import Assessment, CountyResult
from assessment.workflow import previews, selectors, services
from assessment.workflow.filters import TownFilters
from assessment.workflow.forms import (
    BulkApproveForm,
    CountyItemForm,
    VisitForm,
)
from assessment.workflow.views.common import (
    TOWNS_PER_PAGE,
    AssessmentPage,
    StepPage,
    confirm_page,
    items_in_error,
    posted_comment,
    refusal_text,
    town_filter_context,
    with_evidence,
    year_or_404,
)
from portal.permissions import Action, can, get_county_or_deny, hide


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
            rows=with_evidence(self.assessment, sheet, item_forms),
            editable=selectors.county_may_score(self.assessment, result),
            may_reopen=selectors.county_may_reopen(self.assessment, result),
            county_result=result,
            overview_url=self.overview_url(),
            invalid=bool(visit_form.errors) or items_in_error(item_forms),
            error_items=items_in_error(item_forms),
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
                selectors.score_sheet(assessment), visit_form, item_forms, error=refusal_text(refused)
            )
        then = request.POST.get("then", "")
        if then in ("approve", "return", "reopen"):
            # The scores on the page are saved with the step, never discarded: the step asks first.
            messages.success(request, "评分已保存。请确认下一步操作。")
            return HttpResponseRedirect(self.url(f"county_{then}"))
        messages.success(request, "评分已保存。")
        return HttpResponseRedirect(self.url("county_score"))


class CountyReturn(StepPage):
    """退回镇(街道): the comment says what to put right; an approved town is reopened on the way."""

    action = Action.ASSESS
    asked_from = "county_score"

    def preview(self, assessment: Assessment) -> previews.Preview:
        return previews.county_return(assessment)

    def take(self, assessment: Assessment) -> None:
        comment = posted_comment(self.request)
        services.county_return(actor=self.request.user, assessment=assessment, comment=comment)

    def done_message(self) -> str:
        return f"已将{self.office.town.name}的自评退回修改。"

    def done_url(self) -> str:
        return self.overview_url()


class CountyApprove(StepPage):
    """审定, with an optional comment."""

    action = Action.ASSESS
    asked_from = "county_score"

    def preview(self, assessment: Assessment) -> previews.Preview:
        return previews.county_approve(assessment)

    def take(self, assessment: Assessment) -> None:
        services.county_approve(
            actor=self.request.user, assessment=assessment, comment=posted_comment(self.request)
        )

    def done_message(self) -> str:
        return f"{self.office.town.name}的考核已审定。"

    def done_url(self) -> str:
        return self.overview_url()


class CountyReopen(StepPage):
    """撤回审定: back to the county's scoring, with a reason."""

    action = Action.ASSESS
    asked_from = "county_score"

    def preview(self, assessment: Assessment) -> previews.Preview:
        return previews.county_reopen(assessment)

    def take(self, assessment: Assessment) -> None:
        services.county_reopen(
            actor=self.request.user, assessment=assessment, comment=posted_comment(self.request)
        )

    def done_message(self) -> str:
        return f"已撤回{self.office.town.name}的审定,可以重新评分。"

    def done_url(self) -> str:
        return self.url("county_score")


@require_safe
@login_required
def county_overview(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """本县考核情况: every town's state, score and result, filtered and ordered as asked, with the
    boxes of the bulk approval; and the county's submission to the city."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    overview = selectors.county_overview(county=county, year=year_or_404(year))
    if overview is None:
        raise Http404
    filters = TownFilters.from_query(request.GET)
    page = Paginator(filters.apply(overview.rows), TOWNS_PER_PAGE).get_page(request.GET.get("page"))
    may_assess = can(request.user, Action.ASSESS, county)
    context = {
        "county": county,
        "year": year,
        "overview": overview,
        "page": page,
        "may_assess": may_assess,
        "may_approve": may_assess and overview.county_open and overview.submitted_towns > 0,
        "years": selectors.county_years(county=county),
        "approved": AssessmentState.APPROVED,
        "submitted": AssessmentState.SUBMITTED,
        **town_filter_context(filters, overview.year),
    }
    return render(request, "assessment/county_overview.html", context)


# The towns one bulk approval may name: more than any county has, few enough for one lookup.
MAX_TOWNS = 200


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def county_approve_many(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """批量审定: GET asks first, listing the towns ticked on the county's list (?town=…, or ?all=1 for
    every submitted town) with what approval does to each or why it is skipped; POST approves the
    towns the question offered, all or none (services.county_approve_many). A town that is not the
    county's is outside the inspector's scope: 404, logged, whatever else was ticked."""
    county = get_county_or_deny(request.user, Action.ASSESS, code=code, request=request)
    assessment_year = year_or_404(year)
    back = reverse("assessment:county_overview", args=[year, county.code])
    params = request.POST if request.method == "POST" else request.GET
    codes = list(dict.fromkeys(params.getlist("town")))[:MAX_TOWNS]
    if request.method != "POST" and params.get("all") == "1":
        chosen = selectors.county_assessments(
            county=county, year=assessment_year, state=AssessmentState.SUBMITTED
        )
    else:
        chosen = selectors.county_assessments(county=county, year=assessment_year, codes=codes)
        unknown = set(codes) - {a.office.town.code for a in chosen}
        if unknown:
            raise hide(request, f"bulk approval of towns outside county {county.code}: {sorted(unknown)[:5]}")
    if request.method != "POST":
        rows = selectors.town_rows(assessment_year, chosen)
        result = selectors.county_result(county=county, year=assessment_year)
        preview = previews.county_approve_many(assessment_year, result, rows)
        ready = [row.code for row in preview.rows if not row.skipped]
        form = BulkApproveForm(towns=ready)
        return confirm_page(request, preview, cancel=back, form=form)
    try:
        services.county_approve_many(actor=request.user, assessments=chosen, comment=posted_comment(request))
    except WorkflowError as refused:
        messages.error(request, f"未审定任何镇(街道)。{refusal_text(refused)}")
    else:
        names = "、".join(a.office.town.name for a in chosen)
        messages.success(request, f"已审定 {len(chosen)} 个镇(街道):{names}。")
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def county_submit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """上报市局: asks first, then reports the county's results, once every town is approved."""
    county = get_county_or_deny(request.user, Action.ASSESS, code=code, request=request)
    result = (
        CountyResult.objects.filter(assessment_year=year_or_404(year), county=county)
        .select_related("assessment_year", "county")
        .first()
    )
    if result is None:
        raise Http404
    back = reverse("assessment:county_overview", args=[year, county.code])
    if request.method != "POST":
        return confirm_page(request, previews.county_submit(result), cancel=back)
    try:
        services.county_submit(actor=request.user, result=result, comment=posted_comment(request))
    except WorkflowError as refused:
        messages.error(request, refusal_text(refused))
    else:
        messages.success(request, f"{county.name}{year}年度考核结果已上报市民政局。")
    return HttpResponseRedirect(reverse("assessment:county_overview", args=[year, county.code]))
