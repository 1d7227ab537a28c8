"""Spreadsheet pages of duty records: the export of the filtered list, the import template and the
import into the user's own office (county imports are overview.spreadsheet_views)."""

from django.http import HttpRequest, HttpResponse

from core.spreadsheets.writing import export_response
from offices.models import Office
from portal.import_views import OwnOfficeImportPage, check_format, template_response
from portal.permissions import Action
from portal.record_views import OfficePage

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


class RecordImportPage(OwnOfficeImportPage):
    """导入工作台账 into the user's own office."""

    title = "导入工作台账"
    list_label = "工作台账"
    back_label = "返回工作台账"
    list_url_name = "duties:record_list"
    template_url_name = "duties:record_import_template"

    def make_spec(self, office: Office):
        return _own_office_import(office)
