"""Spreadsheet pages of duty records: the export of the filtered list, the import template and the
import into the user's own office (county imports are offices.spreadsheet_views)."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from jiaxing_minzheng.permissions import Action, get_office_or_deny
from jiaxing_minzheng.record_views import OfficePage
from jiaxing_minzheng.spreadsheets.views import ImportPage, check_format, office_crumbs, template_response
from jiaxing_minzheng.spreadsheets.writing import export_response
from offices.models import Office

from .resources import DutyRecordImport, record_table
from .views import RecordList


def _own_office_import(office: Office) -> DutyRecordImport:
    return DutyRecordImport(
        offices=Office.objects.filter(pk=office.pk), fixed_office=office, scope_label="本镇(街道)"
    )


class RecordExport(RecordList):
    """The duty records the list shows with its current filters and order, all pages."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        fmt = check_format(kwargs["fmt"])
        records = self.get_queryset().select_related("office__town")
        suffix = f"_{self.filters.year}年" if self.filters.year else ""
        table = record_table(records, title="工作台账")
        return export_response(table, fmt=fmt, filename=f"{self.office.name}_工作台账{suffix}")


class RecordImportTemplate(OfficePage):
    action = Action.FILE

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return template_response(_own_office_import(self.office), filename="工作台账导入模板")


class RecordImportPage(ImportPage):
    """导入工作台账 into the user's own office."""

    def prepare(self, request: HttpRequest, **kwargs) -> None:
        self.office = get_office_or_deny(
            request.user, Action.FILE, town_code=kwargs["town_code"], request=request
        )
        self.spec = _own_office_import(self.office)

    def target_key(self) -> str:
        return f"office:{self.office.pk}"

    def done_url(self) -> str:
        return reverse("duties:record_list", args=[self.office.town.code])

    def page_context(self) -> dict:
        return {
            "title": "导入工作台账",
            "target_label": self.office.name,
            "crumbs": office_crumbs(self.request.user, self.office, ("工作台账", self.done_url())),
            "back_url": self.done_url(),
            "back_label": "返回工作台账",
            "template_url": reverse("duties:record_import_template", args=[self.office.town.code]),
        }
