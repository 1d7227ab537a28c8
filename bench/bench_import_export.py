"""Benchmark of the spreadsheet import and export, through the portal's own pages.

    .venv/bin/python bench/bench_import_export.py [--rows 10000]

Builds its own database (a temporary SQLite file, migrated, so it has the real 72 towns and 14
duties), then, as a county inspector of 南湖区, imports a staff file of N rows spread over the
county's towns (upload and read, preview, confirm and write), imports it again with every phone
number changed, and, as a town user, exports N duty records of one office as XLSX and CSV. Prints
the time of each step; the figures go in docs/performance.md. Targets: import within 20 s, export
within 5 s (a 2-core machine)."""

import argparse
import atexit
import datetime as dt
import io
import logging
import os
import platform
import resource
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORK = Path(tempfile.mkdtemp(prefix="bench-import-export-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["EVIDENCE_ROOT"] = str(WORK / "evidence")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxing_minzheng.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()
logging.getLogger("portal.security").setLevel(logging.WARNING)  # no line per login of the bench users

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from duties.models import Duty, DutyRecord  # noqa: E402
from offices.models import County, Office  # noqa: E402
from portal.account_services import user_create  # noqa: E402
from portal.choices import Role  # noqa: E402
from staffing.models import StaffMember  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红"
EDUCATION = ["研究生", "大学本科", "大学专科", "高中、中专"]
EMPLOYMENT = ["公务员", "事业编制", "编外", "其他"]
POSTS = ["主任", "副主任", "工作人员", "工作人员"]
HEADER = [
    "镇(街道)",
    "姓名",
    "性别",
    "出生日期",
    "学历",
    "人员性质",
    "专兼职",
    "职务",
    "到岗日期",
    "联系电话",
]


def staff_file(towns: list[str], rows: int, phone_prefix: str) -> bytes:
    """A roster as a county would keep it: a merged title row, Chinese headers, real date cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    sheet.append(["南湖区各镇(街道)民政办工作人员名册"])
    sheet.append(HEADER)
    for i in range(rows):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + f"{i:05d}"
        sheet.append(
            [
                towns[i % len(towns)],
                name,
                "男" if i % 2 else "女",
                dt.date(1955 + i % 30, 1 + i % 12, 1 + i % 28),  # 16 or older on the first day
                EDUCATION[i % 4],
                EMPLOYMENT[i % 4],
                "专职" if i % 5 else "兼职",
                POSTS[i % 4],
                dt.date(2000 + i % 10, 1 + i % 12, 1 + i % 28),
                f"{phone_prefix}{i:07d}",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class Timer:
    def __init__(self) -> None:
        self.results: list[tuple[str, float, str]] = []

    def run(self, label: str, action, note: str = ""):
        started = time.perf_counter()
        result = action()
        self.results.append((label, time.perf_counter() - started, note))
        return result


def import_file(client: Client, url: str, content: bytes, timer: Timer, label: str, expect: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("名册.xlsx", content)
    response = timer.run(
        f"{label}: upload (read, find header, keep)",
        lambda: client.post(url, {"action": "upload", "file": upload}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].split("token=")[1]
    preview = timer.run(f"{label}: preview (check every row)", lambda: client.get(url, {"token": token}))
    assert preview.status_code == 200 and expect in preview.content.decode(), preview.content.decode()[-3000:]
    done = timer.run(
        f"{label}: confirm (check again, write, history)",
        lambda: client.post(url, {"action": "confirm", "token": token}),
    )
    assert done.status_code == 302, done.content.decode()[-3000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    rows = parser.parse_args().rows
    timer = Timer()
    timer.run("migrate a new database", lambda: call_command("migrate", verbosity=0))

    county = County.objects.get(code="330402")
    office = Office.objects.select_related("town").filter(town__county=county).order_by("town__code").first()
    password = secrets.token_urlsafe(16)
    inspector = user_create(
        actor=None, username="bench_county", password=password, role=Role.COUNTY, county=county
    )
    town_user = user_create(
        actor=None, username="bench_town", password=password, role=Role.TOWN, office=office
    )
    towns = list(Office.objects.filter(town__county=county).values_list("town__name", flat=True))

    # -- import ------------------------------------------------------------------------------------
    client = Client()
    client.force_login(inspector)
    url = reverse("offices:county_staff_import", args=[county.code])
    first = staff_file(towns, rows, "138")
    second = staff_file(towns, rows, "139")
    started = time.perf_counter()
    import_file(client, url, first, timer, f"import {rows:,} new staff", "确认导入")
    total_new = time.perf_counter() - started
    assert StaffMember.objects.filter(office__town__county=county).count() >= rows
    started = time.perf_counter()
    import_file(client, url, second, timer, f"import {rows:,} changed staff", "确认导入")
    total_changed = time.perf_counter() - started
    history = StaffMember.history.filter(history_user=inspector).count()
    assert history == 2 * rows, history

    # -- export ------------------------------------------------------------------------------------
    duties = list(Duty.objects.order_by("number"))
    DutyRecord.objects.bulk_create(
        DutyRecord(
            office=office,
            duty=duties[i % 14],
            date=dt.date(2010 + i % 3, 1 + i % 12, 1 + i % 28),
            title=f"=台账{i:05d} 入户走访" if i % 100 == 0 else f"台账{i:05d} 入户走访",
            content="走访低保对象,核查家庭收入和财产状况,更新动态管理台账。" * 2,
        )
        for i in range(rows)
    )
    client = Client()
    client.force_login(town_user)
    sizes = {}
    for fmt in ("xlsx", "csv"):
        export_url = reverse("duties:record_export", args=[office.town.code, fmt])
        response = timer.run(
            f"export {rows:,} duty records as {fmt.upper()}", lambda u=export_url: client.get(u)
        )
        assert response.status_code == 200
        sizes[fmt] = len(response.content)

    # -- report ------------------------------------------------------------------------------------
    print(f"\nBenchmark of spreadsheet import and export ({rows:,} rows)")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
    )
    print(
        f"staff file: {len(first) / 1024:,.0f} KB; "
        f"XLSX export {sizes['xlsx'] / 1024:,.0f} KB, CSV {sizes['csv'] / 1024:,.0f} KB"
    )
    print()
    width = max(len(label) for label, _, _ in timer.results)
    for label, seconds, _ in timer.results:
        print(f"  {label:<{width}}  {seconds:7.2f} s")
    print()
    print(f"  {'import, new staff, all steps':<{width}}  {total_new:7.2f} s   (target 20 s)")
    print(f"  {'import, changed staff, all steps':<{width}}  {total_changed:7.2f} s   (target 20 s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'peak memory of the process':<{width}}  {peak:7.0f} MB")


if __name__ == "__main__":
    main()
