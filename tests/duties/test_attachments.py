from urllib.parse import quote

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from duties.models import DutyRecordAttachment
from tests import factories
from tests.duties import helpers

pytestmark = pytest.mark.django_db

LABEL = "duties.dutyrecordattachment"


def upload_url(world, record, office=None) -> str:
    return reverse("duties:attachment_create", args=[(office or world.office_a).town.code, record.pk])


def delete_url(world, attachment, office=None) -> str:
    return reverse("duties:attachment_delete", args=[(office or world.office_a).town.code, attachment.pk])


def stored_files(settings) -> list:
    root = settings.EVIDENCE_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_page_states_the_types_and_the_size_limit(world, settings):
    settings.EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    record = helpers.record(world.office_a)
    response = factories.client_for(world.town_a).get(upload_url(world, record))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "支持JPG 图片、PNG 图片、PDF 文件、Word/Excel/WPS 文档(.doc .docx .wps .xls .xlsx .et),"
        f"单个文件不超过 {filesizeformat(2 * 1024 * 1024)}"
    ) in html
    assert (
        "multiple" in html
        and 'accept=".jpg,.jpeg,.jpe,.jfif,.png,.pdf,.doc,.docx,.wps,.xls,.xlsx,.et,' in html
    )
    assert f'data-max-bytes="{2 * 1024 * 1024}"' in html and "js/upload.js" in html


def test_town_staff_upload_several_files_at_once(world):
    record = helpers.record(world.office_a)
    files = [helpers.jpeg("现场照片.jpg"), helpers.pdf("会议纪要.pdf")]
    response = factories.client_for(world.town_a).post(upload_url(world, record), {"files": files})
    assert response.status_code == 302
    assert response["Location"] == record.get_absolute_url()
    saved = list(record.attachments.order_by("id"))
    assert [(a.original_name, a.content_type, a.uploaded_by) for a in saved] == [
        ("现场照片.jpg", "image/jpeg", world.town_a),
        ("会议纪要.pdf", "application/pdf", world.town_a),
    ]
    assert saved[0].size == len(helpers.jpeg_bytes())
    assert saved[1].size == len(helpers.pdf_bytes())
    assert saved[0].file.name.startswith(f"dutyrecordattachment/{world.office_a.pk}/")
    for attachment in saved:
        assert helpers.history_users(DutyRecordAttachment, attachment.pk) == [("+", "town_a")]


def test_the_stored_type_comes_from_the_content_not_the_browser(world):
    record = helpers.record(world.office_a)
    disguised = helpers.png("其实是PNG.jpg")
    disguised.content_type = "application/pdf"
    factories.client_for(world.town_a).post(upload_url(world, record), {"files": [disguised]})
    attachment = record.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "其实是PNG.jpg"


def test_a_text_file_named_jpg_is_refused_and_nothing_is_saved(world, settings):
    record = helpers.record(world.office_a)
    files = [helpers.jpeg("好照片.jpg"), helpers.fake_jpeg("坏照片.jpg")]
    response = factories.client_for(world.town_a).post(upload_url(world, record), {"files": files})
    assert response.status_code == 200
    [error] = helpers.field_errors(response, "files")
    assert error.startswith("坏照片.jpg:文件类型不符")
    assert not DutyRecordAttachment.objects.exists()
    assert stored_files(settings) == []


def test_a_file_over_the_limit_is_refused_with_its_name(world, settings):
    settings.EVIDENCE_MAX_BYTES = 200
    record = helpers.record(world.office_a)
    response = factories.client_for(world.town_a).post(
        upload_url(world, record), {"files": [helpers.jpeg("大照片.jpg")]}
    )
    assert response.status_code == 200
    [error] = helpers.field_errors(response, "files")
    assert error.startswith("大照片.jpg:文件过大")
    assert f"单个文件不能超过 {filesizeformat(200)}" in error
    assert (
        f"单个文件不超过 {filesizeformat(200)}" in response.content.decode()
    )  # the help text states the limit
    assert not DutyRecordAttachment.objects.exists()


