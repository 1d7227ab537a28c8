"""What the three report commands share: --year, --format pdf|xlsx, -o FILE, and writing the file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.reports import ReportError


class ReportCommand(BaseCommand):
    """A thin wrapper over a report's generator and formatter."""

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="考核年度,如 2010。")
        parser.add_argument("--format", choices=("pdf", "xlsx"), default="pdf", help="文件格式:pdf 或 xlsx。")
        parser.add_argument("-o", "--output", help="输出文件;省略时按报表名称写在当前目录。")

    def build(self, options: dict):
        """The report (a generator's dataclass); raise CommandError for what the user got wrong."""
        raise NotImplementedError

    def render(self, report, fmt: str) -> bytes:
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        try:
            report = self.build(options)
        except ReportError as error:
            raise CommandError(str(error)) from error
        content = self.render(report, options["format"])
        target = Path(options["output"] or f"{report.filename}.{options['format']}")
        try:
            target.write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入文件 {target}:{error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"已生成 {target}({len(content):,} 字节)。"))
