"""Totals and results: not-applicable items scale the total back to 100, veto items override it."""

from decimal import Decimal

import pytest

from assessment.choices import Method, Result
from assessment.models import CatalogItem, ItemScore
from assessment.standard.scoring import compute_total

PASS = Decimal(85)


def _score(
    code, points, computed=None, *, veto=False, method=Method.RECORDS, inspector=None, na=False, city=None
):
    item = CatalogItem(code=code, points=Decimal(points), method=method, is_veto=veto)
    return ItemScore(
        item=item,
        computed_points=None if computed is None else Decimal(computed),
        inspector_points=None if inspector is None else Decimal(inspector),
        not_applicable=na,
        not_applicable_reason="不适用" if na else "",
        city_points=None if city is None else Decimal(city),
    )


def test_full_marks():
    total = compute_total([_score("A1", 60, 60), _score("B2", 40, 40, veto=True)], PASS)
    assert total.total == 100 and total.result == Result.PASS


def test_not_applicable_items_are_scaled_back_to_100():
    scores = [_score("A1", 50, 45), _score("A2", 30, 30), _score("A3", 20, na=True)]
    total = compute_total(scores, PASS)
    assert total.possible == 80 and total.earned == 75
    assert total.total == Decimal("93.75")


def test_veto_item_unmet_fails_whatever_the_total():
    scores = [_score("A1", 96, 96), _score("B2", 4, 0, veto=True)]
    total = compute_total(scores, PASS)
    assert total.total == 96 and total.veto_failed and total.result == Result.FAIL


def test_pass_mark_is_inclusive():
    assert compute_total([_score("A1", 100, 85)], PASS).result == Result.PASS
    assert compute_total([_score("A1", 100, "84.99")], PASS).result == Result.FAIL


def test_inspector_override_counts_instead_of_the_computed_points():
    scores = [_score("C1", 6, 0, inspector=6), _score("X", 94, 80)]
    assert compute_total(scores, PASS).total == 86


def test_unscored_on_site_items_are_pending():
    total = compute_total([_score("G2", 6, method=Method.INSPECTOR), _score("A1", 94, 94)], PASS)
    assert total.pending_items == 1 and total.total == 94


def test_city_scores_where_given():
    scores = [_score("G2", 10, method=Method.INSPECTOR, inspector=10, city=6), _score("A1", 90, 90)]
    assert compute_total(scores, PASS).total == 100
    assert compute_total(scores, PASS, city=True).total == 96


@pytest.mark.parametrize(("earned", "expected"), [("33.333", "33.33"), ("66.665", "66.67")])
def test_totals_round_half_up_to_cents(earned, expected):
    assert compute_total([_score("A1", 100, earned)], PASS).total == Decimal(expected)
