"""Backup and restore (`manage.py backup`, `manage.py restore`): a round trip gives the same rows in
every table and the same evidence files, and the portal works on the result; a restore refuses a
database or evidence folder in use, a changed or unsafe archive and an archive made with other
migrations, and then has changed nothing."""

import dataclasses
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from assessment.reports.jobs import build_export
from duties import services as duty_services
from duties.models import DutyRecord
from offices.models import PostedRule, Premises
from operations import backup
from operations.backup import BackupError, restore_backup, verify_backup, write_backup
from operations.backup import writing as backup_writing
from portal.models import User
from portal.permissions import Action, can
from tests import factories
from tests.duties import helpers
from tests.evidence_samples import jpeg_bytes

PROJECT = Path(__file__).resolve().parents[2]
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ATTACHMENT = "duties.dutyrecordattachment"


# ---------------------------------------------------------------------------------------------------
# Helpers


def _counts() -> dict[str, int]:
    """Rows in every table of the database, django_migrations included: what a round trip must keep."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _hashes(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if not path.is_dir()
    }


def _reference_data() -> None:
    """What migrate loads, loaded again after a flush (the loaders are idempotent); the audit rows
    the real models write while loading are not part of a fresh database, so they go."""
    from assessment.standard.reference import load_default_catalog
    from duties.reference import load_duties
    from offices.reference import load_divisions

    load_divisions(*(apps.get_model("offices", name) for name in ("County", "Town", "Office")))
    load_duties(apps.get_model("duties", "Duty"))
    load_default_catalog(
        apps.get_model("assessment", "CatalogVersion"), apps.get_model("assessment", "CatalogItem")
    )
    for model in apps.get_models():
        if hasattr(model, "instance_type"):  # a simple-history model
            model.objects.all().delete()


def _fresh_database() -> dict[str, int]:
    """Empty the database to what `migrate` leaves (content types, permissions, reference data)."""
    deferred = connection.vendor == "postgresql" and connection.in_atomic_block
    if deferred:
        # Inside the test's transaction PostgreSQL refuses to truncate tables with foreign-key checks
        # still pending: run them now (the data is consistent), and defer them again afterwards.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    _reference_data()
    assert backup.database_is_empty()
    return _counts()


def _leftovers(root: Path) -> list[str]:
    """Staging folders of a restore, which must never outlive it."""
    return sorted(p.name for p in root.parent.iterdir() if p.name.startswith(f".{root.name}.restore-"))


def _post_login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.1.1")


def _login(client: Client, username: str, password: str) -> None:
    assert _post_login(client, username, password).status_code == 302, f"login of {username} failed"


def _download(client: Client, label: str, pk: int, field: str) -> bytes:
    response = client.get(reverse("evidence_download", args=[label, pk, field]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@dataclasses.dataclass
class Source:
    """A database in use, backed up: the archive, and what the database and folder held."""

    archive: Path
    counts: dict[str, int]
    hashes: dict[str, str]
    attachment_pk: int
    attachment_bytes: bytes
    premises: dict


@pytest.fixture(scope="module")
def source(django_db_setup, django_db_blocker, tmp_path_factory) -> Source:
    """A small portal in use, touching every kind of table: accounts with their permissions and
    groups, records with history, evidence files of two models, JSON, decimals and dates, sessions,
    login logs, the security log, an admin log entry and a queued background job. Built once inside a
    transaction that is rolled back; the archive and the figures stay."""
    base = tmp_path_factory.mktemp("backup-source")
    evidence = base / "evidence"
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=MD5, EVIDENCE_ROOT=evidence),
        transaction.atomic(),
    ):
        _reference_data()
        world = factories.World.build()
        record = helpers.record(world.office_a)
        attachments = duty_services.attachment_upload(
            actor=world.town_a, record=record, files=[helpers.jpeg(), helpers.png(), helpers.pdf()]
        )
        premises = Premises.objects.create(
            office=world.office_a,
            year=2010,
            area_m2=Decimal("85.50"),
            address="建设街道 1 号",
            equipment=["电脑", "打印机", {"名称": "复印机", "数量": 2}],
        )
        premises.photo.save("premises.jpg", ContentFile(jpeg_bytes(color=(10, 200, 30))))
        group = Group.objects.create(name="审核组")
        group.permissions.add(*Permission.objects.filter(codename__startswith="view_")[:5])
        world.city.groups.add(group)
        _login(Client(), "town_a", factories.PASSWORD)
        assert _post_login(Client(), "town_b", "wrong").status_code == 200
        LogEntry.objects.create(
            user=world.admin,
            content_type=ContentType.objects.get_for_model(Premises),
            object_id=str(premises.pk),
            object_repr=str(premises),
            action_flag=ADDITION,
            change_message="[]",
        )
        build_export.enqueue(0)
        archive = base / "source.tar.gz"
        write_backup(archive)
        counts = _counts()
        hashes = _hashes(evidence)
        attachment = attachments[2]
        premises_values = Premises.objects.filter(pk=premises.pk).values().get()
        source = Source(archive, counts, hashes, attachment.pk, attachment.file.read(), premises_values)
        transaction.set_rollback(True)
    assert all(counts[table] for table in ("portal_user", "duties_historicaldutyrecordattachment"))
    assert all(counts[table] for table in ("django_session", "axes_accessattempt", "portal_user_groups"))
    assert all(counts[table] for table in ("django_admin_log", "django_tasks_database_dbtaskresult"))
    assert len(hashes) == 4
    return source


def _rewrite(
    src: Path,
    dst: Path,
    *,
    manifest: Callable[[dict], None] | None = None,
    members: Callable[[list[tuple[tarfile.TarInfo, bytes]]], None] | None = None,
) -> Path:
    """A copy of an archive with its manifest or members changed, as someone tampering would."""
    with tarfile.open(src, "r:gz") as archive:
        items = [(m, archive.extractfile(m).read()) for m in archive.getmembers()]
    head, rest = items[0], items[1:]
    data = json.loads(head[1])
    if manifest:
        manifest(data)
    if members:
        members(rest)
    raw = json.dumps(data).encode()
    head[0].size = len(raw)
    with tarfile.open(dst, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        archive.addfile(head[0], io.BytesIO(raw))
        for info, content in rest:
            archive.addfile(info, io.BytesIO(content) if info.isreg() else None)
    return dst


def _member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.type = kind
    info.linkname = link
    return info, data


# ---------------------------------------------------------------------------------------------------
# What "empty" means


@pytest.mark.django_db
def test_a_freshly_migrated_database_counts_as_empty_and_a_used_one_does_not():
    # The test database is exactly what `migrate` made: its filled tables are the seeded ones.
    filled = {table for table, count in _counts().items() if count} - {"django_migrations"}
    assert filled == {apps.get_model(label)._meta.db_table for label in backup.SEEDED_MODELS}
    assert backup.database_is_empty()

    factories.user("someone", "city")
    assert not backup.database_is_empty()
    assert "portal_user" in backup.nonempty_tables()
    assert "portal_historicaluser" in backup.nonempty_tables()


def test_every_table_of_every_model_is_dumped():
    tables = {model._meta.db_table for model in backup.dumped_models()}
    assert {"portal_user_groups", "auth_group_permissions", "django_session", "axes_accesslog"} <= tables
    assert {"guardian_userobjectpermission", "portal_officeuserobjectpermission"} <= tables
    assert {"django_tasks_database_dbtaskresult", "django_admin_log", "offices_historicaloffice"} <= tables
    assert "auth_user" not in tables  # swapped for portal.User: no table


# ---------------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.django_db
def test_the_demo_city_comes_back_whole_and_usable(tmp_path, settings):
    from operations.demo_data import DEMO_PASSWORD, seed_demo_city

    seed_demo_city()
    before = _counts()
    files = _hashes(settings.EVIDENCE_ROOT)
    rule = PostedRule.objects.exclude(photo="").select_related("office__town").order_by("pk").first()
    original = rule.photo.read()
    archive = tmp_path / "demo.tar.gz"

    manifest = write_backup(archive)

    assert {table: entry.rows for table, entry in manifest.tables.items()} == {
        table: before[table] for table in manifest.tables
    }
    assert {name: entry.sha256 for name, entry in manifest.files.items()} == files
    assert len(files) > 1000 and before["assessment_payment"] > 0 and before["offices_historicalpremises"] > 0

    _fresh_database()
    shutil.rmtree(settings.EVIDENCE_ROOT)
    assert _counts() != before

    restored = restore_backup(archive)

    assert restored.tables == manifest.tables
    assert _counts() == before
    assert _hashes(settings.EVIDENCE_ROOT) == files
    client = Client()
    _login(client, f"town_{rule.office.town.code}", DEMO_PASSWORD)
    assert _download(client, "offices.postedrule", rule.pk, "photo") == original
    assert client.get(reverse("home"), follow=True).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_restore_commits_and_new_rows_get_new_ids(source, settings):
    # Outside a test transaction: the real commit, foreign keys checked, sequences reset (the flush
    # starts them again at 1, as in a new database).
    _fresh_database()

    restore_backup(source.archive)

    assert _counts() == source.counts
    assert _hashes(settings.EVIDENCE_ROOT) == source.hashes
    assert _leftovers(settings.EVIDENCE_ROOT) == []
    client = Client()
    _login(client, "town_a", factories.PASSWORD)
    assert _download(client, ATTACHMENT, source.attachment_pk, "file") == source.attachment_bytes
    # Without the sequences reset, PostgreSQL would hand out ids that the restored rows already have.
    newest_user = User.objects.order_by("-pk").first().pk
    newest_record = DutyRecord.objects.order_by("-pk").first().pk
    assert factories.user("newcomer", "city").pk > newest_user
    assert factories.duty_record(factories.office(factories.TOWN_A), title="恢复后新建").pk > newest_record


@pytest.mark.django_db
def test_the_commands_back_up_restore_and_report_in_chinese(source, tmp_path, settings):
    out = io.StringIO()
    archive = tmp_path / "nightly.tar.gz"

    call_command("backup", "-o", str(archive), stdout=out)
    assert "备份完成" in out.getvalue() and "数据表" in out.getvalue()
    with pytest.raises(CommandError, match="已存在,不会覆盖"):
        call_command("backup", "-o", str(archive), stdout=io.StringIO())
    call_command("restore", "--check", str(archive), stdout=(check := io.StringIO()))
    assert "校验通过" in check.getvalue()
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))

    factories.World.build()
    with pytest.raises(CommandError, match=r"数据库不是空的.*portal_user"):
        call_command("restore", str(source.archive))

    _fresh_database()
    call_command("restore", str(source.archive), stdout=(done := io.StringIO()))
    assert "恢复完成" in done.getvalue()
    assert _counts() == source.counts
    assert _hashes(settings.EVIDENCE_ROOT) == source.hashes


def _run(args: list[str], database: Path, evidence: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiaxing_minzheng.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "EVIDENCE_ROOT": str(evidence),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(  # noqa: S603 - our own manage.py, with arguments of this test
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=180)
    return process.returncode, stdout, stderr


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        ]
        rows = {}
        for table in tables:
            # When a migration was applied differs between two databases; which ones were, must not.
            columns = "app, name" if table == "django_migrations" else "*"
            rows[table] = sorted(db.execute(f'SELECT {columns} FROM "{table}"').fetchall(), key=repr)  # noqa: S608
        return rows
    finally:
        db.close()


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite files in subprocesses, copied from the SQLite test database: the SQLite run covers it",
)
@pytest.mark.django_db(transaction=True)
def test_the_commands_carry_a_portal_from_one_sqlite_file_to_another(source, tmp_path, settings):
    # The first file is a copy of the test database holding the source portal; the second is new.
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    a_files, b_files = settings.EVIDENCE_ROOT, tmp_path / "b-evidence"
    second = tmp_path / "a.tar.gz"
    _fresh_database()
    restore_backup(source.archive)
    connection.ensure_connection()
    with sqlite3.connect(a) as copy:
        connection.connection.backup(copy)
    copy.close()
    rows_a = _sqlite_rows(a)
    assert {table: len(rows) for table, rows in rows_a.items()} == source.counts

    code, stdout, stderr = _finish(_run(["backup", "-o", str(second)], a, a_files))
    assert code == 0, stderr
    assert "备份完成" in stdout
    into_b = _run(["restore", str(second)], b, b_files)
    # Meanwhile: a restore into a database in use fails with exit code 1 and a message in Chinese.
    again_into_a = _run(["restore", str(second)], a, a_files)
    code, stdout, stderr = _finish(into_b)
    assert code == 0, stderr
    assert "先执行 migrate" in stdout and "恢复完成" in stdout
    code, stdout, stderr = _finish(again_into_a)
    assert code == 1
    assert "CommandError" in stderr and "拒绝恢复" in stderr

    assert _sqlite_rows(a) == rows_a
    assert _sqlite_rows(b) == rows_a
    assert _hashes(a_files) == _hashes(b_files) == source.hashes


# ---------------------------------------------------------------------------------------------------
# Refusals: each leaves the database and the evidence folder as they were


@pytest.mark.django_db
def test_a_database_in_use_is_refused_and_left_alone(source, settings):
    factories.World.build()
    before = _counts()

    with pytest.raises(BackupError, match="数据库不是空的") as refused:
        restore_backup(source.archive)

    assert "portal_user" in str(refused.value)
    assert _counts() == before
    assert not settings.EVIDENCE_ROOT.exists()
    assert _leftovers(settings.EVIDENCE_ROOT) == []


@pytest.mark.django_db
def test_an_evidence_folder_with_files_is_refused_and_left_alone(source, settings):
    fresh = _fresh_database()
    (settings.EVIDENCE_ROOT / "office").mkdir(parents=True)
    (settings.EVIDENCE_ROOT / "office" / "old.jpg").write_bytes(b"old")

    with pytest.raises(BackupError, match=r"证据目录.*已有文件"):
        restore_backup(source.archive)

    assert _counts() == fresh
    assert _hashes(settings.EVIDENCE_ROOT) == {"office/old.jpg": hashlib.sha256(b"old").hexdigest()}


def _flip_first_file(members: list) -> None:
    for index, (info, data) in enumerate(members):
        if info.name.startswith("evidence/"):
            members[index] = (info, bytes([data[0] ^ 0xFF]) + data[1:])
            return


def _drop_last_row(table: str) -> Callable[[list], None]:
    def change(members: list) -> None:
        for index, (info, data) in enumerate(members):
            if info.name == f"db/{table}.jsonl":
                shorter = b"".join(data.splitlines(keepends=True)[:-1])
                info.size = len(shorter)
                members[index] = (info, shorter)

    return change


def _add_row_to_count(table: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["tables"][table]["rows"] += 1

    return change


TAMPERED = {
    "一个证据文件被改动": ({"members": _flip_first_file}, "校验值不符"),
    "清单中的行数被改动": ({"manifest": _add_row_to_count("portal_user")}, "清单记为"),
    "删掉了一行数据": ({"members": _drop_last_row("duties_dutyrecordattachment")}, "校验值不符"),
    "缺少一个证据文件": (
        {"members": lambda m: m.remove(next(x for x in m if x[0].name.startswith("evidence/")))},
        "不完整",
    ),
    "路径含 ..": ({"members": lambda m: m.append(_member("evidence/../../escape.txt", b"x"))}, "不安全"),
    "绝对路径": ({"members": lambda m: m.append(_member("/escape-from-backup.txt", b"x"))}, "不安全"),
    "符号链接": (
        {
            "members": lambda m: m.append(
                _member("evidence/link.jpg", kind=tarfile.SYMTYPE, link="/etc/passwd")
            )
        },
        "链接",
    ),
    "设备文件": ({"members": lambda m: m.append(_member("evidence/dev", kind=tarfile.CHRTYPE))}, "设备"),
    "多出的成员": ({"members": lambda m: m.append(_member("evidence/extra.jpg", b"x"))}, "不在清单中"),
    "不是本平台的清单": ({"manifest": lambda d: d.update(format="other")}, "不是本平台"),
}


@pytest.mark.django_db
def test_changed_or_unsafe_archives_are_refused_and_change_nothing(source, tmp_path, settings, subtests):
    fresh = _fresh_database()
    root = settings.EVIDENCE_ROOT
    folder = tmp_path / "archives"
    folder.mkdir()
    truncated = folder / "truncated.tar.gz"
    truncated.write_bytes(source.archive.read_bytes()[: source.archive.stat().st_size * 2 // 3])
    cases = {
        name: (_rewrite(source.archive, folder / f"{i}.tar.gz", **change), message)
        for i, (name, (change, message)) in enumerate(TAMPERED.items())
    }
    cases["截断的备份文件"] = (truncated, "不完整")

    for name, (archive, message) in cases.items():
        with subtests.test(msg=name):
            with pytest.raises(BackupError, match=message):
                verify_backup(archive)
            with pytest.raises(BackupError, match=message):
                restore_backup(archive)
            assert _counts() == fresh
            assert backup.evidence_store_is_empty(root)
            assert _leftovers(root) == []
            assert not (tmp_path / "escape.txt").exists() and not Path("/escape-from-backup.txt").exists()

    # Untouched, the same archive restores.
    restore_backup(source.archive)
    assert _counts() == source.counts


@pytest.mark.django_db
def test_an_archive_of_other_migrations_is_refused(source, tmp_path):
    fresh = _fresh_database()
    older = _rewrite(
        source.archive,
        tmp_path / "older.tar.gz",
        manifest=lambda d: d["migrations"]["assessment"].remove("0003_add_subsidies"),
    )
    newer = _rewrite(
        source.archive,
        tmp_path / "newer.tar.gz",
        manifest=lambda d: d["migrations"]["offices"].append("0004_future_change"),
    )

    with pytest.raises(BackupError, match="当前程序有而备份中没有:0003_add_subsidies") as refused:
        restore_backup(older)
    assert "应用 assessment" in str(refused.value) and "相同版本的平台程序恢复" in str(refused.value)
    with pytest.raises(BackupError, match="应用 offices:备份中有而当前程序没有:0004_future_change"):
        restore_backup(newer)
    assert _counts() == fresh


# ---------------------------------------------------------------------------------------------------
# Writing the archive


@pytest.mark.django_db
def test_a_backup_that_fails_midway_leaves_no_file_under_its_name(tmp_path, settings, monkeypatch):
    for name in ("a.jpg", "b.jpg"):
        (settings.EVIDENCE_ROOT / "office").mkdir(parents=True, exist_ok=True)
        (settings.EVIDENCE_ROOT / "office" / name).write_bytes(jpeg_bytes())
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "nightly.tar.gz"
    add_member = backup_writing._add_member

    def disk_full_at_the_evidence(archive, name, *args):
        if name.startswith("evidence/"):
            raise OSError(28, "No space left on device")
        add_member(archive, name, *args)

    monkeypatch.setattr(backup_writing, "_add_member", disk_full_at_the_evidence)
    with pytest.raises(BackupError, match="写入备份失败"):
        write_backup(target)
    assert list(folder.iterdir()) == []

    monkeypatch.setattr(backup_writing, "_add_member", add_member)
    manifest = write_backup(target)
    assert list(folder.iterdir()) == [target]
    assert target.stat().st_mode & 0o077 == 0  # personal data and password hashes: owner only
    assert set(manifest.files) == {"office/a.jpg", "office/b.jpg"}
    written = target.read_bytes()
    with pytest.raises(BackupError, match="已存在"):
        write_backup(target)
    assert target.read_bytes() == written
    assert write_backup(target, overwrite=True).created_at >= manifest.created_at


@pytest.mark.django_db
def test_rows_come_back_with_their_exact_values(source):
    _fresh_database()
    restore_backup(source.archive)

    # Timestamps set by auto_now stay those of the backup, decimals and JSON as they were.
    premises = Premises.objects.filter(pk=source.premises["id"])
    assert premises.values().get() == source.premises
    assert source.premises["area_m2"] == Decimal("85.50") and source.premises["equipment"][2]["数量"] == 2
    assert User.objects.get(username="city").groups.get().name == "审核组"
    town_a = User.objects.get(username="town_a")
    assert can(town_a, Action.FILE, premises.get().office)
    assert not can(town_a, Action.VIEW, factories.office(factories.TOWN_C))
