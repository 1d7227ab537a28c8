from django.core.management.base import CommandError

from assessment.reports import award, pdf, xlsx
from offices.models import County

from ._report_command import ReportCommand


class Command(ReportCommand):
    help = "生成一个县(市、区)某年度的以奖代补资金汇总表(PDF 或 Excel)。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--county", required=True, help="县(市、区)行政区划代码,如 330402。")
        super().add_arguments(parser)

    def build(self, options: dict):
        county = County.objects.filter(code=options["county"].strip()).first()
        if county is None:
            raise CommandError(f"未找到行政区划代码为 {options['county']} 的县(市、区)。")
        return award.award_report(county, options["year"])

    def render(self, report, fmt: str) -> bytes:
        return pdf.award_pdf(report) if fmt == "pdf" else xlsx.award_xlsx(report)
