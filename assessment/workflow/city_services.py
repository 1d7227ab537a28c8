"""The city's writes of a year (督查): the spot-check sample drawn per county once it has reported,
the city's own scores of a sampled town (with the date, the inspectors and, where city and county
differ by more than the year's threshold, an explanation) or a waiver with a reason, returning a
whole county or a single town, and confirming the year when nothing is left unfinished.

Each checks the city role and the state it starts from, writes in one transaction, and records the
step in the workflow log. Rows changed in bulk get their audit rows through simple_history's bulk
helpers, naming the actor."""

import math
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessment.choices import AssessmentState, CountyState, Method, WorkflowStep, YearState
from assessment.errors import ensure
from assessment.models import Assessment, AssessmentYear, CountyResult, ItemScore, RectificationTask
from assessment.standard import scoring
from assessment.subsidies.services import payments_refresh
from assessment.workflow.services import _claim, _locked, _locked_result, _log, _require_open
from assessment.workflow.year_selectors import unfinished
from offices.models import County, Office
from portal.choices import Role
from portal.models import User
from portal.permissions import require_role

RECTIFICATION_DAYS = 90
PASSING_SHARE = Decimal("0.6")


# -- the sample -------------------------------------------------------------------------------------


def sample_size(year: AssessmentYear, offices: int) -> int:
    """The year's share of a county's offices, at least one."""
    return min(offices, max(1, math.ceil(offices * year.sample_rate)))


def sample_for_county(year: AssessmentYear, county: County, seed: str) -> list[int]:
    """The offices of a county drawn for a seed: its share of its offices in code order, shuffled by a
    generator seeded with the seed and the county's code. Same seed, same sample."""
    ids = list(Office.objects.filter(town__county=county).order_by("town__code").values_list("pk", flat=True))
    if not ids:
        return []
    generator = random.Random(f"{seed}:{county.code}")  # noqa: S311 - a documented draw, not a secret
    return generator.sample(ids, sample_size(year, len(ids)))


@transaction.atomic
def sample_draw(*, actor: User, result: CountyResult, seed: str | None = None) -> list[Assessment]:
    """Draw (once) the towns of a county the city spot-checks, once the county has reported. The seed
    is kept, so anyone can draw the same towns again."""
    require_role(actor, Role.CITY)
    result = _locked_result(result)
    year = result.assessment_year
    _require_open(year)
    ensure(
        result.state == CountyState.SUBMITTED,
        f"{result.county}尚未上报考核结果,不能抽取督查样本:样本只从县级已审定并上报的镇(街道)中抽取。",
    )
    ensure(
        not result.sample_seed, f"{result.county}的督查样本已抽取(种子 {result.sample_seed}),不能重新抽取。"
    )
    seed = (seed or "").strip() or secrets.token_hex(8)
    chosen = sample_for_county(year, result.county, seed)
    drawn = list(year.assessments.filter(office_id__in=chosen, sampled=False).select_related("office__town"))
    now = timezone.now()
    for assessment in drawn:
        assessment.sampled, assessment.updated_at = True, now
    bulk_update_with_history(
        drawn, Assessment, ["sampled", "updated_at"], default_user=actor, default_date=now
    )
    result.sample_seed, result.sampled_at = seed, now
    result._history_user = actor
    result.save()
    if year.sampled_at is None:  # the year's first draw, as the programme list shows it
        AssessmentYear.objects.filter(pk=year.pk).update(sampled_at=now)
    names = "、".join(a.office.town.name for a in drawn)
    _log(
        year,
        WorkflowStep.DRAW_SAMPLE,
        actor,
        county=result.county,
        comment=f"种子 {seed},抽取 {len(chosen)} 个:{names}",
    )
    return list(year.assessments.filter(office__town__county=result.county, sampled=True))


@transaction.atomic
def sample_draw_reported(*, actor: User, year: AssessmentYear) -> list[CountyResult]:
    """Draw the sample of every county that has reported and has none yet, each with its own seed."""
    require_role(actor, Role.CITY)
    _require_open(year)
    waiting = list(
        year.county_results.filter(state=CountyState.SUBMITTED, sample_seed="").select_related("county")
    )
    ensure(bool(waiting), "没有已上报且尚未抽样的县(市、区)。")
    for result in waiting:
        sample_draw(actor=actor, result=result)
    return waiting


# -- the city's scores ------------------------------------------------------------------------------


@dataclass
class CityItem:
    score: ItemScore
    city_points: Decimal | None
    note: str = ""


def _county_reported(assessment: Assessment) -> CountyResult:
    result = CountyResult.objects.get(
        assessment_year=assessment.assessment_year, county_id=assessment.office.town.county_id
    )
    ensure(
        result.state == CountyState.SUBMITTED,
        f"{result.county}的考核结果未上报(或已退回县级),暂不能进行市级督查评分。",
    )
    return result