def test_no_file_is_refused(world):
    record = helpers.record(world.office_a)
    response = factories.client_for(world.town_a).post(upload_url(world, record), {})
    assert response.status_code == 200
    assert helpers.field_errors(response, "files") == ["请选择要上传的文件。"]


def test_the_county_inspector_may_not_upload(world):
    record = helpers.record(world.office_a)
    client = factories.client_for(world.county_a)
    assert client.get(upload_url(world, record)).status_code == 403
    assert client.post(upload_url(world, record), {"files": [helpers.jpeg()]}).status_code == 403
    assert not DutyRecordAttachment.objects.exists()


def test_download_gives_the_file_as_an_attachment(world):
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record, upload=helpers.pdf("会议纪要.pdf"))
    for user in (world.town_a, world.county_a, world.city):
        response = factories.client_for(user).get(
            reverse("evidence_download", args=[LABEL, attachment.pk, "file"])
        )
        assert response.status_code == 200
        assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote('会议纪要.pdf')}"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == helpers.pdf_bytes()


def test_behind_nginx_the_download_is_handed_over_with_x_accel_redirect(world, settings):
    settings.EVIDENCE_X_ACCEL_PREFIX = "/_evidence/"
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record, upload=helpers.pdf("会议纪要.pdf"))
    url = reverse("evidence_download", args=[LABEL, attachment.pk, "file"])
    response = factories.client_for(world.county_a).get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_evidence/{quote(attachment.file.name)}"
    assert response.content == b""  # nginx sends the bytes
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote('会议纪要.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The permission check still comes first: another town gets no redirect to follow.
    refused = factories.client_for(world.town_b).get(url)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_preview_is_a_jpeg(world):
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record, upload=helpers.png())
    response = factories.client_for(world.county_a).get(
        reverse("evidence_preview", args=[LABEL, attachment.pk, "file"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8\xff")


def test_another_town_cannot_read_the_files(world):
    attachment = helpers.attachment(helpers.record(world.office_a))
    client = factories.client_for(world.town_b)
    assert client.get(reverse("evidence_download", args=[LABEL, attachment.pk, "file"])).status_code == 404
    assert client.get(reverse("evidence_preview", args=[LABEL, attachment.pk, "file"])).status_code == 404


def test_detail_shows_previews_of_photos_and_a_pdf_badge(world):
    record = helpers.record(world.office_a)
    photo = helpers.attachment(record, upload=helpers.jpeg("现场.jpg"))
    document = helpers.attachment(record, upload=helpers.pdf("纪要.pdf"))
    html = factories.client_for(world.town_a).get(record.get_absolute_url()).content.decode()
    assert reverse("evidence_preview", args=[LABEL, photo.pk, "file"]) in html
    assert reverse("evidence_preview", args=[LABEL, document.pk, "file"]) not in html
    assert reverse("evidence_download", args=[LABEL, document.pk, "file"]) in html
    assert "PDF 文件" in html and "现场.jpg" in html and "纪要.pdf" in html
    assert "附件(2 个)" in html


def test_town_staff_delete_an_attachment_after_confirming(world):
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record, upload=helpers.jpeg("要删的.jpg"))
    client = factories.client_for(world.town_a)
    confirm = client.get(delete_url(world, attachment))
    assert confirm.status_code == 200
    assert "要删的.jpg" in confirm.content.decode()
    assert DutyRecordAttachment.objects.filter(pk=attachment.pk).exists()
    response = client.post(delete_url(world, attachment))
    assert response.status_code == 302
    assert response["Location"] == record.get_absolute_url()
    assert not DutyRecordAttachment.objects.filter(pk=attachment.pk).exists()
    assert helpers.history_users(DutyRecordAttachment, attachment.pk) == [("+", None), ("-", "town_a")]


def test_the_county_inspector_and_other_towns_cannot_delete_an_attachment(world):
    attachment = helpers.attachment(helpers.record(world.office_a))
    assert factories.client_for(world.county_a).post(delete_url(world, attachment)).status_code == 403
    own = world.office_b
    assert factories.client_for(world.town_b).post(delete_url(world, attachment, own)).status_code == 404
    assert DutyRecordAttachment.objects.filter(pk=attachment.pk).exists()
