"""Scores from records, totals and results.

`score_offices` computes every item of a catalog for any number of offices with a fixed number of
queries (the facts loader's plus one); `live_scores` puts today's computed points on loaded scores in
memory, for a page to show; `refresh` writes them, with the totals, for the workflow services (never
on a read); `compute_total` turns item scores into the total (scaled back to 100 when items are
not applicable) and the result (合格 when the pass mark is reached and no veto item is unmet)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from assessment.choices import DECIDED_STATES, Method, Result
from assessment.models import Assessment, CatalogVersion, ItemScore
from assessment.standard import facts, rules
from offices.models import Office

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def score_offices(
    offices: list[Office], catalog: CatalogVersion, year: int
) -> dict[int, dict[int, rules.RuleResult | None]]:
    """{office id: {item id: result from records, or None for inspector items}}."""
    items = list(catalog.items.all())
    loaded = facts.load(offices, year)
    return {
        office.pk: {item.pk: rules.apply(item, loaded[office.pk], catalog) for item in items}
        for office in offices
    }


@dataclass(frozen=True)
class Total:
    total: Decimal
    possible: Decimal
    earned: Decimal
    veto_failed: bool
    result: str
    pending_items: int  # inspector items not scored yet


def final_points(score: ItemScore, *, city: bool = False) -> Decimal | None:
    if score.not_applicable:
        return None
    if city and score.city_points is not None:
        return score.city_points
    return score.final_points


def compute_total(scores: Iterable[ItemScore], pass_mark: Decimal, *, city: bool = False) -> Total:
    """The total out of 100 over applicable items, and the result. `city` uses the city's own scores
    where it gave them (spot-checked towns)."""
    scores = list(scores)
    applicable = [s for s in scores if not s.not_applicable]
    possible = sum((s.item.points for s in applicable), Decimal(0))
    earned = sum((final_points(s, city=city) or Decimal(0) for s in applicable), Decimal(0))
    total = (earned / possible * HUNDRED).quantize(CENT, ROUND_HALF_UP) if possible else Decimal(0)
    veto_failed = any(
        s.item.is_veto and (final_points(s, city=city) or Decimal(0)) < s.item.points for s in applicable
    )
    pending = sum(
        1 for s in applicable if s.item.method == Method.INSPECTOR and final_points(s, city=city) is None
    )
    # Honest states: while an on-site item is unscored there is no result yet (待评分), not a guess.
    passed = total >= pass_mark and not veto_failed
    result = "" if pending else (Result.PASS if passed else Result.FAIL)
    return Total(total, possible, earned, veto_failed, result, pending)


@dataclass(frozen=True)
class Standing:
    """What an assessment stores of its scores: the total, the veto, the result and, for a sampled
    town, the city's total."""

    total: Decimal
    veto_failed: bool
    result: str
    city_total: Decimal | None


def city_checked(assessment: Assessment) -> bool:
    """Whether the assessment has a city total: a sampled town the city has scored (not one merely
    drawn, nor one waived: those keep the county's result alone)."""
    return assessment.sampled and assessment.city_scored_at is not None


def standing(scores: list[ItemScore], pass_mark: Decimal, *, sampled: bool) -> Standing:
    total = compute_total(scores, pass_mark)
    city_total = compute_total(scores, pass_mark, city=True).total if sampled else None
    return Standing(total.total, total.veto_failed, total.result, city_total)


def set_computed(score: ItemScore, result: rules.RuleResult | None) -> bool:
    """Put what the records give on one score, in memory; whether anything moved. Inspector items
    (no result) keep what they have."""
    if result is None:
        return False
    # As the columns keep them (two decimals, 500 characters), so a page computing in memory shows
    # exactly what a stored score would.
    new = (result.points.quantize(CENT), result.figures[:500], result.met)
    if (score.computed_points, score.figures, score.met) == new:
        return False
    score.computed_points, score.figures, score.met = new
    return True


