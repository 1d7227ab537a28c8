from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.demo_data import DEMO_PASSWORD, seed_demo_city


class Command(BaseCommand):
    help = "建立演示数据(2010—2012 年)和演示账号;可重复运行,不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="在 DEBUG 关闭时也运行(仅用于演示或培训环境,切勿用于生产数据库)。",
        )
        parser.add_argument("--quiet-accounts", action="store_true", help="不逐个列出演示账号。")

    def handle(self, *args, **options):
        # Demo accounts with a published password must never reach a production database.
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("当前为生产配置(DJANGO_DEBUG=false),拒绝写入演示数据和演示账号。")
        result = seed_demo_city()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪:{result.offices} 个民政办;"
                f"本次新增工作人员 {result.staff} 人、工作台账 {result.records} 条。"
            )
        )
        self.stdout.write(f"演示账号(密码均为 {DEMO_PASSWORD}):")
        accounts = result.accounts
        shown = accounts if not options["quiet_accounts"] else accounts[:9]
        for username, role, scope in shown:
            self.stdout.write(f"  {username:<20} {role:<16} {scope}")
        if len(shown) < len(accounts):
            self.stdout.write(
                f"  …… 另有 {len(accounts) - len(shown)} 个镇(街道)账号,格式为 town_<民政部代码>"
            )
