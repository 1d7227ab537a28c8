"""The PDFs read back with poppler-utils: the Chinese font is embedded, the text is there, a long
county runs over several pages with "第 N 页 共 M 页" and the table header repeated, nothing is
attached, and hostile text typed by users fetches nothing (the static-only fetcher refuses what the
template escaping would not already have stopped)."""

import http.server
import threading
from pathlib import Path

import pytest
from django.utils import timezone
from weasyprint import HTML

from assessment.reports import award, pdf, sheet, summary
from assessment.reports.fetcher import ORIGIN, ResourceRefused, StaticOnlyFetcher
from offices.models import Town
from tests import factories

from . import helpers as h
from .conftest import JIANSHE

pytestmark = pytest.mark.django_db


def _assert_cjk_font_embedded(path: Path) -> None:
    found = h.fonts(path)
    cjk = [(name, emb) for name, emb in found if "NotoSansCJK" in name.replace("-", "")]
    assert cjk, found
    assert all(emb == "yes" for _, emb in found), found  # every font embedded: no empty boxes anywhere


def test_award_pdf_embeds_the_font_and_has_the_text(programme, tmp_path):
    report = award.award_report(factories.county("330402"), 2010)
    path = h.write(tmp_path, pdf.award_pdf(report))
    _assert_cjk_font_embedded(path)
    text = h.flat(h.text(path))
    assert "以奖代补资金汇总表" in text and "南湖区" in text and "建设街道" in text
    assert "嘉兴市民政局" in text and f"制表日期:{report.generated_on.year}年" in text
    assert "60,000.00" in text and "90,000.00" in text  # money as a finance office writes it
    assert h.pages(path) == 1 and "第1页共1页" in text
    assert "0 embedded files" in h.attachments(path) or h.attachments(path).strip() == ""


def test_city_summary_pdf(programme, tmp_path):
    path = h.write(tmp_path, pdf.city_summary_pdf(summary.city_summary(2010)))
    _assert_cjk_font_embedded(path)
    text = h.flat(h.text(path))
    assert "以奖代补资金及建设进度汇总表" in text
    for name in ("南湖区", "秀洲区", "嘉善县", "海盐县", "海宁市", "平湖市", "桐乡市", "全市合计"):
        assert name in text
    assert "156,650.00" in text
    assert "各县(市、区)规范化建设进度" in text  # the chart, drawn as SVG in the PDF


def test_scoring_sheet_pdf(world, tmp_path):
    from tests.assessment.workflow import city_helpers

    year = city_helpers.open_year(world, 2010)
    city_helpers.approve_all(year, "330402")
    path = h.write(tmp_path, pdf.scoring_sheet_pdf(sheet.scoring_sheet(factories.office(JIANSHE), 2010)))
    _assert_cjk_font_embedded(path)
    text = h.flat(h.text(path))
    assert "考核评分表" in text and "建设街道" in text and "南湖区民政局" in text
    for code in ("A1", "B2", "F1", "G2"):
        assert code in text
    assert "(签字)" in text and "(盖章)" in text
    assert f"共{h.pages(path)}页" in text


def test_the_scoring_sheet_names_the_evidence_and_gives_the_override_reason_room(world, tmp_path):
    from assessment.models import ItemScore
    from tests.assessment.workflow import city_helpers

    year = city_helpers.open_year(world, 2010)
    city_helpers.approve_all(year, "330402")
    stored = "evidence/assessment/3f9a0c1e5b7d2a4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.pdf"
    reason = "实地查看发现办公用房已调整至镇便民服务中心二楼东侧,面积经测量为七十二平方米,符合要求。"
    score = ItemScore.objects.filter(assessment__office__town__code=JIANSHE).order_by("pk").first()
    ItemScore.objects.filter(pk=score.pk).update(
        town_evidence=stored, override_reason=reason, inspector_points=score.item.points
    )
    path = h.write(tmp_path, pdf.scoring_sheet_pdf(sheet.scoring_sheet(factories.office(JIANSHE), 2010)))
    text = h.flat(h.text(path))
    # The content hash meant nothing on paper and ran off the page: the sheet says what was attached.
    assert "3f9a0c1e5b7d" not in text and "佐证:已上传PDF文件" in text
    # The reason sits in the wide last column, the narrow points column only points to it.
    assert "调整理由:实地查看" in text and "见说明" in text


def test_long_county_runs_over_pages_with_the_header_repeated(programme, tmp_path):
    county = h.fake_county(towns=60)
    h.add_assessments(programme.assessment_years.get(year=2010), county)
    path = h.write(tmp_path, pdf.award_pdf(award.award_report(county, 2010)))
    total = h.pages(path)
    assert total >= 3
    seen = []
    for page in range(1, total + 1):
        text = h.flat(h.text(path, page))
        assert f"第{page}页共{total}页" in text
        assert "行政区划代码" in text and "市级奖补" in text  # the header, on every page
        assert "嘉兴市民政局" in text  # the issuing unit, in the margin of every page
        seen += [
            code for code in Town.objects.filter(county=county).values_list("code", flat=True) if code in text
        ]
    assert len(seen) == 60 and len(set(seen)) == 60  # every town once, none lost between pages
    assert "合计(60个镇街道)" in h.flat(h.text(path, total))


