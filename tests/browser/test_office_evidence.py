"""In a real Chromium: a town user uploads a Word document and an Excel 97 table to a duty record; a
30 MB file is refused in the browser before anything is sent; the upload shows its progress; the
record's page offers each document's page, which says 正在转换 until the background worker
(`manage.py db_worker`, run here in batch mode) has converted it with LibreOffice, and then shows the
PDF. With SCREENSHOTS=1 the pages are kept in docs/screenshots/evidence-*.png."""

import pytest
from django.core.management import call_command

from core.models import Rendition, RenditionState
from portal.choices import Role
from tests import evidence_samples as samples
from tests import factories
from tests.browser.conftest import login, shoot
from tests.duties import helpers

pytestmark = pytest.mark.django_db(transaction=True)
A = factories.TOWN_A
MB = 1024 * 1024


def test_word_and_excel_evidence_is_uploaded_converted_and_read_in_the_browser(portal, tmp_path, settings):
    settings.EVIDENCE_MAX_BYTES = 10 * MB
    page = portal
    office = factories.office(A)
    factories.user("jianshe", Role.TOWN, office_obj=office)
    record = helpers.record(office, title="城乡低保动态管理专题会议")
    login(page, "jianshe", factories.PASSWORD)
    page.goto(f"{page.base}/offices/{A}/duties/records/{record.pk}/attachments/new/")
    field = page.locator("input[type=file][data-evidence-upload]")
    assert field.get_attribute("data-max-bytes") == str(10 * MB)

    # Too large: refused in the browser, nothing is sent.
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    big = {"name": "全年台账扫描.docx", "mimeType": "application/octet-stream", "buffer": b"\0" * (30 * MB)}
    field.set_input_files(files=[big])
    page.click("main form button[type=submit]")
    refusal = page.locator("[data-browser-check]")
    assert "全年台账扫描.docx:文件过大(30 MB),单个文件不能超过 10 MB。" in refusal.inner_text()
    assert posts == []
    shoot(page, "evidence-upload-too-large")

    # A .docx and a .xls: sent with a progress bar (the upload slowed down so that it shows).
    word = tmp_path / "专题会议纪要.docx"
    word.write_bytes(samples.docx_bytes("城乡低保动态管理专题会议纪要"))
    excel = tmp_path / "临时救助台账.xls"
    excel.write_bytes(samples.legacy_office_bytes(".xls"))
    field.set_input_files(files=[str(word), str(excel)])
    assert refusal.inner_text() == ""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 2 * 1024},
    )
    page.click("main form button[type=submit]")
    progress = page.locator(".evidence-upload-progress")
    progress.wait_for()
    # "已上传 38%(16 KB / 42 KB)" while it goes, "上传完成,正在检查文件……" once the portal has it all.
    assert "上传" in progress.inner_text()
    shoot(page, "evidence-upload-progress")
    page.wait_for_url(f"**/duties/records/{record.pk}/", timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    assert "已上传 2 个附件" in page.inner_text("main")
    attachments = page.locator("[data-testid=attachments]")
    assert "Word 文档 · 在线查看" in attachments.inner_text()
    assert "Excel 表格 · 在线查看" in attachments.inner_text()
    assert Rendition.objects.filter(state=RenditionState.PENDING).count() == 2
    shoot(page, "evidence-attachments")

    # Before the worker has run: 正在转换, and the original can be downloaded meanwhile.
    attachments.locator("text=Word 文档 · 在线查看").click()
    page.wait_for_load_state("networkidle")
    assert "正在转换" in page.inner_text("main")
    shoot(page, "evidence-converting")
    with page.expect_download() as download:
        page.click("text=下载原文件")
    assert download.value.suggested_filename == "专题会议纪要.docx"

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert Rendition.objects.filter(state=RenditionState.DONE).count() == 2

    for label, name in (("Word 文档", "专题会议纪要.docx"), ("Excel 表格", "临时救助台账.xls")):
        page.goto(f"{page.base}/offices/{A}/duties/records/{record.pk}/")
        with page.expect_response(lambda response: response.url.endswith("/pdf/")) as pdf:
            page.locator("[data-testid=attachments]").locator(f"text={label} · 在线查看").click()
        assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"
        assert name in page.inner_text("h1")
        frame = page.locator("iframe[data-testid=rendition]")
        assert frame.is_visible()
        page.wait_for_timeout(1500)  # the PDF viewer draws the first page
        shoot(page, f"evidence-preview-{name.rsplit('.', 1)[1]}")

    # What a document LibreOffice could not open says (tests/core/test_renditions.py fails one for real).
    Rendition.objects.filter(source__endswith=".xls").update(
        state=RenditionState.FAILED, error="LibreOffice 无法打开此文件,文件可能已损坏或格式不受支持。"
    )
    page.reload()
    assert "转换失败,可下载原文件查看。" in page.inner_text("main")
    assert page.locator("iframe").count() == 0
    shoot(page, "evidence-failed")
