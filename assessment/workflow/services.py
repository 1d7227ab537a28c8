"""Every write of the annual assessment's workflow: opening a year, the town's self-assessment, the
county's scoring, return, approval and report, the city's spot-check, return and confirmation, and
the rectification tasks. Each checks the actor's right and the state it starts from (a hidden button
is not a rule), writes in one transaction, and records the step in the workflow log with who, when
and the comment.

Changes to many rows at once (opening, the sample, a county's return, the confirmation) go through
simple_history's bulk helpers, so each changed row gets its audit row naming the actor, like a
single save does, at a cost in queries that does not grow with the number of towns."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessment.catalog.services import catalog_points
from assessment.choices import AssessmentState, CountyState, Method, WorkflowStep, YearState
from assessment.errors import WorkflowError, ensure
from assessment.models import (
    Assessment,
    AssessmentYear,
    CatalogVersion,
    CountyResult,
    ItemScore,
    Programme,
    WorkflowEvent,
)
from assessment.standard import scoring
from core.records import record_save
from offices.models import County, Office
from portal.choices import Role
from portal.models import User
from portal.permissions import Action, can, counties_for, offices_for, require_role

PASSING_SHARE = Decimal("0.6")


def _log(
    year: AssessmentYear, action: str, actor: User | None, *, assessment=None, county=None, comment=""
) -> None:
    WorkflowEvent.log(year.pk, action, actor, assessment=assessment, county=county, comment=comment)


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


def _locked(assessment: Assessment) -> Assessment:
    """The assessment re-read under a row lock: of two simultaneous steps on it, the second sees the
    first's outcome instead of repeating it."""
    list(Assessment.objects.select_for_update(of=("self",)).filter(pk=assessment.pk).values_list("pk"))
    assessment.refresh_from_db()  # the caller's object, so what it shows afterwards is what was done
    return assessment


def _locked_result(result: CountyResult) -> CountyResult:
    """A county's result re-read under a row lock (see `_locked`)."""
    list(CountyResult.objects.select_for_update(of=("self",)).filter(pk=result.pk).values_list("pk"))
    result.refresh_from_db()
    return result


