from assessment.reports import pdf, summary, xlsx

from ._report_command import ReportCommand


class Command(ReportCommand):
    help = "生成全市某年度的以奖代补资金及规范化建设进度汇总表(PDF 或 Excel)。"

    def build(self, options: dict):
        return summary.city_summary(options["year"])

    def render(self, report, fmt: str) -> bytes:
        return pdf.city_summary_pdf(report) if fmt == "pdf" else xlsx.city_summary_xlsx(report)
