"""The staffing norm is written once: the catalog, the year's thresholds and the demo city all read
the same bands through the same function."""

import pytest

from assessment.models import CatalogVersion
from assessment.standard.reference import DEFAULT_STAFFING_BANDS
from assessment.standard.thresholds import DEFAULT, Standards, staffing_norm
from operations import demo_data

EDGES = [(0, 2), (29_999, 2), (30_000, 3), (60_000, 3), (60_001, 4), (1_000_000, 4)]


@pytest.mark.parametrize(("population", "norm"), EDGES)
def test_every_reader_of_the_default_bands_gives_the_same_norm(population, norm):
    catalog = CatalogVersion(staffing_bands=DEFAULT_STAFFING_BANDS)
    assert staffing_norm(DEFAULT_STAFFING_BANDS, population) == norm
    assert catalog.staffing_norm(population) == norm
    assert DEFAULT.staffing_norm(population) == norm
    assert demo_data.staffing_norm(population) == norm


def test_edited_bands_apply_to_the_catalog_and_the_thresholds_alike():
    bands = [[20000, 2], [50000, 3], [None, 5]]
    catalog = CatalogVersion(staffing_bands=bands)
    standards = Standards(staffing_bands=tuple(tuple(b) for b in bands))
    for population, norm in [(20_000, 2), (20_001, 3), (50_000, 3), (50_001, 5)]:
        assert catalog.staffing_norm(population) == standards.staffing_norm(population) == norm


def test_bands_without_an_open_top_keep_the_last_norm_and_no_bands_need_nobody():
    assert staffing_norm([[10000, 1], [20000, 2]], 99_999) == 2
    assert staffing_norm([], 50_000) == 0
    assert CatalogVersion(staffing_bands=[]).staffing_norm(50_000) == 0


def test_the_norm_is_a_whole_number_even_from_stored_json():
    assert staffing_norm([[None, 3.0]], 1) == 3 and isinstance(staffing_norm([[None, 3.0]], 1), int)
