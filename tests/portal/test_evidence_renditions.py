"""The pages of an Office document (portal/evidence_views.py): its PDF in a frame once converted, 正在转换
before, 转换失败 with the original's download after a failure; the PDF readable by exactly those who
may read the original, framed only by the portal's own pages. No LibreOffice here: the renditions are
marked done with a small PDF (tests/core/test_renditions.py converts for real)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Rendition, RenditionState
from duties import services
from tests import evidence_samples as samples
from tests import factories
from tests.duties import helpers

pytestmark = pytest.mark.django_db

LABEL = "duties.dutyrecordattachment"


def word_attachment(world, name: str = "会议纪要.docx"):
    record = helpers.record(world.office_a)
    upload = SimpleUploadedFile(name, samples.docx_bytes(), content_type="application/msword")
    return helpers.attachment(record, upload=upload)


def urls(attachment) -> dict[str, str]:
    args = [LABEL, attachment.pk, "file"]
    return {
        name: reverse(f"evidence_{name}", args=args) for name in ("view", "rendition", "download", "preview")
    }


def test_the_page_says_converting_then_shows_the_pdf_in_a_frame(world):
    attachment = word_attachment(world)
    url = urls(attachment)
    client = factories.client_for(world.town_a)
    page = client.get(url["view"]).content.decode()
    assert "正在转换" in page and "<iframe" not in page
    assert f'href="{url["download"]}"' in page
    assert client.get(url["rendition"]).status_code == 404

    samples.mark_converted(attachment.file.name)

    page = client.get(url["view"]).content.decode()
    assert f'<iframe class="evidence-frame" src="{url["rendition"]}"' in page
    assert "会议纪要.docx" in page and "正在转换" not in page
    pdf = client.get(url["rendition"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == samples.pdf_bytes()
    assert pdf["Content-Disposition"].startswith("inline; filename*=UTF-8''")
    assert pdf["Content-Disposition"].endswith(".docx.pdf")
    # Framed by the portal's own page, and by nothing else.
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert pdf["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert pdf["X-Content-Type-Options"] == "nosniff"
    # The page itself is framed by nobody, and its policy allows the frame of its own origin.
    response = client.get(url["view"])
    assert (
        response["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in response["Content-Security-Policy"]
    )


def test_the_original_downloads_as_the_office_document_it_is(world):
    attachment = word_attachment(world, name="会议纪要.doc")  # a .docx typed as .doc
    download = factories.client_for(world.county_a).get(urls(attachment)["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == samples_types()["docx"]
    assert (
        download["Content-Disposition"]
        == "attachment; filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.docx"
    )
    assert "sandbox" in download["Content-Security-Policy"]


def samples_types() -> dict[str, str]:
    return {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def test_a_failed_conversion_says_so_and_keeps_the_download(world):
    attachment = word_attachment(world)
    Rendition.objects.filter(source=attachment.file.name).update(
        state=RenditionState.FAILED, error="LibreOffice 无法打开此文件,文件可能已损坏或格式不受支持。"
    )
    page = factories.client_for(world.city).get(urls(attachment)["view"]).content.decode()
    assert "转换失败,可下载原文件查看" in page and "无法打开此文件" in page
    assert f'href="{urls(attachment)["download"]}"' in page


def test_the_pdf_is_read_by_exactly_those_who_read_the_original(world):
    attachment = word_attachment(world)
    samples.mark_converted(attachment.file.name)
    url = urls(attachment)
    for user, status in [
        (world.town_a, 200),
        (world.county_a, 200),
        (world.city, 200),
        (world.town_b, 404),  # the neighbouring town
        (world.town_c, 404),
        (world.county_c, 404),
    ]:
        client = factories.client_for(user)
        for name in ("download", "view", "rendition"):
            assert client.get(url[name]).status_code == status, (user.username, name)
    anonymous = factories.client_for(None)
    for name in ("view", "rendition"):
        response = anonymous.get(url[name])
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # Once the attachment is removed from its record, neither the original nor its PDF is handed out.
    services.attachment_delete(actor=world.town_a, attachment=attachment)
    for name in ("download", "view", "rendition"):
        assert factories.client_for(world.town_a).get(url[name]).status_code == 404


def test_a_photo_or_a_pdf_has_no_document_page(world):
    record = helpers.record(world.office_a)
    for upload in (helpers.jpeg(), helpers.pdf()):
        attachment = helpers.attachment(record, upload=upload)
        response = factories.client_for(world.town_a).get(urls(attachment)["view"])
        assert response.status_code == 404


def test_the_record_page_links_the_document_page_and_the_original(world):
    attachment = word_attachment(world)
    page = factories.client_for(world.county_a).get(attachment.record.get_absolute_url()).content.decode()
    url = urls(attachment)
    assert f'href="{url["view"]}"' in page and "Word 文档 · 在线查看" in page
    assert f'href="{url["download"]}"' in page
    assert url["preview"] not in page  # no thumbnail for a document
