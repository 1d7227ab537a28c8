"""The demo's assessment years, driven through the same services the pages use, by the demo
accounts: 2010 and 2011 self-assessed, scored, approved, reported, spot-checked and confirmed (with
their rectification tasks, the 2010 ones mostly closed), and 2012 in progress in every state."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from assessment.catalog import services as catalog_services
from assessment.choices import AssessmentState, CountyState, TaskState, WorkflowStep
from assessment.models import AssessmentYear, CatalogVersion, Programme, RectificationTask, WorkflowEvent
from assessment.standard.scoring import item_rows
from assessment.workflow import city_services, rectification, services
from portal.models import User

PROGRAMME = "嘉兴市镇(街道)民政工作规范化建设三年行动(2010—2012年)"
IN_PROGRESS = 2012
# How far each county has got with 2012: 南湖区 has reported, 秀洲区 approved everything, the
# others are at different steps town by town.
COUNTY_2012 = {"330402": CountyState.SUBMITTED, "330411": CountyState.OPEN}
STAGES_2012 = (
    AssessmentState.DRAFT,
    AssessmentState.SUBMITTED,
    AssessmentState.APPROVED,
    AssessmentState.RETURNED,
)


def _stage_2012(code: str, rng: random.Random) -> AssessmentState:
    county = code[:6]
    if county in COUNTY_2012:
        return AssessmentState.APPROVED
    return rng.choices(STAGES_2012, weights=(3, 3, 3, 1))[0]


def seed_assessments() -> int:
    """Build the demo programme's assessment years that do not exist yet; returns how many."""
    users = {u.username: u for u in User.objects.all()}
    city = users["city"]
    programme = Programme.objects.filter(start_year=2010).first() or catalog_services.programme_create(
        actor=city,
        name=PROGRAMME,
        start_year=2010,
        years=3,
        note="争取3年内全市所有镇(街道)民政工作达到规范化标准。",
    )
    built = 0
    for year in programme.year_range:
        if AssessmentYear.objects.filter(year=year).exists():
            continue
        catalog = CatalogVersion.objects.filter(year=year).first() or catalog_services.catalog_copy(
            actor=city, source=CatalogVersion.objects.get(year=year - 1), year=year
        )
        opened = services.year_open(
            actor=city,
            programme=programme,
            catalog=catalog,
            self_assessment_due=dt.date(year, 10, 31),
            county_due=dt.date(year, 12, 15),
        )
        _run_year(opened, users)
        _backdate(opened)
        built += 1
    return built


# When each step happened in the demo's year (month, day): the workflow log reads like a real year.
STEP_DATES = {
    WorkflowStep.OPEN_YEAR: (3, 1),
    WorkflowStep.SELF_SUBMIT: (10, 20),
    WorkflowStep.RETURN_TO_TOWN: (10, 28),
    WorkflowStep.APPROVE: (11, 30),
    WorkflowStep.COUNTY_SUBMIT: (12, 10),
    WorkflowStep.DRAW_SAMPLE: (12, 15),
    WorkflowStep.CITY_SCORE: (12, 18),
    WorkflowStep.WAIVE_CITY_SCORE: (12, 18),
    WorkflowStep.CONFIRM_YEAR: (12, 28),
}


def _at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=timezone.get_current_timezone())


def _backdate(opened: AssessmentYear) -> None:
    """Move the demo's timestamps from today into the year they belong to."""
    year = opened.year
    for action, (month, day) in STEP_DATES.items():
        WorkflowEvent.objects.filter(assessment_year=opened, action=action).update(at=_at(year, month, day))
    WorkflowEvent.objects.filter(assessment_year=opened, action=WorkflowStep.CLOSE_TASK).update(
        at=_at(year + 1, 4, 15)
    )
    opened.county_results.exclude(submitted_at=None).update(submitted_at=_at(year, 12, 10))
    opened.assessments.exclude(frozen_at=None).update(frozen_at=_at(year, 12, 28))
    opened.county_results.exclude(sampled_at=None).update(sampled_at=_at(year, 12, 15))
    opened.assessments.exclude(city_scored_at=None).update(city_scored_at=_at(year, 12, 18))
    opened.assessments.exclude(approved_at=None).update(approved_at=_at(year, 11, 30))
    AssessmentYear.objects.filter(pk=opened.pk, sampled_at__isnull=False).update(sampled_at=_at(year, 12, 15))
    AssessmentYear.objects.filter(pk=opened.pk, confirmed_at__isnull=False).update(
        confirmed_at=_at(year, 12, 28)
    )
    RectificationTask.objects.filter(assessment__assessment_year=opened).exclude(closed_at=None).update(
        closed_at=_at(year + 1, 4, 15)
    )


