from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.retention import RetentionError, prune_audit_trail


class Command(BaseCommand):
    help = "删除超过保留期限的审计记录(各项记录的修改历史)和安全日志;保留期限不得少于 180 天。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保留最近多少天的记录(默认取设置 AUDIT_RETENTION_DAYS)。",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的条数,不删除。")

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        try:
            result = prune_audit_trail(days, dry_run=dry_run)
        except RetentionError as error:
            raise CommandError(str(error)) from error
        verb = "将删除" if dry_run else "已删除"
        cutoff = result.cutoff.astimezone().strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"保留 {days} 天:{verb} {cutoff} 之前的审计记录共 {result.total} 条。")
        for name, count in sorted(result.deleted.items()):
            self.stdout.write(f"  {name}:{count} 条")