@transaction.atomic
def city_score_save(
    *,
    actor: User,
    assessment: Assessment,
    items: list[CityItem],
    visit_date: date | None = None,
    inspectors: str = "",
    comment: str = "",
    difference_note: str = "",
    expected_version: int | None = None,
) -> Assessment:
    """The city's own scores of a sampled town, kept beside the county's, with the date of the visit
    and the inspectors. Where the city's total and the county's differ by more than the year's
    threshold, an explanation is required."""
    require_role(actor, Role.CITY)
    _require_open(assessment.assessment_year)
    ensure(assessment.sampled, "该镇(街道)不在督查样本中。")
    _county_reported(assessment)
    ensure(visit_date is not None, "请填写督查日期。")
    ensure(visit_date <= timezone.localdate(), "督查日期不能晚于今天。")
    ensure(bool(inspectors.strip()), "请填写督查人员。")
    _claim(assessment, expected_version)
    for entry in items:
        ensure(entry.score.assessment_id == assessment.pk, "考核项目不属于本次考核。")
        if entry.city_points is not None:
            ensure(
                Decimal(0) <= entry.city_points <= entry.score.item.points,
                f"{entry.score.item.code} 的得分须在 0 至 {entry.score.item.points} 分之间。",
            )
        entry.score.city_points = entry.city_points
        entry.score.city_note = entry.note.strip()
        entry.score._history_user = actor
        entry.score.save()
    # Scored from now on (the whole save is undone if the difference below lacks its explanation).
    Assessment.objects.filter(pk=assessment.pk).update(city_scored_at=timezone.now())
    assessment.refresh_from_db()
    scoring.refresh([assessment])
    assessment.refresh_from_db()
    threshold = assessment.assessment_year.difference_threshold
    gap = abs((assessment.city_total or Decimal(0)) - (assessment.total or Decimal(0)))
    ensure(
        gap <= threshold or bool(difference_note.strip()),
        f"市级督查得分 {assessment.city_total} 分与县级审定得分 {assessment.total} 分相差 {gap} 分,"
        f"超过 {threshold} 分,请填写差异说明。",
    )
    assessment.city_visit_date = visit_date
    assessment.city_inspectors = inspectors.strip()
    assessment.city_comment = comment.strip()
    assessment.difference_note = difference_note.strip()
    assessment.city_scored_at = timezone.now()
    assessment.waiver_reason = ""
    assessment._history_user = actor
    assessment.save()
    _log(
        assessment.assessment_year,
        WorkflowStep.CITY_SCORE,
        actor,
        assessment=assessment,
        comment=f"市级督查得分 {assessment.city_total} 分(县级 {assessment.total} 分)",
    )
    return assessment