def _run_year(opened: AssessmentYear, users: dict[str, User]) -> None:
    year = opened.year
    complete = year != IN_PROGRESS
    for assessment in opened.assessments.select_related("office__town__county", "assessment_year__catalog"):
        code = assessment.office.town.code
        rng = random.Random(f"assessment-{year}-{code}")  # noqa: S311 - demo values
        stage = AssessmentState.APPROVED if complete else _stage_2012(code, rng)
        if stage == AssessmentState.DRAFT:
            continue
        town = users[f"town_{code}"]
        county = users[f"county_{code[:6]}"]
        assessment.self_note = f"{year}年度自评已完成,相关台账资料已上传。"
        assessment._history_user = town
        assessment.save(update_fields=["self_note"])
        services.self_assessment_submit(actor=town, assessment=assessment)
        scores = {s.item.code: s for s in item_rows(assessment)}
        services.county_score_save(
            actor=county,
            assessment=assessment,
            visit_date=dt.date(year, 11, rng.randint(1, 28)),
            inspectors=f"{assessment.office.town.county.name}民政局考核组",
            items=[
                services.CountyItem(scores["B5"], Decimal(rng.choice((2, 2.5, 3)))),
                services.CountyItem(scores["G2"], Decimal(rng.choice((4, 5, 5.5, 6)))),
            ],
        )
        if stage == AssessmentState.SUBMITTED:
            continue
        if stage == AssessmentState.RETURNED:
            services.county_return(
                actor=county, assessment=assessment, comment="请补充上墙制度照片和内部检查记录后重新提交。"
            )
            continue
        services.county_approve(actor=county, assessment=assessment)
    for result in opened.county_results.select_related("county"):
        reported = complete or COUNTY_2012.get(result.county.code) == CountyState.SUBMITTED
        if reported:
            services.county_submit(actor=users[f"county_{result.county.code}"], result=result)
    city = users["city"]
    # The city draws each reported county's sample (2012: 南湖区 only, the one that has reported).
    sampled = []
    for result in opened.county_results.filter(state=CountyState.SUBMITTED).select_related("county"):
        sampled += city_services.sample_draw(actor=city, result=result, seed=f"demo-{year}")
    if not complete:
        return
    for i, assessment in enumerate(sampled):
        if i == 1:  # one sampled town is confirmed on the county's result, for a stated reason
            city_services.city_score_waive(
                actor=city, assessment=assessment, reason="该镇(街道)已于当年6月接受市局专项督查,情况属实。"
            )
            continue
        rows = item_rows(assessment)
        items = [city_services.CityItem(s, s.final_points) for s in rows if not s.not_applicable]
        note = ""
        if i % 4 == 0:  # the city sees some towns a little differently on site
            g2 = next(entry for entry in items if entry.score.item.code == "G2")
            g2.city_points = max(Decimal(0), (g2.city_points or Decimal(0)) - 1)
            g2.note = "现场随机走访群众,满意度略低于县级评分。"
        if i == 2:  # and one quite differently: the difference needs an explanation
            for entry in items:
                if entry.score.item.code in ("G2", "B5"):
                    entry.city_points, entry.note = Decimal(0), "现场未见相关记录。"
            note = "现场督查未见群众满意度调查和年度培训记录,县级评分依据不足。"
        city_services.city_score_save(
            actor=city,
            assessment=assessment,
            items=items,
            visit_date=dt.date(year, 12, 18),
            inspectors="市民政局督查组 王建国、李红",
            comment="督查情况与县级考核基本一致。" if not note else "市县评分差异较大,已说明。",
            difference_note=note,
        )
    # The city's rectification deadline for the year: the middle of the next year.
    AssessmentYear.objects.filter(pk=opened.pk).update(rectification_due=dt.date(year + 1, 6, 30))
    opened.refresh_from_db()
    city_services.year_confirm(actor=city, year=opened, comment=f"{year}年度考核结果经市局督查确认。")
    if year == 2010:
        _close_mended_tasks(users)


def _close_mended_tasks(users: dict[str, User]) -> None:
    """Most 2010 tasks were put right in 2011, as the demo's offices mend their gaps."""
    for task in RectificationTask.objects.filter(
        assessment__assessment_year__year=2010, state=TaskState.OPEN
    ).select_related("office__town", "assessment__assessment_year"):
        if random.Random(f"task-{task.pk}").random() < 0.75:  # noqa: S311 - demo values
            rectification.task_close(
                actor=users[f"town_{task.office.town.code}"],
                task=task,
                note="已按要求整改到位,相关资料已补充上传。",
            )
