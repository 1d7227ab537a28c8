import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.records import StaleEdit
from duties import services
from duties.models import DutyRecord, DutyRecordAttachment, DutySheetEntry
from tests.duties import helpers

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list:
    root = settings.EVIDENCE_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_duty_record_create_keeps_who_filed_it(world):
    record = DutyRecord(office=world.office_a, duty=helpers.duty(2), date="2010-01-05", title="核查")
    services.duty_record_create(actor=world.town_a, record=record)
    record.refresh_from_db()
    assert record.created_by == world.town_a
    assert helpers.history_users(DutyRecord, record.pk) == [("+", "town_a")]


def test_duty_record_update_refuses_a_stale_version(world):
    record = helpers.record(world.office_a)
    record.title = "新"
    services.duty_record_update(actor=world.town_a, record=record, expected_version=1)
    record.title = "更新"
    with pytest.raises(StaleEdit):
        services.duty_record_update(actor=world.town_a, record=record, expected_version=1)
    record.refresh_from_db()
    assert record.title == "新"


def test_services_refuse_an_actor_who_may_not_file_the_office(world):
    record = helpers.record(world.office_a)
    for actor in (world.county_a, world.town_b, world.city):
        with pytest.raises(PermissionDenied):
            services.duty_record_delete(actor=actor, record=record)
        with pytest.raises(PermissionDenied):
            services.attachment_upload(actor=actor, record=record, files=[helpers.jpeg()])
    assert DutyRecord.objects.filter(pk=record.pk).exists()
    assert not DutyRecordAttachment.objects.exists()


def test_sheet_entry_save_validates_like_the_database(world):
    entry = DutySheetEntry(office=world.office_a, duty=helpers.duty(10), not_applicable=True)
    with pytest.raises(ValidationError):
        services.sheet_entry_save(actor=world.town_a, entry=entry)
    assert not DutySheetEntry.objects.exists()


def test_attachment_upload_checks_every_file_before_storing_any(world, settings):
    record = helpers.record(world.office_a)
    with pytest.raises(ValidationError) as refused:
        services.attachment_upload(
            actor=world.town_a, record=record, files=[helpers.jpeg(), helpers.fake_jpeg("说明.jpg")]
        )
    assert refused.value.messages[0].startswith("说明.jpg:")
    assert not DutyRecordAttachment.objects.exists()
    assert stored_files(settings) == []


def test_attachment_upload_removes_stored_files_when_a_save_fails(world, settings, monkeypatch):
    record = helpers.record(world.office_a)
    real_save = services.record_save
    calls = []

    def failing_save(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_save(**kwargs)

    monkeypatch.setattr(services, "record_save", failing_save)
    with pytest.raises(RuntimeError):
        services.attachment_upload(actor=world.town_a, record=record, files=[helpers.jpeg(), helpers.png()])
    assert not DutyRecordAttachment.objects.exists()
    assert stored_files(settings) == []
