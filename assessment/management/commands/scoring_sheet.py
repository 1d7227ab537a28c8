from django.core.management.base import CommandError

from assessment.reports import pdf, sheet, xlsx
from offices.models import Office

from ._report_command import ReportCommand


class Command(ReportCommand):
    help = "生成一个镇(街道)某年度的考核评分表(PDF 或 Excel)。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--town", required=True, help="镇(街道)民政部行政区划代码(9 位),如 330402007。")
        super().add_arguments(parser)

    def build(self, options: dict):
        office = (
            Office.objects.select_related("town__county").filter(town__code=options["town"].strip()).first()
        )
        if office is None:
            raise CommandError(f"未找到民政部行政区划代码为 {options['town']} 的镇(街道)。")
        return sheet.scoring_sheet(office, options["year"])

    def render(self, report, fmt: str) -> bytes:
        return pdf.scoring_sheet_pdf(report) if fmt == "pdf" else xlsx.scoring_sheet_xlsx(report)
