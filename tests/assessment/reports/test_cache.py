"""Kept PDFs (assessment/reports/cache.py): a report asked for again with the same data, the same
day and the same renderer is not rendered again; any change to one of the three renders anew, and
each report keeps one file at most."""

import datetime as dt
import stat
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import Payment
from assessment.reports import cache, jobs, pdf
from assessment.subsidies import services as subsidies
from tests import factories

from . import helpers as h
from .conftest import JIANSHE

pytestmark = pytest.mark.django_db

AWARD = reverse("reports:award_report", args=[2010, "330402", "pdf"])
OTHER_COUNTY = reverse("reports:award_report", args=[2010, "330411", "pdf"])
SUMMARY = reverse("reports:city_summary", args=[2010, "pdf"])


@pytest.fixture
def city(world):
    return factories.client_for(world.city)


@pytest.fixture
def renders():
    """Counts the real renders (WeasyPrint) of award reports and city summaries."""
    with (
        mock.patch.object(pdf, "award_pdf", wraps=pdf.award_pdf) as award,
        mock.patch.object(pdf, "city_summary_pdf", wraps=pdf.city_summary_pdf) as summary,
    ):
        yield award, summary


def kept(pattern: str = "*.pdf") -> list:
    return sorted(cache.cache_root().glob(pattern))


def test_the_same_report_again_is_not_rendered_again(programme, city, renders):
    award, summary = renders
    first = city.get(AWARD)
    second = city.get(AWARD)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert award.call_count == 1
    assert city.get(SUMMARY).content == city.get(SUMMARY).content
    assert summary.call_count == 1
    files = kept()
    assert [f.name.split(".")[0] for f in files] == ["award-2010-330402", "summary-2010"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)  # money and names: private
    assert not kept(".*.part")


def test_each_county_has_its_own(programme, world, city, renders):
    award, _ = renders
    ours = factories.client_for(world.county_a).get(AWARD)
    theirs = city.get(OTHER_COUNTY)
    assert ours.content != theirs.content
    assert award.call_count == 2
    assert city.get(AWARD).content == ours.content  # the city is handed the same file as the county
    assert award.call_count == 2


def test_a_change_of_data_renders_anew_and_replaces_the_old_file(programme, world, city, renders, tmp_path):
    award, _ = renders
    before = city.get(AWARD).content
    old = kept()
    payment = Payment.objects.get(office__town__code=JIANSHE)
    subsidies.payments_mark_paid(
        actor=world.city, payments=[payment], paid_on=h.day(2011, 3, 15), document_no="嘉民〔2011〕18号"
    )
    after = city.get(AWARD).content
    assert award.call_count == 2 and after != before
    assert "嘉民〔2011〕18号" in h.text(h.write(tmp_path, after))
    assert len(kept()) == 1 and kept() != old  # one file per report, the old one gone


def test_a_new_day_renders_anew(programme, city, renders):
    award, _ = renders
    city.get(AWARD)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
        city.get(AWARD)
    assert award.call_count == 2  # the date printed on the report is part of what is kept


def test_a_new_renderer_renders_anew(programme, city, renders):
    award, _ = renders
    city.get(AWARD)
    with mock.patch.object(cache, "render_version", return_value="after-an-upgrade"):
        city.get(AWARD)
    assert award.call_count == 2


def test_the_render_version_follows_the_report_templates(settings, tmp_path):
    cache.render_version.cache_clear()
    try:
        before = cache.render_version()
        (tmp_path / "templates" / "reports").mkdir(parents=True)
        settings.BASE_DIR = tmp_path
        cache.render_version.cache_clear()
        assert cache.render_version() != before
    finally:
        cache.render_version.cache_clear()


def test_an_unwritable_folder_costs_a_render_not_the_answer(programme, city, renders, tmp_path, caplog):
    award, _ = renders
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    with mock.patch.object(cache, "cache_root", return_value=blocked / "pdf-cache"):
        first, second = city.get(AWARD), city.get(AWARD)
    assert first.status_code == second.status_code == 200 and first.content.startswith(b"%PDF")
    assert award.call_count == 2
    assert "could not keep the rendered PDF" in caplog.text


def test_the_export_zip_uses_the_kept_files(programme, world, city, renders):
    award, summary = renders
    downloaded = city.get(AWARD).content
    job, _ = jobs.export_start(actor=world.city, year=2010)
    jobs.run_export(job.pk)
    assert award.call_count == 7 and summary.call_count == 1  # 330402 came from the kept file
    assert city.get(SUMMARY).status_code == 200 and summary.call_count == 1  # and back again
    assert city.get(AWARD).content == downloaded


def test_the_fingerprint_covers_the_programme(programme, world):
    before = jobs.data_fingerprint(2010)
    programme.name = "嘉兴市镇(街道)民政工作规范化建设三年行动(修订)"
    programme.save()
    assert jobs.data_fingerprint(2010) != before
