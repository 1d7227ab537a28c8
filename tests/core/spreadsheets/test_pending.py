"""Uploads waiting for confirmation: private to their user and page, confirmed once, and deleted
when abandoned (by every new upload and by `manage.py purge_imports`)."""

import os
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.spreadsheets.limits import pending_root
from staffing.models import StaffMember
from tests import factories

from . import helpers as h

pytestmark = pytest.mark.django_db


def _url(world) -> str:
    return reverse("staffing:staff_import", args=[world.office_a.town.code])


def _file() -> bytes:
    return h.xlsx_bytes([h.STAFF_HEADER, h.staff_row("王芳")])


def _age(token: str, seconds: float) -> None:
    path = pending_root() / f"{token}.json"
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_upload_is_kept_privately_until_confirmed(world):
    client = factories.client_for(world.town_a)
    token, preview = h.submit(client, _url(world), _file())
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    path = pending_root() / f"{token}.json"
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert not StaffMember.objects.filter(name="王芳").exists()
    h.confirm(client, _url(world), token)
    assert StaffMember.objects.filter(name="王芳").count() == 1
    assert not path.exists()


def test_another_user_cannot_see_or_confirm_an_upload(world):
    token, _ = h.submit(factories.client_for(world.town_a), _url(world), _file())
    other = factories.client_for(factories.user("town_a2", world.town_a.role, office_obj=world.office_a))
    response = other.get(_url(world), {"token": token}, follow=True)
    assert "已过期、已导入或已取消" in response.content.decode()
    h.confirm(other, _url(world), token)
    assert not StaffMember.objects.filter(name="王芳").exists()


def test_an_upload_belongs_to_its_page(world):
    client = factories.client_for(world.town_a)
    token, _ = h.submit(client, _url(world), _file())
    records_url = reverse("duties:record_import", args=[world.office_a.town.code])
    response = client.get(records_url, {"token": token}, follow=True)
    assert "已过期、已导入或已取消" in response.content.decode()


def test_confirming_twice_imports_once(world):
    client = factories.client_for(world.town_a)
    token, _ = h.submit(client, _url(world), _file())
    assert h.confirm(client, _url(world), token).status_code == 302
    second = client.post(_url(world), {"action": "confirm", "token": token}, follow=True)
    assert "已过期、已导入或已取消" in second.content.decode()
    assert StaffMember.objects.filter(name="王芳").count() == 1


def test_cancel_deletes_the_upload(world):
    client = factories.client_for(world.town_a)
    token, _ = h.submit(client, _url(world), _file())
    response = client.post(_url(world), {"action": "cancel", "token": token}, follow=True)
    assert "已取消导入,没有写入任何数据" in response.content.decode()
    assert not any(pending_root().iterdir())


def test_abandoned_upload_expires(world):
    client = factories.client_for(world.town_a)
    token, _ = h.submit(client, _url(world), _file())
    _age(token, 2 * 3600)
    path = pending_root() / f"{token}.json"
    data = path.read_text(encoding="utf-8").replace('"created":', '"created":1,"old":')
    path.write_text(data, encoding="utf-8")
    response = client.get(_url(world), {"token": token}, follow=True)
    assert "已过期" in response.content.decode()


def test_new_upload_deletes_abandoned_ones(world):
    client = factories.client_for(world.town_a)
    old, _ = h.submit(client, _url(world), _file())
    recent, _ = h.submit(client, _url(world), _file())
    _age(old, 3601)
    new, _ = h.submit(client, _url(world), _file())
    names = {p.name for p in pending_root().iterdir()}
    assert names == {f"{recent}.json", f"{new}.json"}


def test_purge_imports_command(world, capsys):
    client = factories.client_for(world.town_a)
    old, _ = h.submit(client, _url(world), _file())
    recent, _ = h.submit(client, _url(world), _file())
    _age(old, 3700)
    call_command("purge_imports")
    assert "已删除 1 个" in capsys.readouterr().out
    assert [p.name for p in pending_root().iterdir()] == [f"{recent}.json"]
    call_command("purge_imports", older_than=0)
    assert not any(pending_root().iterdir())


def test_token_is_checked_before_any_path_is_built(world):
    client = factories.client_for(world.town_a)
    for token in ("../../etc/passwd", "a" * 10, "x/y" * 10):
        response = client.get(_url(world), {"token": token}, follow=True)
        assert "已过期、已导入或已取消" in response.content.decode()
