"""The divisions in every fresh database are exactly those of the shared reference table."""

import csv
from pathlib import Path

import pytest
from django.conf import settings

from offices.models import County, Office, Town
from offices.reference import load_divisions

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "jiaxing_towns.csv"
SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "jiaxing_towns.csv"

COUNTIES = {
    "330402": "南湖区",
    "330411": "秀洲区",
    "330421": "嘉善县",
    "330424": "海盐县",
    "330481": "海宁市",
    "330482": "平湖市",
    "330483": "桐乡市",
}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_seven_counties_with_their_codes():
    assert dict(County.objects.values_list("code", "name")) == COUNTIES


@pytest.mark.django_db
def test_72_towns_with_both_codes_exactly_as_in_the_table():
    expected = {
        r["town_code"]: (r["county_code"], r["town_name"], r["kind"], r["nbs_stat_code_2023"])
        for r in _rows(FIXTURE)
    }
    actual = {
        t.code: (t.county.code, t.name, t.kind, t.stat_code) for t in Town.objects.select_related("county")
    }
    assert len(actual) == 72
    assert actual == expected


@pytest.mark.django_db
def test_the_two_code_systems_differ_for_20_towns_and_are_kept_apart():
    differing = [t for t in Town.objects.all() if t.stat_code[:9] != t.code]
    assert len(differing) == 20
    # The same nine digits name different towns in the two systems: 城南街道 and 七星街道 in 南湖区.
    chengnan = Town.objects.get(name="城南街道")
    assert (chengnan.code, chengnan.stat_code) == ("330402014", "330402012000")
    assert Town.objects.get(code="330402012").name == "七星街道"


@pytest.mark.django_db
def test_42_zhen_and_30_jiedao_each_with_one_office():
    assert Town.objects.filter(kind="镇").count() == 42
    assert Town.objects.filter(kind="街道").count() == 30
    assert Office.objects.count() == 72
    assert not Town.objects.filter(office__isnull=True).exists()
    assert Office.objects.get(town__code="330402007").name == "建设街道民政办公室"


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    before = list(Town.objects.order_by("code").values_list("code", "stat_code", "name", "county__code"))
    load_divisions(County, Town, Office)
    after = list(Town.objects.order_by("code").values_list("code", "stat_code", "name", "county__code"))
    assert before == after
    assert Office.objects.count() == 72


@pytest.mark.skipif(not SHARED.exists(), reason="the shared reference folder is not beside this checkout")
def test_project_copy_matches_the_shared_table():
    assert _rows(FIXTURE) == _rows(SHARED)
