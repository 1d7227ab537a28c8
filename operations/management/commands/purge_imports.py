"""Delete spreadsheet uploads that were never confirmed (for a cron job; each upload also does it)."""

from django.core.management.base import BaseCommand

from core.spreadsheets.limits import pending_root, pending_ttl_seconds
from core.spreadsheets.pending import pending_purge


class Command(BaseCommand):
    help = "删除超过保留时间仍未确认的表格导入文件(默认 1 小时)。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="SECONDS",
            help=f"删除早于此秒数的上传(默认 {pending_ttl_seconds()} 秒)。",
        )

    def handle(self, *args, older_than=None, **options):
        deleted = pending_purge(older_than=older_than)
        self.stdout.write(f"已删除 {deleted} 个未确认的导入文件({pending_root()})。")
