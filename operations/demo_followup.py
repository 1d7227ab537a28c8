"""What follows the demo's confirmed years, through the same services the pages use: the counties
verify (验收) most of the 2010 rectification tasks their towns closed and send one back; a town's
correction of a confirmed year (2011 premises) approved by the city; and a correction of an approved
2012 assessment waiting for its county.

Safe to run again: nothing is done twice (tasks already verified, corrections already filed)."""

import copy
import random
from decimal import Decimal

from assessment.choices import AssessmentState, TaskState
from assessment.corrections import services as corrections
from assessment.corrections.kinds import changes_between
from assessment.models import Assessment, Correction, RectificationTask
from assessment.workflow import rectification
from offices.models import Budget, Premises
from portal.models import User


def seed_followup() -> None:
    users = {u.username: u for u in User.objects.all()}
    _verify_tasks(users)
    if not Correction.objects.exists():
        _corrections(users)


def _verify_tasks(users: dict[str, User]) -> None:
    closed = RectificationTask.objects.filter(
        assessment__assessment_year__year=2010, state=TaskState.CLOSED
    ).select_related("office__town", "assessment__assessment_year")
    if not closed.exists() or RectificationTask.objects.filter(state=TaskState.VERIFIED).exists():
        return
    sent_back = False
    for task in closed.order_by("id"):
        county = users[f"county_{task.office.town.code[:6]}"]
        if not sent_back:
            rectification.task_send_back(
                actor=county, task=task, comment="佐证材料不完整,请补充整改后的现场照片。"
            )
            sent_back = True
        elif random.Random(f"verify-{task.pk}").random() < 0.8:  # noqa: S311 - demo values
            rectification.task_verify(actor=county, task=task, comment="经现场核实,整改到位。")


def _corrections(users: dict[str, User]) -> None:
    # Approved by the city: a town's 2011 premises were filed too small (below the 60 m² standard,
    # so the correction raises the confirmed score).
    in_2011 = Premises.objects.filter(year=2011).select_related("office__town").order_by("office__town__code")
    premises = in_2011.filter(area_m2__lt=60).first() or in_2011.first()
    if premises is not None:
        corrected = copy.copy(premises)
        corrected.area_m2 = max(premises.area_m2 + Decimal(10), Decimal(65))
        filed = corrections.correction_file(
            actor=users[f"town_{premises.office.town.code}"],
            office=premises.office,
            record_label="offices.premises",
            record_id=premises.pk,
            changes=changes_between(premises, corrected, ["area_m2"]),
            problem=f"2011年办公用房面积填报 {premises.area_m2} 平方米,实际为 {corrected.area_m2} 平方米。",
            reason="按房屋租赁合同核实,实际使用面积应包括档案室和便民服务窗口。",
        )
        corrections.correction_decide(
            actor=users["city"], correction=filed, approve=True, note="经核对租赁合同,同意更正。"
        )
    # Waiting for its county: a 2012 budget approved by the county, spending filed wrongly.
    approved = Assessment.objects.filter(assessment_year__year=2012, state=AssessmentState.APPROVED)
    budget = (
        Budget.objects.filter(year=2012, office__in=approved.values("office"))
        .select_related("office__town")
        .order_by("office__town__code")
        .first()
    )
    if budget is not None:
        corrected = copy.copy(budget)
        corrected.spending = budget.spending + Decimal(2000)
        corrections.correction_file(
            actor=users[f"town_{budget.office.town.code}"],
            office=budget.office,
            record_label="offices.budget",
            record_id=budget.pk,
            changes=changes_between(budget, corrected, ["spending"]),
            problem="2012年办公经费实际支出漏记一笔 2000 元的办公设备采购。",
            reason="补记 2012 年 11 月采购档案柜的支出,附发票复印件。",
        )
