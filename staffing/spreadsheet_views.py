"""Spreadsheet pages of the roster and of training attendance: exports (XLSX, CSV) that follow the
list's filters and the user's scope, import templates, and imports (upload → preview → confirm,
portal.import_views). Who may do what comes from portal.permissions."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.spreadsheets.writing import export_response
from offices.models import Office
from portal.import_views import ImportPage, OwnOfficeImportPage, check_format, template_response
from portal.permissions import Action, is_city, offices_recorded_for
from portal.record_views import OfficePage, parse_year

from . import selectors
from .resources import AttendanceImport, StaffImport, attendance_table, staff_table
from .views import county_filter, recordable_event, visible_event


def _own_office_import(office: Office) -> StaffImport:
    return StaffImport(
        offices=Office.objects.filter(pk=office.pk), fixed_office=office, scope_label="本镇(街道)"
    )


class StaffExport(OfficePage):
    """The roster as the list shows it (in post or left; training of the chosen year)."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        fmt = check_format(kwargs["fmt"])
        year = parse_year(request.GET.get("year"), timezone.localdate().year)
        left = request.GET.get("left") == "1"
        people = selectors.staff_roster(office=self.office, year=year, left=left).select_related(
            "office__town"
        )
        which = "已离岗人员" if left else "在岗人员"
        table = staff_table(people, year=year, title=f"{self.office.town.name}{which}")
        return export_response(table, fmt=fmt, filename=f"{self.office.name}_{which}")


class StaffImportTemplate(OfficePage):
    action = Action.FILE

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return template_response(_own_office_import(self.office), filename="工作人员名册导入模板")


class StaffImportPage(OwnOfficeImportPage):
    """导入工作人员名册 into the user's own office."""

    title = "导入工作人员名册"
    list_label = "工作人员"
    back_label = "返回名册"
    list_url_name = "staffing:staff_list"
    template_url_name = "staffing:staff_import_template"

    def make_spec(self, office: Office):
        return _own_office_import(office)


def _attendance_import(request: HttpRequest, event) -> AttendanceImport:
    scope = f"本次培训可登记的{event.county.name}" if event.county_id else "本次培训可登记的民政办"
    return AttendanceImport(
        event=event, offices=offices_recorded_for(request.user, event.county), scope_label=scope
    )


@require_safe
@login_required
def attendance_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Who attended, among the offices the user may see (and, for the city, the chosen county)."""
    event = visible_event(request, pk)
    check_format(fmt)
    county = county_filter(request, request.user) if is_city(request.user) else None
    attendances = selectors.visible_attendances(user=request.user, event=event, county=county)
    title = f"{event.title}参训人员" + (f"({county.name})" if county else "")
    return export_response(attendance_table(attendances, title="参训人员"), fmt=fmt, filename=title)


@require_safe
@login_required
def attendance_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    event = recordable_event(request, pk)
    return template_response(_attendance_import(request, event), filename="参训人员导入模板")


class AttendanceImportPage(ImportPage):
    """导入参训人员 of an event the user records (an inspector its county's, the city its own)."""

    def prepare(self, request: HttpRequest, **kwargs) -> None:
        self.event = recordable_event(request, kwargs["pk"])
        self.spec = _attendance_import(request, self.event)

    def target_key(self) -> str:
        return f"event:{self.event.pk}"

    def done_url(self) -> str:
        return reverse("staffing:training_detail", args=[self.event.pk])

    def page_context(self) -> dict:
        return {
            "title": "导入参训人员",
            "target_label": self.event.title,
            "crumbs": [
                ("培训", reverse("staffing:training_list")),
                (self.event.title, self.done_url()),
            ],
            "back_url": self.done_url(),
            "back_label": "返回培训",
            "template_url": reverse("staffing:attendance_import_template", args=[self.event.pk]),
        }
