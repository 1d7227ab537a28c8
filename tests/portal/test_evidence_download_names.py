"""Evidence downloads (portal/evidence_views.py) carry a cleaned name with the extension of the type
sniffed from the content, in RFC 5987 form, with nosniff: a PDF uploaded as "整改报告.pdf.html" or
"run.bat", or a PNG as "photo.png.svg", does not land on the inspector's disk under that name. The
typed name stays as a label."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.duties import helpers

pytestmark = pytest.mark.django_db

LABEL = "duties.dutyrecordattachment"

HOSTILE = [
    ("整改报告.pdf.html", helpers.pdf_bytes, "application/pdf", "整改报告.pdf"),
    ("run.bat", helpers.pdf_bytes, "application/pdf", "run.pdf"),
    ("photo.png.svg", helpers.png_bytes, "image/png", "photo.png"),
]


def _disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name, safe='')}"


@pytest.mark.parametrize(("typed", "content", "content_type", "offered"), HOSTILE)
@pytest.mark.parametrize("x_accel", [False, True])
def test_a_hostile_name_is_downloaded_under_the_detected_extension(
    world, settings, typed, content, content_type, offered, x_accel
):
    settings.EVIDENCE_X_ACCEL_PREFIX = "/_evidence/" if x_accel else ""
    record = helpers.record(world.office_a)
    upload = SimpleUploadedFile(typed, content(), content_type="text/html")  # the browser's claim
    attachment = helpers.attachment(record, upload=upload)
    assert attachment.original_name == typed  # kept, as the label the lists show
    assert attachment.file.name.endswith(offered[offered.rindex(".") :])  # and so on disk
    url = reverse("evidence_download", args=[LABEL, attachment.pk, "file"])
    for user in (world.town_a, world.county_a, world.city):
        response = factories.client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == _disposition(offered)
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    page = factories.client_for(world.town_a).get(
        reverse("duties:record_detail", args=[world.office_a.town.code, record.pk])
    )
    assert page.status_code == 200
    assert typed in page.content.decode()


def test_a_stored_name_from_before_is_offered_by_its_content(world):
    # A row written before the names were cleaned (or by an import): the name still follows the bytes.
    record = helpers.record(world.office_a)
    attachment = helpers.attachment(record, upload=helpers.png("图.png"))
    type(attachment).objects.filter(pk=attachment.pk).update(original_name="../evil\u202egnp.exe")
    url = reverse("evidence_download", args=[LABEL, attachment.pk, "file"])
    response = factories.client_for(world.county_a).get(url)
    assert response["Content-Disposition"] == _disposition("evilgnp.png")


def test_a_record_without_a_typed_name_is_offered_as_record_and_field(world):
    client = factories.client_for(world.town_a)
    upload = SimpleUploadedFile("服务指南.pdf.html", helpers.pdf_bytes(), content_type="text/html")
    response = client.post(
        reverse("offices:rule_edit", args=[world.office_a.town.code, 2011, "service_guide"]),
        {"posted_on": "2011-01-10", "photo": upload},
    )
    assert response.status_code == 302
    rule = world.office_a.postedrule_set.get()
    download = client.get(reverse("evidence_download", args=["offices.postedrule", rule.pk, "photo"]))
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert disposition.endswith(quote(".pdf"))
    assert quote(".html") not in disposition and "/" not in disposition.split("''", 1)[1]
    assert download["X-Content-Type-Options"] == "nosniff"