def _require_open(year: AssessmentYear) -> None:
    ensure(year.state == YearState.OPEN, f"{year.year}年度考核已确认,结果已冻结,不能再修改。")


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
    require_role(actor, Role.CITY)
    year = catalog.year
    ensure(year in programme.year_range, f"{year}年不在“{programme}”的年度范围内。")
    ensure(not AssessmentYear.objects.filter(year=year).exists(), f"{year}年度考核已开启。")
    ensure(
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
    bulk_create_with_history(
        [CountyResult(assessment_year=opened, county=c) for c in County.objects.all()],
        CountyResult,
        default_user=actor,
    )
    bulk_create_with_history(
        [Assessment(assessment_year=opened, office=o) for o in Office.objects.all()],
        Assessment,
        default_user=actor,
    )
    assessments = list(opened.assessments.select_related("assessment_year__catalog"))
    scoring.refresh(assessments)
    _log(opened, WorkflowStep.OPEN_YEAR, actor)
    return opened


# -- the town's self-assessment ---------------------------------------------------------------------


def _require_town(actor: User, assessment: Assessment) -> None:
    if not can(actor, Action.FILE, assessment.office):
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
    ensure(
        assessment.state in (AssessmentState.DRAFT, AssessmentState.RETURNED),
        "自评已提交,等待县级考核,暂不能修改。",
    )
    _claim(assessment, expected_version)
    for entry in items:
        ensure(entry.score.assessment_id == assessment.pk, "考核项目不属于本次考核。")
        entry.score.town_note = entry.note
        if entry.evidence is not None:
            entry.score.town_evidence = entry.evidence
        entry.score._history_user = actor
        entry.score.save()
    # The page showed today's points without storing them: store them with the town's save.
    scoring.refresh([assessment])
    assessment.self_note = note
    assessment._history_user = actor
    assessment.save()
    return assessment


@transaction.atomic
def self_assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    """The town hands its self-assessment to the county."""
    _require_town(actor, assessment)
    _require_open(assessment.assessment_year)
    ensure(assessment.state in (AssessmentState.DRAFT, AssessmentState.RETURNED), "自评已提交,不能重复提交。")
    scoring.refresh([assessment])
    assessment.state = AssessmentState.SUBMITTED
    assessment._history_user = actor
    assessment.save()
    _log(assessment.assessment_year, WorkflowStep.SELF_SUBMIT, actor, assessment=assessment)
    return assessment


# -- the county's scoring -------------------------------------------------------------------------


def _require_county(actor: User, assessment: Assessment) -> None:
    if not can(actor, Action.ASSESS, assessment.office):
        raise PermissionDenied("只有本县(市、区)的考核人员可以考核该镇(街道)。")


def _county_result(assessment: Assessment) -> CountyResult:
    return CountyResult.objects.get(
        assessment_year=assessment.assessment_year, county_id=assessment.office.town.county_id
    )


def _require_county_open(assessment: Assessment) -> None:
    result = _county_result(assessment)
    ensure(
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
    ensure(assessment.state == AssessmentState.SUBMITTED, "镇(街道)尚未提交自评,或已审定,不能评分。")
    _claim(assessment, expected_version)
    for entry in items:
        score = entry.score
        ensure(score.assessment_id == assessment.pk, "考核项目不属于本次考核。")
        points = entry.inspector_points
        if points is not None:
            ensure(
                Decimal(0) <= points <= score.item.points,
                f"{score.item.code} 的得分须在 0 至 {score.item.points} 分之间。",
            )
        if score.item.method == Method.RECORDS and points is not None and points != score.computed_points:
            ensure(bool(entry.reason.strip()), f"{score.item.code} 调整了自动计分,须说明理由。")
        if score.item.method == Method.RECORDS and (points is None or points == score.computed_points):
            points, entry.reason = None, ""
        ensure(
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
    """Send the self-assessment back to the town with what to put right: a submitted one, or an
    approved one the county reopens (the approval is lifted, and with it the lock on the records)."""
    _require_county(actor, assessment)
    _require_open(assessment.assessment_year)
    _require_county_open(assessment)
    assessment = _locked(assessment)
    ensure(
        assessment.state in (AssessmentState.SUBMITTED, AssessmentState.APPROVED),
        "只有已提交或已审定的考核可以退回镇(街道)。",
    )
    ensure(bool(comment.strip()), "退回时须填写意见,说明需要修改的内容。")
    assessment.state = AssessmentState.RETURNED
    assessment.approved_at = None
    assessment.county_comment = comment.strip()
    assessment._history_user = actor
    assessment.save()
    _log(
        assessment.assessment_year,
        WorkflowStep.RETURN_TO_TOWN,
        actor,
        assessment=assessment,
        comment=comment.strip(),
    )
    return assessment


@transaction.atomic
def county_approve(*, actor: User, assessment: Assessment, comment: str = "") -> Assessment:
    """Approve a town's assessment once every on-site item is scored. The points are stored as they
    stand and kept: from now on they no longer follow the records, which stay locked (core/locks.py)
    until the county reopens the town or the city returns it."""
    _approve(actor, [assessment], comment, naming=False)
    return assessment


@transaction.atomic
def county_approve_many(*, actor: User, assessments: list[Assessment], comment: str = "") -> list[Assessment]:
    """批量审定: approve several towns at once, each exactly as `county_approve` would (the same
    rights, states, locks, history and log row), in one transaction: either every town is approved
    or none is, and a refusal names the town it is about. The comment goes to each."""
    ensure(bool(assessments), "请先勾选要审定的镇(街道)。")
    return _approve(actor, assessments, comment, naming=True)


def _approve(actor: User, assessments: list[Assessment], comment: str, *, naming: bool) -> list[Assessment]:
    """The approval of one town or many: every check of every town first, then the writes, at a cost
    in queries that does not grow with the number of towns (the checks read all the towns at once;
    history and log rows are written in bulk). `naming` puts the town's name before a refusal."""

    def refuse_unless(condition: bool, assessment: Assessment, message: str) -> None:
        ensure(condition, f"{_town_name(assessment)}:{message}" if naming else message)

    # The caller's objects, deduplicated: the same town twice is approved once.
    assessments = list({a.pk: a for a in assessments}.values())
    allowed = set(
        offices_for(actor, Action.ASSESS)
        .filter(pk__in=[a.office_id for a in assessments])
        .values_list("pk", flat=True)
    )
    for assessment in assessments:
        if assessment.office_id not in allowed:
            refusal = "只有本县(市、区)的考核人员可以考核该镇(街道)。"
            raise PermissionDenied(f"{_town_name(assessment)}:{refusal}" if naming else refusal)
    years = {a.assessment_year_id for a in assessments}
    ensure(len(years) == 1, "一次只能审定同一年度的考核。")
    year = assessments[0].assessment_year
    _require_open(year)
    results = {
        r.county_id: r
        for r in CountyResult.objects.filter(
            assessment_year=year, county_id__in={a.office.town.county_id for a in assessments}
        ).select_related("county")
    }
    for assessment in assessments:
        result = results[assessment.office.town.county_id]
        ensure(
            result.state in (CountyState.OPEN, CountyState.RETURNED),
            f"{result.county}的考核结果已上报市局,不能再修改;如需修改请由市局退回。",
        )
    _locked_all(assessments)
    for assessment in assessments:
        refuse_unless(assessment.state == AssessmentState.SUBMITTED, assessment, "只有已提交的自评可以审定。")
    scoring.refresh(assessments)
    scores: dict[int, list[ItemScore]] = {a.pk: [] for a in assessments}
    for score in ItemScore.objects.filter(assessment__in=assessments).select_related("item"):
        scores[score.assessment_id].append(score)
    for assessment in assessments:
        total = scoring.compute_total(scores[assessment.pk], year.catalog.pass_mark)
        refuse_unless(
            total.pending_items == 0, assessment, f"还有 {total.pending_items} 项现场评分项目未评分。"
        )
        refuse_unless(assessment.visit_date is not None, assessment, "请先填写实地考核日期。")
    now = timezone.now()
    for assessment in assessments:
        assessment.state = AssessmentState.APPROVED
        assessment.approved_at = now
        assessment.updated_at = now
        if comment.strip():
            assessment.county_comment = comment.strip()
    bulk_update_with_history(
        assessments,
        Assessment,
        ["state", "approved_at", "county_comment", "updated_at"],
        default_user=actor,
        default_date=now,
    )
    WorkflowEvent.log_many(
        year.pk, WorkflowStep.APPROVE, actor, assessments=assessments, comment=comment.strip()
    )
    return assessments


def _town_name(assessment: Assessment) -> str:
    return assessment.office.town.name


def _locked_all(assessments: list[Assessment]) -> None:
    """The assessments re-read under a row lock, as `_locked` does for one, in one query: the
    caller's objects take the values read, so what they show afterwards is what was done."""
    fresh = {
        a.pk: a
        for a in Assessment.objects.select_for_update(of=("self",)).filter(pk__in=[a.pk for a in assessments])
    }
    for assessment in assessments:
        found = fresh.get(assessment.pk)
        ensure(found is not None, "考核不存在或已删除。")
        for field in Assessment._meta.concrete_fields:
            setattr(assessment, field.attname, getattr(found, field.attname))


@transaction.atomic
def county_reopen(*, actor: User, assessment: Assessment, comment: str) -> Assessment:
    """Withdraw an approval (撤回审定) to score the town again: the records stay locked, as the
    assessment is back with the county, not with the town."""
    _require_county(actor, assessment)
    _require_open(assessment.assessment_year)
    _require_county_open(assessment)
    assessment = _locked(assessment)
    ensure(assessment.state == AssessmentState.APPROVED, "只有已审定的考核可以撤回审定。")
    ensure(bool(comment.strip()), "撤回审定须说明理由。")
    assessment.state = AssessmentState.SUBMITTED
    assessment.approved_at = None
    assessment._history_user = actor
    assessment.save()
    _log(
        assessment.assessment_year, WorkflowStep.REOPEN, actor, assessment=assessment, comment=comment.strip()
    )
    return assessment


@transaction.atomic
def county_submit(*, actor: User, result: CountyResult, comment: str = "") -> CountyResult:
    """Report the county's results to the city, when every one of its towns is approved."""
    if not counties_for(actor, Action.ASSESS).filter(pk=result.county_id).exists():
        raise PermissionDenied("只有本县(市、区)的考核人员可以上报考核结果。")
    _require_open(result.assessment_year)
    result = _locked_result(result)
    ensure(result.state in (CountyState.OPEN, CountyState.RETURNED), "考核结果已上报。")
    waiting = result.assessment_year.assessments.filter(office__town__county=result.county).exclude(
        state=AssessmentState.APPROVED
    )
    ensure(not waiting.exists(), f"还有 {waiting.count()} 个镇(街道)未审定,不能上报。")
    result.state = CountyState.SUBMITTED
    result.submitted_at = timezone.now()
    result._history_user = actor
    result.save()
    _log(result.assessment_year, WorkflowStep.COUNTY_SUBMIT, actor, county=result.county, comment=comment)
    return result
