"""`manage.py backup -o FILE`: the database and every evidence file in one archive, signed with the key
of BACKUP_SIGNING_KEY_FILE when one is configured (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from operations.backup import BackupError, code_migrations, migration_differences, write_backup
from operations.backup.signing import SETTING, key_file


class Command(BaseCommand):
    help = (
        "备份数据库的全部内容和全部证据文件,写入一个 .tar.gz 备份文件;配置了签名密钥时签名"
        "(说明见 docs/backup.md)。"
    )

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
        if manifest.signed_by:
            self.stdout.write(f"  已签名(密钥编号 {manifest.signed_by})。")
            self._warn_if_key_beside_archives(key_file(), path)
        else:
            self.stderr.write(
                self.style.WARNING(
                    f"警告:未配置签名密钥({SETTING}),备份文件没有签名。恢复时须加 --allow-unsigned,"
                    "而且无法确认备份文件未被改动。配置方法见 docs/backup.md。"
                )
            )
        pending = migration_differences(manifest.migrations, code_migrations(), "当前程序")
        if pending:
            # The backup is whole, but only a portal version with exactly these migrations can restore it.
            self.stdout.write(
                self.style.WARNING(
                    "注意:数据库的迁移与当前程序不一致(是否忘了运行 migrate?),"
                    "恢复时须使用与数据库一致的平台版本:\n  " + "\n  ".join(pending)
                )
            )

    def _warn_if_key_beside_archives(self, key: Path | None, archive: Path) -> None:
        # A key copied along with the archives (the nightly rsync copies the whole folder) signs nothing.
        if key is None:
            return
        folder = archive.absolute().parent.resolve()
        if key.absolute().resolve().is_relative_to(folder):
            self.stderr.write(
                self.style.WARNING(
                    f"警告:签名密钥文件 {key} 在备份目录 {folder} 中,会随备份文件一起被复制,"
                    "能改动备份的人也就能重新签名。"
                    "请把密钥文件移到备份目录之外(例如 /etc/jiaxing-minzheng/)。"
                )
            )
