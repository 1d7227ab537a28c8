"""Every write of the annual assessment. Each checks the actor's right and the state it starts from
(a hidden button is not a rule), writes in one transaction, and records the step in the workflow log
with who, when and the comment."""

import math
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.records import record_save
from offices.models import County, Office
from portal.models import User
from portal.permissions import Action as Can
from portal.permissions import can, counties_for, is_city

from . import scoring
from .choices import Action, AssessmentState, CountyState, Method, YearState
from .models import (
    Assessment,
    AssessmentYear,
    CatalogItem,
    CatalogVersion,
    CountyResult,
    ItemScore,
    Programme,
    RectificationTask,
    WorkflowEvent,
)

RECTIFICATION_DAYS = 90
PASSING_SHARE = Decimal("0.6")


class WorkflowError(ValidationError):
    """A step that the assessment's state does not allow; the message says why, in Chinese."""


def _log(
    year: AssessmentYear, action: str, actor: User | None, *, assessment=None, county=None, comment=""
) -> None:
    WorkflowEvent.objects.create(
        assessment_year=year,
        assessment=assessment,
        county=county,
        action=action,
        actor=actor,
        comment=comment,
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise WorkflowError(message)


def _require_city(actor: User) -> None:
    if not is_city(actor):
        raise PermissionDenied("只有市民政局可以执行此操作。")


def _claim(assessment: Assessment, expected_version: int | None) -> None:
    """Refuse a save made from a page older than the assessment's last save (another inspector or
    colleague saved in between): one conditional UPDATE claims the next edit version."""
    if expected_version is None:
        return
    claimed = Assessment.objects.filter(pk=assessment.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise WorkflowError(
            "未保存:您编辑期间,此考核已被他人保存。为避免覆盖对方的修改,请重新打开页面后再填写。"
        )
    assessment.version = expected_version + 1


def _require_open(year: AssessmentYear) -> None:
    _require(year.state == YearState.OPEN, f"{year.year}年度考核已确认,结果已冻结,不能再修改。")


# -- the city's configuration ---------------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor: User, name: str, start_year: int, years: int = 3, note: str = "") -> Programme:
    """A three-year programme (or another length) of standardization."""
    _require_city(actor)
    return record_save(
        actor=actor, instance=Programme(name=name, start_year=start_year, years=years, note=note)
    )


@transaction.atomic
def catalog_copy(*, actor: User, source: CatalogVersion, year: int) -> CatalogVersion:
    """Start a year's catalog as a copy of another year's, to be edited before the year opens."""
    _require_city(actor)
    _require(not CatalogVersion.objects.filter(year=year).exists(), f"{year}年的考核细则已存在。")
    copy = record_save(
        actor=actor,
        instance=CatalogVersion(
            year=year, pass_mark=source.pass_mark, staffing_bands=source.staffing_bands, copied_from=source
        ),
    )
    for item in source.items.all():
        record_save(
            actor=actor,
            instance=CatalogItem(
                catalog=copy,
                section=item.section,
                code=item.code,
                text=item.text,
                points=item.points,
                method=item.method,
                rule=item.rule,
                params=dict(item.params),
                is_veto=item.is_veto,
                order=item.order,
            ),
        )
    return copy


def catalog_check_editable(version: CatalogVersion) -> None:
    _require(not version.locked, f"{version.year}年考核细则已用于年度考核,已锁定,不能修改。")


@transaction.atomic
def catalog_item_save(*, actor: User, item: CatalogItem, expected_version: int | None) -> CatalogItem:
    """Create or change an item of a catalog that no year has been opened on yet."""
    _require_city(actor)
    catalog_check_editable(CatalogVersion.objects.get(pk=item.catalog_id))
    if item.method == Method.INSPECTOR:
        item.rule = ""
    return record_save(actor=actor, instance=item, expected_version=expected_version)


@transaction.atomic
def catalog_save(*, actor: User, version: CatalogVersion, expected_version: int | None) -> CatalogVersion:
    """Change a catalog's pass mark or staffing bands before its year is opened."""
    _require_city(actor)
    catalog_check_editable(CatalogVersion.objects.get(pk=version.pk))
    return record_save(actor=actor, instance=version, expected_version=expected_version)


def catalog_points(version: CatalogVersion) -> Decimal:
    return sum((i.points for i in version.items.all()), Decimal(0))


@transaction.atomic
def year_open(
    *,
    actor: User,
    programme: Programme,
    catalog: CatalogVersion,
    self_assessment_due: date | None = None,
    county_due: date | None = None,
    sample_rate: Decimal = Decimal("0.100"),
) -> AssessmentYear:
    """Open a year on its catalog: lock the catalog, and start an assessment for every office and a
    result sheet for every county."""
    _require_city(actor)
    year = catalog.year
    _require(year in programme.year_range, f"{year}年不在“{programme}”的年度范围内。")
    _require(not AssessmentYear.objects.filter(year=year).exists(), f"{year}年度考核已开启。")
    _require(
        catalog_points(catalog) == 100, f"{year}年考核细则总分为 {catalog_points(catalog)} 分,须为 100 分。"
    )
    catalog.locked = True
    catalog._history_user = actor
    catalog.save(update_fields=["locked"])
    opened = record_save(
        actor=actor,
        instance=AssessmentYear(
            year=year,
            programme=programme,
            catalog=catalog,
            self_assessment_due=self_assessment_due,
            county_due=county_due,
            sample_rate=sample_rate,
        ),
    )
    CountyResult.objects.bulk_create(
        CountyResult(assessment_year=opened, county=c) for c in County.objects.all()
    )
    Assessment.objects.bulk_create(Assessment(assessment_year=opened, office=o) for o in Office.objects.all())
    assessments = list(opened.assessments.select_related("assessment_year__catalog"))
    scoring.refresh(assessments)
    _log(opened, Action.OPEN_YEAR, actor)
    return opened


# -- the town's self-assessment ---------------------------------------------------------------------


def _require_town(actor: User, assessment: Assessment) -> None:
    if not can(actor, Can.FILE, assessment.office):
        raise PermissionDenied("只有本镇(街道)民政办工作人员可以填写自评。")


@dataclass
class SelfItem:
    score: ItemScore
    note: str
    evidence: object | None = None  # an uploaded file, already checked by the form


@transaction.atomic
def self_assessment_save(
    *,
    actor: User,
    assessment: Assessment,
    note: str,
    items: list[SelfItem],
    expected_version: int | None = None,
) -> Assessment:
    """Save the town's notes and evidence per item while the self-assessment is open."""
    _require_town(actor, assessment)
    _require_open(assessment.assessment_year)
    _require(
        assessment.state in (AssessmentState.DRAFT, AssessmentState.RETURNED),
        "自评已提交,等待县级考核,暂不能修改。",
    )
    _claim(assessment, expected_version)
    for entry in items:
        _require(entry.score.assessment_id == assessment.pk, "考核项目不属于本次考核。")
        entry.score.town_note = entry.note
        if entry.evidence is not None:
            entry.score.town_evidence = entry.evidence
        entry.score._history_user = actor
        entry.score.save()
    assessment.self_note = note
    assessment._history_user = actor
    assessment.save()
    return assessment


@transaction.atomic
def self_assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    """The town hands its self-assessment to the county."""
    _require_town(actor, assessment)
    _require_open(assessment.assessment_year)
    _require(
        assessment.state in (AssessmentState.DRAFT, AssessmentState.RETURNED), "自评已提交,不能重复提交。"
    )
    scoring.refresh([assessment])
    assessment.state = AssessmentState.SUBMITTED
    assessment._history_user = actor
    assessment.save()
    _log(assessment.assessment_year, Action.SELF_SUBMIT, actor, assessment=assessment)
    return assessment


# -- the county's scoring -------------------------------------------------------------------------


def _require_county(actor: User, assessment: Assessment) -> None:
    if not can(actor, Can.ASSESS, assessment.office):
        raise PermissionDenied("只有本县(市、区)的考核人员可以考核该镇(街道)。")


def _county_result(assessment: Assessment) -> CountyResult:
    return CountyResult.objects.get(
        assessment_year=assessment.assessment_year, county_id=assessment.office.town.county_id
    )


def _require_county_open(assessment: Assessment) -> None:
    result = _county_result(assessment)
    _require(
        result.state in (CountyState.OPEN, CountyState.RETURNED),
        f"{result.county}的考核结果已上报市局,不能再修改;如需修改请由市局退回。",
    )


@dataclass
class CountyItem:
    score: ItemScore
    inspector_points: Decimal | None
    reason: str = ""
    not_applicable: bool = False
    not_applicable_reason: str = ""


@transaction.atomic
def county_score_save(
    *,
    actor: User,
    assessment: Assessment,
    visit_date: date | None,
    inspectors: str,
    items: list[CountyItem],
    expected_version: int | None = None,
) -> Assessment:
    """The inspector's visit, on-site scores, overrides (with a reason) and not-applicable items."""
    _require_county(actor, assessment)
    _require_open(assessment.assessment_year)
    _require_county_open(assessment)
    _require(assessment.state == AssessmentState.SUBMITTED, "镇(街道)尚未提交自评,或已审定,不能评分。")
    _claim(assessment, expected_version)
    for entry in items:
        score = entry.score
        _require(score.assessment_id == assessment.pk, "考核项目不属于本次考核。")
        points = entry.inspector_points
        if points is not None:
            _require(
                Decimal(0) <= points <= score.item.points,
                f"{score.item.code} 的得分须在 0 至 {score.item.points} 分之间。",
            )
        if score.item.method == Method.RECORDS and points is not None and points != score.computed_points:
            _require(bool(entry.reason.strip()), f"{score.item.code} 调整了自动计分,须说明理由。")
        if score.item.method == Method.RECORDS and (points is None or points == score.computed_points):
            points, entry.reason = None, ""
        _require(
            not entry.not_applicable or bool(entry.not_applicable_reason.strip()),
            f"{score.item.code} 标记为不适用,须说明理由。",
        )
        score.inspector_points = points
        score.override_reason = entry.reason.strip()
        score.not_applicable = entry.not_applicable
        score.not_applicable_reason = entry.not_applicable_reason.strip() if entry.not_applicable else ""
        score.full_clean()
        score._history_user = actor
        score.save()
    assessment.visit_date = visit_date
    assessment.inspectors = inspectors
    assessment._history_user = actor
    assessment.save()
    scoring.refresh([assessment])
    return assessment


@transaction.atomic
def county_return(*, actor: User, assessment: Assessment, comment: str) -> Assessment:
    """Send the self-assessment back to the town with what to put right."""
    _require_county(actor, assessment)
    _require_open(assessment.assessment_year)
    _require_county_open(assessment)
    _require(assessment.state == AssessmentState.SUBMITTED, "只有已提交的自评可以退回。")
    _require(bool(comment.strip()), "退回时须填写意见,说明需要修改的内容。")
    assessment.state = AssessmentState.RETURNED
    assessment.county_comment = comment.strip()
    assessment._history_user = actor
    assessment.save()
    _log(
        assessment.assessment_year,
        Action.RETURN_TO_TOWN,
        actor,
        assessment=assessment,
        comment=comment.strip(),
    )
    return assessment


@transaction.atomic
def county_approve(*, actor: User, assessment: Assessment, comment: str = "") -> Assessment:
    """Approve a town's assessment once every on-site item is scored."""
    _require_county(actor, assessment)
    _require_open(assessment.assessment_year)
    _require_county_open(assessment)
    _require(assessment.state == AssessmentState.SUBMITTED, "只有已提交的自评可以审定。")
    scoring.refresh([assessment])
    total = scoring.compute_total(scoring.item_rows(assessment), assessment.assessment_year.catalog.pass_mark)
    _require(total.pending_items == 0, f"还有 {total.pending_items} 项现场评分项目未评分。")
    _require(assessment.visit_date is not None, "请先填写实地考核日期。")
    assessment.state = AssessmentState.APPROVED
    if comment.strip():
        assessment.county_comment = comment.strip()
    assessment._history_user = actor
    assessment.save()
    _log(assessment.assessment_year, Action.APPROVE, actor, assessment=assessment, comment=comment.strip())
    return assessment


@transaction.atomic
def county_submit(*, actor: User, result: CountyResult, comment: str = "") -> CountyResult:
    """Report the county's results to the city, when every one of its towns is approved."""
    if not counties_for(actor, Can.ASSESS).filter(pk=result.county_id).exists():
        raise PermissionDenied("只有本县(市、区)的考核人员可以上报考核结果。")
    _require_open(result.assessment_year)
    _require(result.state in (CountyState.OPEN, CountyState.RETURNED), "考核结果已上报。")
    waiting = result.assessment_year.assessments.filter(office__town__county=result.county).exclude(
        state=AssessmentState.APPROVED
    )
    _require(not waiting.exists(), f"还有 {waiting.count()} 个镇(街道)未审定,不能上报。")
    result.state = CountyState.SUBMITTED
    result.submitted_at = timezone.now()
    result._history_user = actor
    result.save()
    _log(result.assessment_year, Action.COUNTY_SUBMIT, actor, county=result.county, comment=comment)
    return result


# -- the city's spot-check and confirmation ---------------------------------------------------------


def sample_for(year: AssessmentYear, seed: str) -> list[int]:
    """The offices drawn for a seed: per county, its share (at least one) of its offices in code
    order, shuffled by a generator seeded with the seed and the county's code. Same seed, same sample."""
    chosen: list[int] = []
    by_county: dict[str, list[int]] = {}
    for office_id, county_code in Office.objects.order_by("town__code").values_list(
        "pk", "town__county__code"
    ):
        by_county.setdefault(county_code, []).append(office_id)
    for county_code in sorted(by_county):
        ids = by_county[county_code]
        k = max(1, math.ceil(len(ids) * year.sample_rate))
        chosen += random.Random(f"{seed}:{county_code}").sample(ids, min(k, len(ids)))  # noqa: S311 - a documented draw, not a secret
    return chosen


@transaction.atomic
def sample_draw(*, actor: User, year: AssessmentYear, seed: str | None = None) -> list[Assessment]:
    """Draw (once) the towns the city spot-checks; the seed is kept so anyone can redraw the same."""
    _require_city(actor)
    _require_open(year)
    _require(not year.sample_seed, f"{year.year}年的督查样本已抽取(种子 {year.sample_seed})。")
    seed = seed or secrets.token_hex(8)
    chosen = sample_for(year, seed)
    year.assessments.filter(office_id__in=chosen).update(sampled=True)
    year.sample_seed = seed
    year.sampled_at = timezone.now()
    year._history_user = actor
    year.save()
    _log(year, Action.DRAW_SAMPLE, actor, comment=f"种子 {seed},抽取 {len(chosen)} 个镇(街道)")
    return list(year.assessments.filter(sampled=True))


@dataclass
class CityItem:
    score: ItemScore
    city_points: Decimal | None
    note: str = ""


@transaction.atomic
def city_score_save(
    *,
    actor: User,
    assessment: Assessment,
    items: list[CityItem],
    comment: str = "",
    expected_version: int | None = None,
) -> Assessment:
    """The city's own scores for a sampled town, kept beside the county's."""
    _require_city(actor)
    _require_open(assessment.assessment_year)
    _require(assessment.sampled, "该镇(街道)不在督查样本中。")
    _claim(assessment, expected_version)
    for entry in items:
        _require(entry.score.assessment_id == assessment.pk, "考核项目不属于本次考核。")
        if entry.city_points is not None:
            _require(
                Decimal(0) <= entry.city_points <= entry.score.item.points,
                f"{entry.score.item.code} 的得分须在 0 至 {entry.score.item.points} 分之间。",
            )
        entry.score.city_points = entry.city_points
        entry.score.city_note = entry.note.strip()
        entry.score._history_user = actor
        entry.score.save()
    assessment.city_comment = comment.strip()
    assessment._history_user = actor
    assessment.save()
    scoring.refresh([assessment])
    return assessment


@transaction.atomic
def city_return_county(*, actor: User, result: CountyResult, comment: str) -> CountyResult:
    """Send a county's results back: its towns return to the county's scoring."""
    _require_city(actor)
    _require_open(result.assessment_year)
    _require(result.state == CountyState.SUBMITTED, "只有已上报的结果可以退回。")
    _require(bool(comment.strip()), "退回时须填写意见。")
    result.state = CountyState.RETURNED
    result._history_user = actor
    result.save()
    result.assessment_year.assessments.filter(office__town__county=result.county).update(
        state=AssessmentState.SUBMITTED
    )
    _log(
        result.assessment_year, Action.RETURN_TO_COUNTY, actor, county=result.county, comment=comment.strip()
    )
    return result


@transaction.atomic
def year_confirm(*, actor: User, year: AssessmentYear, comment: str = "") -> AssessmentYear:
    """Confirm the year: every county has reported and the sample is drawn. Results are frozen
    (later changes to records do not move them) and each item short of full marks becomes a
    rectification task for its town."""
    _require_city(actor)
    _require_open(year)
    _require(bool(year.sample_seed), "请先抽取督查样本。")
    waiting = year.county_results.exclude(state=CountyState.SUBMITTED)
    _require(not waiting.exists(), f"还有 {waiting.count()} 个县(市、区)未上报考核结果。")
    assessments = list(year.assessments.select_related("office__town"))
    scoring.refresh(assessments)
    now = timezone.now()
    year.assessments.update(state=AssessmentState.CONFIRMED, frozen_at=now)
    year.county_results.update(state=CountyState.CONFIRMED)
    year.state = YearState.CONFIRMED
    year.confirmed_at = now
    year._history_user = actor
    year.save()
    due = timezone.localdate() + timedelta(days=RECTIFICATION_DAYS)
    scores = ItemScore.objects.filter(assessment__assessment_year=year, not_applicable=False).select_related(
        "item", "assessment"
    )
    tasks = [
        RectificationTask(
            assessment=score.assessment,
            office_id=score.assessment.office_id,
            item=score.item,
            problem=(
                score.figures or f"{score.item.text}:得分 {score.final_points or 0} / {score.item.points}"
            )[:500],
            due_date=due,
        )
        for score in scores
        if item_failed(score)
    ]
    RectificationTask.objects.bulk_create(tasks, ignore_conflicts=True)
    from .subsidies import payments_refresh  # the award is due in the first confirmed year a town passes

    payments_refresh(programme=year.programme, actor=actor)
    _log(year, Action.CONFIRM_YEAR, actor, comment=comment)
    return year


def item_failed(score: ItemScore) -> bool:
    """An item the town must put right: a record rule not met (unless the inspector gave full marks),
    an on-site item under 60 per cent, or a veto item short of full marks."""
    points = score.final_points or Decimal(0)
    if score.item.is_veto or score.item.method == Method.RECORDS:
        return points < score.item.points if score.inspector_points is not None else not score.met
    return points < score.item.points * PASSING_SHARE


@transaction.atomic
def task_close(*, actor: User, task: RectificationTask, note: str, evidence=None) -> RectificationTask:
    """The town reports a failed item put right, with a note and evidence."""
    if not can(actor, Can.FILE, task.office):
        raise PermissionDenied("只有本镇(街道)民政办工作人员可以完成整改。")
    _require(task.state == "open", "该整改任务已完成。")
    _require(bool(note.strip()), "请填写整改情况。")
    task.state = "closed"
    task.close_note = note.strip()
    if evidence is not None:
        task.evidence = evidence
    task.closed_at = timezone.now()
    record_save(actor=actor, instance=task, expected_version=task.version)
    _log(
        task.assessment.assessment_year,
        Action.CLOSE_TASK,
        actor,
        assessment=task.assessment,
        comment=note.strip(),
    )
    return task
