"""Spreadsheet pages of a county: its offices with their key facts (for whoever sees the county),
and the imports an inspector makes for its towns, each row naming its town in a 镇(街道) column."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.spreadsheets.writing import export_response
from duties.resources import DutyRecordImport
from offices import selectors
from offices.models import County
from overview.resources import county_table
from portal.import_views import ImportPage, check_format, template_response
from portal.permissions import Action, get_county_or_deny, is_city, offices_for
from portal.record_views import working_year
from staffing.resources import StaffImport


@require_safe
@login_required
def county_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The county page's offices (its search applied) with their facts for the page's year."""
    county = get_county_or_deny(request.user, Action.VIEW, code=code, request=request)
    check_format(fmt)
    query = request.GET.get("q", "").strip()
    year = working_year(request, selectors.latest_filed_year(county=county))
    offices = selectors.office_list(user=request.user, county=county, query=query)
    table = county_table(offices, year=year, title=f"{county.name}{year}年")
    return export_response(table, fmt=fmt, filename=f"{county.name}_各镇(街道)民政办_{year}年")


def _county_import(kind: str, request: HttpRequest, county: County):
    offices = offices_for(request.user, Action.ASSESS).filter(town__county=county)
    spec_class = StaffImport if kind == "staff" else DutyRecordImport
    return spec_class(offices=offices, fixed_office=None, scope_label=county.name)


def _template(kind: str, request: HttpRequest, code: str) -> HttpResponse:
    county = get_county_or_deny(request.user, Action.ASSESS, code=code, request=request)
    name = "工作人员名册" if kind == "staff" else "工作台账"
    return template_response(_county_import(kind, request, county), filename=f"{county.name}{name}导入模板")


@require_safe
@login_required
def county_staff_import_template(request: HttpRequest, code: str) -> HttpResponse:
    return _template("staff", request, code)


@require_safe
@login_required
def county_record_import_template(request: HttpRequest, code: str) -> HttpResponse:
    return _template("records", request, code)


class CountyImportPage(ImportPage):
    """An inspector's import for the towns of its county (the city reads counties but files nothing)."""

    kind = ""
    title = ""

    def prepare(self, request: HttpRequest, **kwargs) -> None:
        self.county = get_county_or_deny(request.user, Action.ASSESS, code=kwargs["code"], request=request)
        self.spec = _county_import(self.kind, request, self.county)

    def target_key(self) -> str:
        return f"county:{self.county.pk}"

    def done_url(self) -> str:
        return reverse("offices:county_detail", args=[self.county.code])

    def page_context(self) -> dict:
        crumbs = [("各县(市、区)", reverse("offices:county_list"))] if is_city(self.request.user) else []
        name = "staff" if self.kind == "staff" else "record"
        return {
            "title": self.title,
            "target_label": f"{self.county.name}各镇(街道)",
            "crumbs": [*crumbs, (self.county.name, self.done_url())],
            "back_url": self.done_url(),
            "back_label": f"返回{self.county.name}",
            "template_url": reverse(f"offices:county_{name}_import_template", args=[self.county.code]),
        }


class CountyStaffImport(CountyImportPage):
    kind = "staff"
    title = "导入工作人员名册"


class CountyRecordImport(CountyImportPage):
    kind = "records"
    title = "导入工作台账"
