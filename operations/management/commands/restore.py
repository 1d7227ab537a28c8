"""`manage.py restore FILE`: rebuild a fresh, empty database and evidence folder from a backup, after
verifying the whole archive and its signature (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库和证据文件。只在全新的空数据库和空证据目录上运行;"
        "先校验整个备份文件和它的签名,全部通过才写入,否则什么也不改(说明见 docs/backup.md)。"
    )

    # Nothing a system check looks at matters for loading an archive; restoring must not wait on them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="manage.py backup 生成的备份文件(.tar.gz)。")
        parser.add_argument(
            "--check",
            action="store_true",
            help="只校验备份文件是否完整(签名、每张表的行数、每个文件的校验值),不改动数据库和文件。",
        )
        parser.add_argument(
            "--allow-unsigned",
            action="store_true",
            help=(
                "接受没有签名、或签名无法用本机密钥验证的备份文件(签名与清单不符的仍然拒绝)。"
                "只在确知备份文件来源可靠时使用。"
            ),
        )

    def handle(self, *args, **options):
        path = Path(options["archive"])
        allow_unsigned = options["allow_unsigned"]
        try:
            if options["check"]:
                manifest = verify_backup(path, allow_unsigned=allow_unsigned)
            else:
                manifest = restore_backup(path, allow_unsigned=allow_unsigned, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        done = "校验通过" if options["check"] else "恢复完成"
        self.stdout.write(self.style.SUCCESS(f"{done}:{path}"))
        self.stdout.write(
            f"  备份于 {manifest.created_at},平台版本 {manifest.portal_version},"
            f"来源数据库 {manifest.database_vendor}。"
        )
        self.stdout.write(f"  {manifest.summary()}。")
        if manifest.signed_by:
            self.stdout.write(f"  签名有效(密钥编号 {manifest.signed_by})。")
        else:
            self.stderr.write(self.style.WARNING(f"警告:{manifest.signature_warning}"))