def live_scores(assessment: Assessment, scores: list[ItemScore]) -> list[ItemScore]:
    """The assessment's scores with today's computed points, in memory only: nothing is written, so a
    page can show them on every read (the workflow services store them with `refresh`). An item
    without a score row gets an unsaved one, as `refresh` would create it. In catalog order; the
    office needs its town loaded. A fixed number of queries (`score_offices`')."""
    year = assessment.assessment_year
    results = score_offices([assessment.office], year.catalog, year.year)[assessment.office_id]
    rows = list(scores)
    missing = results.keys() - {score.item_id for score in scores}
    if missing:  # never after `year_open`, which creates every row
        rows += [
            ItemScore(assessment=assessment, item=item) for item in year.catalog.items.filter(pk__in=missing)
        ]
        rows.sort(key=lambda score: (score.item.order, score.item.code))
    for score in rows:
        set_computed(score, results.get(score.item_id))
    return rows


def reads_records(assessment: Assessment) -> bool:
    """Whether the assessment's points still follow the office's records: not once the county has
    approved it (the approved points are kept as approved) nor once the year is confirmed."""
    return assessment.frozen_at is None and assessment.state not in DECIDED_STATES


@transaction.atomic
def refresh(assessments: list[Assessment], *, corrected: bool = False) -> None:
    """Store the points from records and the totals of assessments that are not frozen, creating
    any missing score rows on the way (one per item of the year's catalog). Only the workflow
    services call it, when they move an assessment on; reads compute with `live_scores` instead.

    An approved assessment keeps the points it was approved with: only its totals are recomputed
    (the city's score of a sampled town moves its city total). A confirmed one is left alone. An
    approved correction (`corrected=True`) reads the records again for both.

    Computed points are derived data: they are written in bulk, without an audit row each time; what
    people enter (inspector scores, overrides, notes) goes through services, with history. Only what
    moved is written: most refreshes find the records as they were."""
    live = [a for a in assessments if corrected or a.frozen_at is None]
    if not live:
        return
    year = live[0].assessment_year
    catalog = year.catalog
    items = list(catalog.items.all())
    offices = list(Office.objects.filter(pk__in=[a.office_id for a in live]).select_related("town"))
    reading = {a.pk for a in live if corrected or reads_records(a)}
    reading_offices = {a.office_id for a in live if a.pk in reading}
    computed = score_offices([o for o in offices if o.pk in reading_offices], catalog, year.year)
    existing = {
        (s.assessment_id, s.item_id): s
        for s in ItemScore.objects.filter(assessment__in=live).select_related("item")
    }
    created: list[ItemScore] = []
    changed: list[ItemScore] = []
    by_assessment: dict[int, list[ItemScore]] = {}
    for assessment in live:
        for item in items:
            score = existing.get((assessment.pk, item.pk))
            if score is None:
                score = ItemScore(assessment=assessment, item=item)
                created.append(score)
            reads = assessment.pk in reading
            if (
                reads
                and set_computed(score, computed[assessment.office_id][item.pk])
                and score.pk is not None
            ):
                changed.append(score)
            by_assessment.setdefault(assessment.pk, []).append(score)
    ItemScore.objects.bulk_create(created, batch_size=1000)
    ItemScore.objects.bulk_update(changed, ["computed_points", "figures", "met"], batch_size=500)
    moved = []
    for assessment in live:
        scores = by_assessment.get(assessment.pk, [])
        now = standing(scores, catalog.pass_mark, sampled=city_checked(assessment))
        new = (now.total, now.veto_failed, now.result, now.city_total)
        if (assessment.total, assessment.veto_failed, assessment.result, assessment.city_total) != new:
            assessment.total, assessment.veto_failed, assessment.result, assessment.city_total = new
            moved.append(assessment)
    Assessment.objects.bulk_update(moved, ["total", "veto_failed", "result", "city_total"], batch_size=500)


def item_rows(assessment: Assessment) -> list[ItemScore]:
    """The assessment's scores in catalog order, items loaded: one query."""
    return list(assessment.scores.select_related("item").order_by("item__order", "item__code"))
