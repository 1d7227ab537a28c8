"""`manage.py backup -o FILE`: the database and every evidence file in one archive (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from operations.backup import BackupError, code_migrations, migration_differences, write_backup


class Command(BaseCommand):
    help = "备份数据库的全部内容和全部证据文件,写入一个 .tar.gz 备份文件(说明见 docs/backup.md)。"

    # A configuration problem elsewhere (a failing system check) must never stop the nightly backup.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            help="备份文件的路径,例如 /var/backups/jiaxing-minzheng/minzheng-20240101-0230.tar.gz。",
        )
        parser.add_argument("--force", action="store_true", help="目标文件已存在时覆盖它(默认拒绝覆盖)。")

    def handle(self, *args, **options):
        path = Path(options["output"])
        try:
            manifest = write_backup(path, overwrite=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"备份完成:{path}({filesizeformat(path.stat().st_size)})"))
        self.stdout.write(f"  {manifest.summary()}。")
        pending = migration_differences(manifest.migrations, code_migrations(), "当前程序")
        if pending:
            # The backup is whole, but only a portal version with exactly these migrations can restore it.
            self.stdout.write(
                self.style.WARNING(
                    "注意:数据库的迁移与当前程序不一致(是否忘了运行 migrate?),"
                    "恢复时须使用与数据库一致的平台版本:\n  " + "\n  ".join(pending)
                )
            )