# -- hostile text -----------------------------------------------------------------------------------

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel=attachment href="file:///etc/hostname">',
    '<p style="background:url(file:///etc/passwd)">x</p>',
]


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"GIF89a")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A web server on the loopback address that records any request, to prove none is made."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_hostile_text_in_records_fetches_nothing(programme, world, tmp_path, listener):
    from tests.assessment.workflow import city_helpers

    network = f'<img src="{listener}/x">'
    towns = list(Town.objects.filter(county__code="330402").order_by("code")[:4])
    for town, name in zip(towns, [*HOSTILE[:2], network, HOSTILE[2][:50]], strict=True):
        Town.objects.filter(pk=town.pk).update(name=name)
    fetcher = StaticOnlyFetcher()
    award_path = h.write(
        tmp_path,
        pdf.award_pdf(award.award_report(factories.county("330402"), 2010), fetcher=fetcher),
        "a.pdf",
    )

    year = city_helpers.open_year(world, 2013, start_year=2013)
    assessment = year.assessments.get(office=factories.office(JIANSHE))
    assessment.self_note = " ".join(HOSTILE)
    assessment.inspectors = network
    assessment.frozen_at = timezone.now()  # as confirmed: the sheet shows what is stored
    assessment.save()
    assessment.scores.filter(item__code="A1").update(town_note=HOSTILE[2], override_reason=HOSTILE[0])
    factories.duty_record(
        factories.office(JIANSHE), title=HOSTILE[1], date=h.day(2013, 5, 10)
    )  # a record title
    assessment.scores.filter(item__code="F1").update(figures=f"{HOSTILE[1]} {network}")  # figures quoting it
    sheet_path = h.write(
        tmp_path,
        pdf.scoring_sheet_pdf(sheet.scoring_sheet(factories.office(JIANSHE), 2013), fetcher=fetcher),
        "s.pdf",
    )

    assert fetcher.served == [] and fetcher.refused == []  # escaped: nothing was even asked for
    assert _Recorder.hits == []
    for path in (award_path, sheet_path):
        assert "0 embedded files" in h.attachments(path)
        text = h.text(path)
        assert "root:x:0" not in text  # /etc/passwd was not read into the document
    award_text = h.flat(h.text(award_path, raw=True))
    assert h.flat(HOSTILE[0]) in award_text and h.flat(HOSTILE[1]) in award_text  # shown as text
    assert h.flat(network) in h.flat(h.text(sheet_path, raw=True))


def test_the_fetcher_refuses_what_escaping_would_not_stop(tmp_path, listener, settings):
    """Defence in depth: markup rendered without a template still cannot read files, reach the
    network or attach anything; only the portal's own static files load."""
    fetcher = StaticOnlyFetcher()
    html = f"""<html><head><link rel="stylesheet" href="file:///etc/passwd">
      <link rel="attachment" href="file:///etc/hostname"><link rel="attachment" href="{listener}/a"></head>
      <body><p>正文</p><img src="file:///etc/passwd"><img src="{listener}/x"><img src="static/../manage.py">
      <a rel="attachment" href="/static/img/emblem.svg">附件</a>
      <p style="background: url(file:///etc/passwd)">x</p><p style="background: url({listener}/y)">y</p>
      <img src="static/img/emblem.svg" alt="徽标"><object data="file:///etc/passwd"></object></body></html>"""
    content = HTML(string=html, base_url=ORIGIN, url_fetcher=fetcher).write_pdf()
    path = h.write(tmp_path, content)
    assert _Recorder.hits == []
    assert "root:x:0" not in h.text(path)
    refused = " ".join(fetcher.refused)
    assert "file:///etc/passwd" in refused and "file:///etc/hostname" in refused and listener in refused
    assert all(url.startswith(ORIGIN + "static/") for url in fetcher.served)
    assert f"{ORIGIN}static/img/emblem.svg" in fetcher.served  # the portal's own files do load
    # An attachment pointing at a static file is the one thing that may attach; nothing else did.
    listing = h.attachments(path)
    assert "hostname" not in listing and "passwd" not in listing and "/a" not in listing


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.com/static/img/emblem.svg",
        "https://portal.invalid/media/x.png",
        "https://portal.invalid/static/../manage.py",
        "https://portal.invalid/static/%2e%2e/manage.py",
        "https://portal.invalid/static/img/../../manage.py",
        "https://portal.invalid/static/",
        "https://portal.invalid:8443/static/img/emblem.svg",
        "https://user@portal.invalid/static/img/emblem.svg",
        "https://portal.invalid/static/img/nothing.svg",
        "data:text/plain,hello",
        "ftp://portal.invalid/static/img/emblem.svg",
    ],
)
def test_fetcher_refusals(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url] and fetcher.served == []


def test_fetcher_refuses_a_link_out_of_the_static_folder(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p {}")
    (root / "escape.css").symlink_to("/etc/hostname")
    fetcher = StaticOnlyFetcher(roots=[root])
    assert fetcher.fetch(f"{ORIGIN}static/ok.css").read() == b"p {}"
    with pytest.raises(ResourceRefused):
        fetcher.fetch(f"{ORIGIN}static/escape.css")


def test_every_office_name_in_the_report_is_escaped(programme, tmp_path):
    town = Town.objects.get(code=JIANSHE)
    Town.objects.filter(pk=town.pk).update(name="<b>加粗</b>&amp;")
    path = h.write(tmp_path, pdf.award_pdf(award.award_report(factories.county("330402"), 2010)))
    assert "<b>加粗</b>&amp;" in h.flat(h.text(path, raw=True))