@transaction.atomic
def city_score_waive(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    """Confirm a sampled town without the city's own scores, for a stated reason (免于督查评分)."""
    require_role(actor, Role.CITY)
    _require_open(assessment.assessment_year)
    assessment = _locked(assessment)
    ensure(assessment.sampled, "该镇(街道)不在督查样本中。")
    ensure(assessment.city_scored_at is None, "该镇(街道)已有市级督查评分,无需免于评分。")
    ensure(bool(reason.strip()), "免于市级督查评分须说明理由。")
    assessment.waiver_reason = reason.strip()
    assessment._history_user = actor
    assessment.save()
    _log(
        assessment.assessment_year,
        WorkflowStep.WAIVE_CITY_SCORE,
        actor,
        assessment=assessment,
        comment=reason.strip(),
    )
    return assessment


# -- returns ----------------------------------------------------------------------------------------


@transaction.atomic
def city_return_county(*, actor: User, result: CountyResult, comment: str) -> CountyResult:
    """Send a county's results back to the county. Its towns keep their approvals: the county reopens
    the ones it must change (退回 or 撤回审定), approves them again and reports again."""
    require_role(actor, Role.CITY)
    _require_open(result.assessment_year)
    result = _locked_result(result)
    ensure(result.state == CountyState.SUBMITTED, "只有已上报的结果可以退回。")
    ensure(bool(comment.strip()), "退回时须填写意见。")
    result.state = CountyState.RETURNED
    result._history_user = actor
    result.save()
    _log(
        result.assessment_year,
        WorkflowStep.RETURN_TO_COUNTY,
        actor,
        county=result.county,
        comment=comment.strip(),
    )
    return result


@transaction.atomic
def city_return_town(*, actor: User, assessment: Assessment, comment: str) -> Assessment:
    """Send one town back to the town with the city's comment: its approval is lifted (and with it the
    lock on its records), its county's results go back to the county to be reported again, and a
    sampled town's city score must be given again. The county's other towns keep their approvals."""
    require_role(actor, Role.CITY)
    _require_open(assessment.assessment_year)
    assessment = _locked(assessment)
    ensure(assessment.state == AssessmentState.APPROVED, "只有县级已审定的考核可以由市局退回。")
    ensure(bool(comment.strip()), "退回时须填写意见,说明需要修改的内容。")
    result = _locked_result(
        CountyResult.objects.get(
            assessment_year=assessment.assessment_year, county_id=assessment.office.town.county_id
        )
    )
    ensure(
        result.state in (CountyState.SUBMITTED, CountyState.RETURNED), "该县(市、区)尚未上报,请由县级退回。"
    )
    assessment.state = AssessmentState.RETURNED
    assessment.approved_at = None
    assessment.city_comment = comment.strip()
    assessment.city_scored_at = None
    assessment.waiver_reason = ""
    assessment._history_user = actor
    assessment.save()
    if result.state != CountyState.RETURNED:
        result.state = CountyState.RETURNED
        result._history_user = actor
        result.save()
    _log(
        assessment.assessment_year,
        WorkflowStep.RETURN_TOWN_BY_CITY,
        actor,
        assessment=assessment,
        comment=comment.strip(),
    )
    return assessment


# -- confirmation -----------------------------------------------------------------------------------


@transaction.atomic
def year_confirm(*, actor: User, year: AssessmentYear, comment: str = "") -> AssessmentYear:
    """Confirm the year: every county has reported, every county's sample is drawn, and every sampled
    town has the city's score or a waiver. Results are frozen (later changes to records do not move
    them) and each item short of full marks becomes a rectification task for its town, due on the
    year's rectification date (90 days from today when the city set none)."""
    require_role(actor, Role.CITY)
    list(AssessmentYear.objects.select_for_update().filter(pk=year.pk).values_list("pk"))
    year.refresh_from_db()
    _require_open(year)
    left = unfinished(year)
    ensure(left.none, "尚不能确认:" + ";".join(left.messages) + "。")
    assessments = list(year.assessments.select_related("office__town"))
    scoring.refresh(assessments)  # approved points are kept; the totals are stored as they stand
    now = timezone.now()
    for assessment in assessments:
        assessment.state, assessment.frozen_at, assessment.updated_at = AssessmentState.CONFIRMED, now, now
    bulk_update_with_history(
        assessments, Assessment, ["state", "frozen_at", "updated_at"], default_user=actor, default_date=now
    )
    results = list(year.county_results.all())
    for result in results:
        result.state, result.updated_at = CountyState.CONFIRMED, now
    bulk_update_with_history(
        results, CountyResult, ["state", "updated_at"], default_user=actor, default_date=now
    )
    year.state = YearState.CONFIRMED
    year.confirmed_at = now
    if year.rectification_due is None:
        year.rectification_due = timezone.localdate() + timedelta(days=RECTIFICATION_DAYS)
    year._history_user = actor
    year.save()
    _open_tasks(year, actor, now)
    # The award is due in the first confirmed year a town passes.
    payments_refresh(programme=year.programme, actor=actor)
    _log(year, WorkflowStep.CONFIRM_YEAR, actor, comment=comment)
    return year


def _open_tasks(year: AssessmentYear, actor: User, now) -> None:
    scores = ItemScore.objects.filter(assessment__assessment_year=year, not_applicable=False).select_related(
        "item", "assessment"
    )
    # One task per failed item: none exists before the year is confirmed, but a task is never doubled.
    existing = set(
        RectificationTask.objects.filter(assessment__assessment_year=year).values_list(
            "assessment_id", "item_id"
        )
    )
    tasks = [
        RectificationTask(
            assessment=score.assessment,
            office_id=score.assessment.office_id,
            item=score.item,
            problem=(
                score.figures or f"{score.item.text}:得分 {score.final_points or 0} / {score.item.points}"
            )[:500],
            due_date=year.rectification_due,
        )
        for score in scores
        if item_failed(score) and (score.assessment_id, score.item_id) not in existing
    ]
    bulk_create_with_history(tasks, RectificationTask, default_user=actor, default_date=now)


def item_failed(score: ItemScore) -> bool:
    """An item the town must put right: a record rule not met (unless the inspector gave full marks),
    an on-site item under 60 per cent, or a veto item short of full marks."""
    points = score.final_points or Decimal(0)
    if score.item.is_veto or score.item.method == Method.RECORDS:
        return points < score.item.points if score.inspector_points is not None else not score.met
    return points < score.item.points * PASSING_SHARE
