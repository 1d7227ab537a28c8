"""The weekly housekeeping (deploy/systemd/jiaxing-minzheng-housekeeping.service): see
operations/retention.py, `housekeeping()`, for what goes and what stays."""

from django.core.management.base import BaseCommand, CommandError

from operations.retention import RetentionError, housekeeping


class Command(BaseCommand):
    help = (
        "定期清理:过期会话;超过审计保留期限的登录记录、安全日志和修改历史;"
        "超过期限的已完成或失败的报表批量生成任务;长时间未确认的导入文件。可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的数量,不删除。")

    def handle(self, *args, dry_run: bool, verbosity: int, **options):
        try:
            result = housekeeping(dry_run=dry_run)
        except RetentionError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(result.summary())
        if verbosity >= 2:
            for name, count in sorted(result.details.items()):
                self.stdout.write(f"  {name}:{count} 条")
