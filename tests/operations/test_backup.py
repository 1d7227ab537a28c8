"""Backup and restore (`manage.py backup`, `manage.py restore`): a round trip gives the same rows in
every table and the same evidence files, and the portal works on the result; a restore refuses a
database or evidence folder in use, a changed or unsafe archive and an archive made with other
migrations, and then has changed nothing. Archives are signed with a key kept apart from them: an
unsigned, mis-signed or damaged archive is refused before anything is written."""

import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from operations.backup.archive import MANIFEST_NAME, SIGNATURE_NAME
from operations.backup.signing import SigningKey, key_id, sign
from portal.models import User
from portal.permissions import Action, can
from tests import factories
from tests.duties import helpers
from tests.evidence_samples import jpeg_bytes

PROJECT = Path(__file__).resolve().parents[2]
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ATTACHMENT = "duties.dutyrecordattachment"
KEY = "0123456789abcdef" * 4  # the tests' signing key


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


@pytest.fixture(scope="module")
def key_file(tmp_path_factory) -> Path:
    """The signing key, in a file of its own, away from the archives."""
    path = tmp_path_factory.mktemp("backup-key") / "backup-signing.key"
    path.write_text(f"# 测试用的签名密钥\n{KEY}\n")
    return path


@pytest.fixture(autouse=True)
def _signing_key(settings, key_file):
    settings.BACKUP_SIGNING_KEY_FILE = str(key_file)


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
def source(django_db_setup, django_db_blocker, tmp_path_factory, key_file) -> Source:
    """A small portal in use, touching every kind of table: accounts with their permissions and
    groups, records with history, evidence files of two models, JSON, decimals and dates, sessions,
    login logs, the security log, an admin log entry and a queued background job. Built once inside a
    transaction that is rolled back; the archive and the figures stay."""
    base = tmp_path_factory.mktemp("backup-source")
    evidence = base / "evidence"
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=MD5, EVIDENCE_ROOT=evidence, BACKUP_SIGNING_KEY_FILE=str(key_file)
        ),
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
        assert write_backup(archive).signed_by == key_id(KEY.encode())
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
    sign_with: str | None = None,
    signature: bytes | None = None,
    unsigned: bool = False,
) -> Path:
    """A copy of an archive with its manifest or members changed, as someone tampering would. The
    manifest keeps its bytes (and so its signature) unless `manifest` changes it; `sign_with` signs
    the result with that key, `signature` puts those bytes in the signature's place, `unsigned` drops
    the signature. The members are changed first, so `manifest` can record what they became."""
    with tarfile.open(src, "r:gz") as archive:
        items = [(m, archive.extractfile(m).read() if m.isreg() else b"") for m in archive.getmembers()]
    head, rest = items[0], items[1:]
    sig = rest.pop(0) if rest and rest[0][0].name == "manifest.sig" else None
    if members:
        members(rest)
    raw = head[1]
    if manifest:
        data = json.loads(raw)
        manifest(data)
        raw = json.dumps(data).encode()
    head[0].size = len(raw)
    if sign_with is not None:
        signature = sign(raw, SigningKey(key_id(sign_with.encode()), sign_with.encode()))
    if signature is not None:
        info = tarfile.TarInfo("manifest.sig")
        sig = (info, signature)
    if unsigned:
        sig = None
    with tarfile.open(dst, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        archive.addfile(head[0], io.BytesIO(raw))
        if sig is not None:
            sig[0].size = len(sig[1])
            archive.addfile(sig[0], io.BytesIO(sig[1]))
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

    call_command("backup", "-o", str(archive), stdout=out, stderr=(warnings := io.StringIO()))
    assert "备份完成" in out.getvalue() and "数据表" in out.getvalue() and "已签名" in out.getvalue()
    assert warnings.getvalue() == ""
    with pytest.raises(CommandError, match="已存在,不会覆盖"):
        call_command("backup", "-o", str(archive), stdout=io.StringIO())
    call_command("restore", "--check", str(archive), stdout=(check := io.StringIO()))
    assert "校验通过" in check.getvalue() and "签名有效" in check.getvalue()
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


def _run(args: list[str], database: Path | str, evidence: Path, key: Path | None = None) -> subprocess.Popen:
    """manage.py in a process of its own; `database` a SQLite file or a database URL."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiaxing_minzheng.settings",
        "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
        "EVIDENCE_ROOT": str(evidence),
        "LOG_LEVEL": "WARNING",
        "BACKUP_SIGNING_KEY_FILE": str(key or ""),
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
def test_the_commands_carry_a_portal_from_one_sqlite_file_to_another(source, tmp_path, settings, key_file):
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

    code, stdout, stderr = _finish(_run(["backup", "-o", str(second)], a, a_files, key_file))
    assert code == 0, stderr
    assert "备份完成" in stdout and "已签名" in stdout
    into_b = _run(["restore", str(second)], b, b_files, key_file)
    # Meanwhile: a restore into a database in use fails with exit code 1 and a message in Chinese.
    again_into_a = _run(["restore", str(second)], a, a_files, key_file)
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
    "清单中的行数被改动": ({"manifest": _add_row_to_count("portal_user")}, "签名不符"),
    "清单中的行数被改动并用同一密钥重新签名": (
        {"manifest": _add_row_to_count("portal_user"), "sign_with": KEY},
        "清单记为",
    ),
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
    "签名被删去": ({"unsigned": True}, "没有签名"),
    "签名不是有效的 JSON": ({"signature": b"{not json"}, "签名 manifest.sig 格式不对"),
    "签名用了别的算法": (
        {
            "signature": json.dumps(
                {"format": "jiaxing-minzheng-backup", "algorithm": "MD5", "key_id": "x", "hmac": "y"}
            ).encode()
        },
        "签名算法",
    ),
}


@pytest.mark.django_db
def test_changed_or_unsafe_archives_are_refused_and_change_nothing(source, tmp_path, settings, subtests):
    fresh = _fresh_database()
    root = settings.EVIDENCE_ROOT
    folder = tmp_path / "archives"
    folder.mkdir()
    truncated = folder / "truncated.tar.gz"
    whole = source.archive.read_bytes()
    truncated.write_bytes(whole[: len(whole) * 2 // 3])
    corrupted = folder / "corrupted.tar.gz"
    corrupted.write_bytes(
        whole[: len(whole) // 2] + bytes([whole[len(whole) // 2] ^ 0x55]) + whole[len(whole) // 2 + 1 :]
    )
    cases = {
        name: (_rewrite(source.archive, folder / f"{i}.tar.gz", **change), message)
        for i, (name, (change, message)) in enumerate(TAMPERED.items())
    }
    cases["截断的备份文件"] = (truncated, "不完整")
    cases["中间坏了一个字节的备份文件"] = (corrupted, "损坏|改动")

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
        sign_with=KEY,
    )
    newer = _rewrite(
        source.archive,
        tmp_path / "newer.tar.gz",
        manifest=lambda d: d["migrations"]["offices"].append("0004_future_change"),
        sign_with=KEY,
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


# ---------------------------------------------------------------------------------------------------
# Signatures: an archive is trusted for its signature, not for its hashes


OTHER_KEY = "fedcba9876543210" * 4


def _forge_superuser(src: Path, dst: Path, username: str = "town_a", **kwargs) -> Path:
    """The attack of the issue: one row of portal_user rewritten (a town account made superuser), and
    that member's sha256 and size in the manifest with it. The hashes all agree; only the signature
    can tell."""
    changed: dict = {}

    def members(items: list) -> None:
        for index, (info, data) in enumerate(items):
            if info.name == "db/portal_user.jsonl":
                lines = []
                for line in data.splitlines(keepends=True):
                    row = json.loads(line)
                    if row["username"] == username:
                        row.update(is_superuser=True, is_staff=True)
                        line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                    lines.append(line)
                forged = b"".join(lines)
                assert forged != data
                info.size = len(forged)
                items[index] = (info, forged)
                changed.update(size=len(forged), sha256=hashlib.sha256(forged).hexdigest())

    def manifest(data: dict) -> None:
        data["tables"]["portal_user"].update(changed)

    return _rewrite(src, dst, members=members, manifest=manifest, **kwargs)


def _assert_untouched(fresh: dict[str, int], root: Path) -> None:
    assert _counts() == fresh
    assert not root.exists()
    assert _leftovers(root) == []


def _key_file(path: Path, *keys: str) -> str:
    path.write_text("".join(f"{key}\n" for key in keys))
    return str(path)


@pytest.mark.django_db
def test_a_signed_archive_carries_its_signature_and_restores(source, settings):
    with tarfile.open(source.archive, "r:gz") as archive:
        first, second = archive.getmembers()[:2]
        signature = json.loads(archive.extractfile(second).read())
        manifest_bytes = archive.extractfile(first).read()
    assert (first.name, second.name) == (MANIFEST_NAME, SIGNATURE_NAME)
    assert signature["algorithm"] == "HMAC-SHA256" and signature["key_id"] == key_id(KEY.encode())
    assert KEY not in json.dumps(signature) and KEY.encode() not in manifest_bytes
    assert verify_backup(source.archive).signed_by == key_id(KEY.encode())
    _fresh_database()

    restored = restore_backup(source.archive)

    assert restored.signed_by == key_id(KEY.encode()) and restored.signature_warning == ""
    assert _counts() == source.counts


@pytest.mark.django_db
def test_a_row_rewritten_with_its_manifest_hash_is_refused_and_changes_nothing(source, tmp_path, settings):
    forged = _forge_superuser(source.archive, tmp_path / "forged.tar.gz")
    # The hashes alone are no defence: without its signature the forged archive checks out.
    stripped = _forge_superuser(source.archive, tmp_path / "stripped.tar.gz", unsigned=True)
    assert verify_backup(stripped, allow_unsigned=True).signature_warning
    with pytest.raises(BackupError, match="没有签名"):
        verify_backup(stripped)
    fresh = _fresh_database()

    for allow_unsigned in (False, True):
        # --allow-unsigned trusts an archive without a signature, never one whose signature is wrong.
        with pytest.raises(BackupError, match=r"签名不符.*清单 manifest.json 在签名之后被改动"):
            verify_backup(forged, allow_unsigned=allow_unsigned)
        with pytest.raises(BackupError, match="签名不符"):
            restore_backup(forged, allow_unsigned=allow_unsigned)
        _assert_untouched(fresh, settings.EVIDENCE_ROOT)
    with pytest.raises(CommandError, match="签名不符"):
        call_command("restore", str(forged), stdout=io.StringIO())
    _assert_untouched(fresh, settings.EVIDENCE_ROOT)
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db
def test_an_unsigned_archive_is_refused_unless_allowed(world, tmp_path, settings):
    settings.BACKUP_SIGNING_KEY_FILE = ""  # no key, as under `make run`
    archive = tmp_path / "unsigned.tar.gz"
    call_command("backup", "-o", str(archive), stdout=(out := io.StringIO()), stderr=(err := io.StringIO()))
    assert "备份完成" in out.getvalue() and "已签名" not in out.getvalue()
    assert "未配置签名密钥(BACKUP_SIGNING_KEY_FILE),备份文件没有签名" in err.getvalue()
    with tarfile.open(archive, "r:gz") as opened:
        assert SIGNATURE_NAME not in opened.getnames()
    before = _counts()
    fresh = _fresh_database()

    for key in ("", _key_file(tmp_path / "key", KEY)):
        settings.BACKUP_SIGNING_KEY_FILE = key
        with pytest.raises(BackupError, match="没有签名"):
            verify_backup(archive)
        with pytest.raises(BackupError, match=r"没有签名.*拒绝处理.*--allow-unsigned"):
            restore_backup(archive)
        with pytest.raises(CommandError, match="没有签名"):
            call_command("restore", "--check", str(archive))
        _assert_untouched(fresh, settings.EVIDENCE_ROOT)

    call_command(
        "restore",
        "--allow-unsigned",
        str(archive),
        stdout=(done := io.StringIO()),
        stderr=(err := io.StringIO()),
    )
    assert "恢复完成" in done.getvalue()
    assert "没有签名" in err.getvalue() and "--allow-unsigned" in err.getvalue()
    assert _counts() == before


@pytest.mark.django_db
def test_a_wrong_key_is_refused_and_a_rotated_key_file_reads_old_archives(source, tmp_path, settings):
    fresh = _fresh_database()
    root = settings.EVIDENCE_ROOT
    settings.BACKUP_SIGNING_KEY_FILE = _key_file(tmp_path / "other.key", OTHER_KEY)
    with pytest.raises(BackupError, match=re.escape(f"另一把密钥签名(密钥编号 {key_id(KEY.encode())})")):
        verify_backup(source.archive)
    with pytest.raises(BackupError, match="另一把密钥"):
        restore_backup(source.archive)
    _assert_untouched(fresh, root)
    # The operator may still vouch for it, knowingly.
    assert "另一把密钥" in verify_backup(source.archive, allow_unsigned=True).signature_warning

    settings.BACKUP_SIGNING_KEY_FILE = ""
    with pytest.raises(BackupError, match="本机未配置签名密钥 BACKUP_SIGNING_KEY_FILE"):
        restore_backup(source.archive)
    _assert_untouched(fresh, root)

    # Rotated: the new key on top signs, the old one below still verifies the archives it signed.
    settings.BACKUP_SIGNING_KEY_FILE = _key_file(tmp_path / "rotated.key", OTHER_KEY, KEY)
    assert restore_backup(source.archive).signed_by == key_id(KEY.encode())
    assert _counts() == source.counts
    newer = write_backup(tmp_path / "newer.tar.gz")
    assert newer.signed_by == key_id(OTHER_KEY.encode())
    settings.BACKUP_SIGNING_KEY_FILE = _key_file(tmp_path / "old-only.key", KEY)
    with pytest.raises(BackupError, match="另一把密钥"):
        verify_backup(tmp_path / "newer.tar.gz")


@pytest.mark.django_db
def test_an_unusable_key_file_stops_backup_and_restore_before_anything(source, tmp_path, settings):
    folder = tmp_path / "backups"
    folder.mkdir()
    fresh = _fresh_database()
    cases = {
        "missing": (str(tmp_path / "missing.key"), "无法读取"),
        "short": (_key_file(tmp_path / "short.key", "abc123"), "第 1 行不是有效的密钥"),
        "empty": (_key_file(tmp_path / "empty.key", "# 只有注释"), "中没有密钥"),
    }
    for path, message in cases.values():
        settings.BACKUP_SIGNING_KEY_FILE = path
        with pytest.raises(BackupError, match=message):
            write_backup(folder / "nightly.tar.gz")
        assert list(folder.iterdir()) == []
        with pytest.raises(BackupError, match=message):
            restore_backup(source.archive)
        _assert_untouched(fresh, settings.EVIDENCE_ROOT)

    # A key kept beside the archives travels with them: the backup says so.
    settings.BACKUP_SIGNING_KEY_FILE = _key_file(folder / "signing.key", KEY)
    call_command(
        "backup", "-o", str(folder / "nightly.tar.gz"), stdout=io.StringIO(), stderr=(err := io.StringIO())
    )
    assert "在备份目录" in err.getvalue()


@contextmanager
def _scratch_database(tmp_path: Path) -> Iterator[str]:
    """A database without any table, of the same vendor as the test database, as a URL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_scratch"
    server = {"user": params["USER"], "password": params["PASSWORD"] or None, "host": params["HOST"]}
    server["port"] = params["PORT"] or 5432
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
        yield f"postgres://{params['USER']}{password}@{params['HOST']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        db = sqlite3.connect(path)
        try:
            return sorted(
                name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        finally:
            db.close()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return sorted(
            name for (name,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )


def test_a_refused_archive_leaves_a_new_database_without_a_single_table(source, tmp_path, key_file):
    # The report: a refused archive used to leave the new database migrated (82 tables) and
    # seeded (646 rows). Now every refusal comes before migrate. In processes of their own, on a new
    # database of the test database's vendor.
    whole = source.archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(whole[: len(whole) * 2 // 3])
    refused = {
        "签名不符": _forge_superuser(source.archive, tmp_path / "forged.tar.gz"),
        "没有签名": _rewrite(source.archive, tmp_path / "unsigned.tar.gz", unsigned=True),
        "不完整或已损坏": truncated,
    }
    evidence = tmp_path / "evidence"
    with _scratch_database(tmp_path) as url:
        for message, archive in refused.items():
            code, stdout, stderr = _finish(_run(["restore", str(archive)], url, evidence, key_file))
            assert code == 1, stdout
            assert "CommandError" in stderr and message in stderr
            assert "migrate" not in stdout
            assert _tables(url) == []
            assert not evidence.exists()
        code, stdout, stderr = _finish(_run(["restore", str(source.archive)], url, evidence, key_file))
        assert code == 0, stderr
        assert "恢复完成" in stdout and "签名有效" in stdout
        assert len(_tables(url)) > 50
        assert _hashes(evidence) == source.hashes
