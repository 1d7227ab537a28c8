"""The correction procedure (更正) in its services: who files, which years need one, who decides before
and after the confirmation, what an approval does to the record, its history, the score, the log and
a paid award, and that a request is decided once."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from assessment.choices import CorrectionState, Level, Result, WorkflowStep
from assessment.corrections import selectors, services
from assessment.corrections.kinds import changes_between
from assessment.errors import WorkflowError
from assessment.models import Correction, Payment, WorkflowEvent
from assessment.subsidies import services as subsidies
from assessment.workflow import services as workflow
from core.locks import RecordLocked
from duties.models import Duty, DutyRecord
from offices.models import Budget, Premises
from tests import factories

from .conftest import approve, assessment_of, changes_for, confirm, evidence, file, write_past_lock

pytestmark = pytest.mark.django_db

LOW, ENOUGH = Decimal("10000"), Decimal("30000")  # E1 asks for 20,000 元 of guaranteed funds


@pytest.fixture
def budget(world, year) -> Budget:
    return factories.budget(world.office_a, 2010, funds=str(LOW))


def test_a_correction_is_only_for_an_approved_or_confirmed_year(world, year, budget):
    with pytest.raises(WorkflowError, match="请直接修改"):
        file(world.town_a, budget, guaranteed_funds=ENOUGH)
    a = assessment_of(world.office_a)
    workflow.self_assessment_submit(actor=world.town_a, assessment=a)
    with pytest.raises(WorkflowError, match="联系县级退回"):
        file(world.town_a, budget, guaranteed_funds=ENOUGH)
    assert not Correction.objects.exists()


def test_filing_for_an_approved_year(world, year, budget):
    a = approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    assert (correction.state, correction.level, correction.year) == (
        CorrectionState.PENDING,
        Level.COUNTY,
        2010,
    )
    assert correction.assessment == a and correction.filed_by == world.town_a and correction.evidence
    assert correction.changes == {
        "guaranteed_funds": {
            "label": "保障办公经费(元)",
            "before": "10000.00",
            "after": "30000.00",
            "value": "30000",
        }
    }
    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == LOW  # nothing changes until approved
    assert WorkflowEvent.objects.filter(
        assessment=a, action=WorkflowStep.CORRECTION_FILED, actor=world.town_a
    ).exists()
    with pytest.raises(WorkflowError, match="已有待审核的更正申请"):
        file(world.county_a, budget, guaranteed_funds=ENOUGH)


def test_who_files(world, year, budget):
    approve(world, world.office_a)
    for outsider in (world.town_b, world.county_c, world.city, world.admin):
        with pytest.raises(PermissionDenied):
            file(outsider, budget, guaranteed_funds=ENOUGH)
    assert file(world.county_a, budget, guaranteed_funds=ENOUGH).filed_by == world.county_a


def test_a_filing_needs_a_problem_a_reason_and_a_change(world, year, budget):
    approve(world, world.office_a)
    with pytest.raises(WorkflowError, match="存在的问题"):
        file(world.town_a, budget, problem=" ", guaranteed_funds=ENOUGH)
    with pytest.raises(WorkflowError, match="更正理由"):
        file(world.town_a, budget, reason="", guaranteed_funds=ENOUGH)
    with pytest.raises(WorkflowError, match="没有修改"):
        file(world.town_a, budget)
    # Only what the record's form shows: never its office, year or edit version.
    with pytest.raises(WorkflowError, match="不能修改的项目"):
        services.correction_file(
            actor=world.town_a,
            office=world.office_a,
            record_label="offices.budget",
            record_id=budget.pk,
            changes={"year": {"label": "年度", "before": "2010", "after": "2011", "value": 2011}},
            problem="年度填错",
            reason="应为 2011 年",
        )


def test_county_approves_before_confirmation_and_the_score_follows(world, year, budget):
    a = approve(world, world.office_a)
    before = a.total
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    for wrong in (world.city, world.county_c, world.town_a):
        with pytest.raises(PermissionDenied):
            services.correction_decide(actor=wrong, correction=correction, approve=True)
    services.correction_decide(actor=world.county_a, correction=correction, approve=True, note="核实无误")

    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == ENOUGH
    a = assessment_of(world.office_a)
    assert a.total == before + 8  # E1 is now met
    assert a.scores.get(item__code="E1").computed_points == 8
    correction.refresh_from_db()
    assert correction.state == CorrectionState.APPROVED and correction.decided_by == world.county_a
    assert (correction.total_before, correction.total_after) == (before, before + 8)
    assert correction.decided_at is not None and correction.decision_note == "核实无误"
    event = WorkflowEvent.objects.get(assessment=a, action=WorkflowStep.CORRECTION_APPROVED)
    assert event.actor == world.county_a and f"更正申请#{correction.pk}" in event.comment
    assert f"{before:.2f} → {before + 8:.2f}" in event.comment


def test_the_history_row_names_the_correction(world, year, budget):
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    row = Budget.history.filter(id=budget.pk).order_by("-history_date").first()
    assert row.history_change_reason == f"更正申请#{correction.pk}"
    assert row.history_user == world.county_a and row.guaranteed_funds == ENOUGH
    # The request itself keeps its history too: filed by the town, approved by the county.
    assert list(correction.history.order_by("history_date").values_list("state", "history_user")) == [
        (CorrectionState.PENDING, world.town_a.pk),
        (CorrectionState.APPROVED, world.county_a.pk),
    ]


def test_the_city_decides_once_the_year_is_confirmed(world, year, budget):
    approve(world, world.office_a)
    confirm(world, year)
    frozen = assessment_of(world.office_a)
    assert frozen.frozen_at is not None
    with pytest.raises(RecordLocked):
        budget.guaranteed_funds = ENOUGH
        budget.save()
    budget.refresh_from_db()
    correction = file(world.county_a, budget, guaranteed_funds=ENOUGH)
    assert correction.level == Level.CITY
    with pytest.raises(PermissionDenied):
        services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    services.correction_decide(actor=world.city, correction=correction, approve=True)
    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == ENOUGH
    corrected = assessment_of(world.office_a)
    assert corrected.total == frozen.total + 8 and corrected.frozen_at == frozen.frozen_at


def test_a_request_filed_before_the_confirmation_goes_to_the_city_after_it(world, year, budget):
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    assert correction.level == Level.COUNTY
    assert list(selectors.county_pending(county=world.office_a.town.county)) == [correction]
    confirm(world, year)
    assert selectors.decider_level(Correction.objects.get(pk=correction.pk)) == Level.CITY
    assert not selectors.county_pending(county=world.office_a.town.county).exists()
    assert list(selectors.city_pending()) == [correction]
    with pytest.raises(PermissionDenied):
        services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    services.correction_decide(actor=world.city, correction=correction, approve=True)
    correction.refresh_from_db()
    assert correction.level == Level.CITY and correction.decided_by == world.city


def test_a_request_is_decided_once(world, year, budget):
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    shown = Correction.objects.get(pk=correction.pk)  # two inspectors opened the same page
    services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    with pytest.raises(WorkflowError, match="已处理"):
        services.correction_decide(actor=world.county_a, correction=shown, approve=True)
    with pytest.raises(WorkflowError, match="已处理"):
        services.correction_decide(actor=world.county_a, correction=shown, approve=False, note="重复")
    applied = Budget.history.filter(id=budget.pk, history_change_reason=f"更正申请#{correction.pk}")
    assert applied.count() == 1
    assert WorkflowEvent.objects.filter(action=WorkflowStep.CORRECTION_APPROVED).count() == 1


def test_two_simultaneous_approvals_apply_once(world, year, budget):
    """The decision claims the request with one conditional UPDATE: the second decision, read before
    the first was written, finds it claimed and writes nothing."""
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    stale = Correction.objects.get(pk=correction.pk)
    Correction.objects.filter(pk=correction.pk).update(state=CorrectionState.APPROVED)  # the other one won
    with pytest.raises(WorkflowError, match="已处理"):
        services._claim(stale, CorrectionState.APPROVED, "此更正申请已处理,不能重复审核。")
    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == LOW


def test_rejection_needs_a_note_and_changes_nothing(world, year, budget):
    a = approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    with pytest.raises(WorkflowError, match="须填写审核意见"):
        services.correction_decide(actor=world.county_a, correction=correction, approve=False)
    services.correction_decide(actor=world.county_a, correction=correction, approve=False, note="文件不足")
    correction.refresh_from_db()
    assert correction.state == CorrectionState.REJECTED and correction.decision_note == "文件不足"
    assert Budget.objects.get(pk=budget.pk).guaranteed_funds == LOW
    assert assessment_of(world.office_a).total == a.total
    assert WorkflowEvent.objects.filter(
        action=WorkflowStep.CORRECTION_REJECTED, actor=world.county_a
    ).exists()


def test_withdrawal_by_the_filer_or_the_office(world, year, budget):
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH)
    for wrong in (world.county_a, world.town_b, world.city):
        with pytest.raises(PermissionDenied):
            services.correction_withdraw(actor=wrong, correction=correction)
    services.correction_withdraw(actor=world.town_a, correction=correction)
    assert Correction.objects.get(pk=correction.pk).state == CorrectionState.WITHDRAWN
    with pytest.raises(WorkflowError, match="不能撤回"):
        services.correction_withdraw(actor=world.town_a, correction=correction)
    with pytest.raises(WorkflowError, match="已处理"):
        services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    by_county = file(world.county_a, budget, guaranteed_funds=ENOUGH)
    services.correction_withdraw(actor=world.county_a, correction=by_county)


def test_a_record_changed_since_the_request_is_not_overwritten(world, year, budget):
    approve(world, world.office_a)
    correction = file(world.town_a, budget, guaranteed_funds=ENOUGH, note="按预算")
    write_past_lock(budget, note="另一处修改")
    write_past_lock(budget, guaranteed_funds=Decimal("15000"))
    with pytest.raises(WorkflowError, match=re.escape("“保障办公经费(元)”已被修改(现为 15000.00)")):
        services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    assert Correction.objects.get(pk=correction.pk).state == CorrectionState.PENDING  # rolled back


def test_a_change_no_score_reads_is_an_edit(world, year):
    staff = factories.staff(world.office_a)
    approve(world, world.office_a)
    with pytest.raises(WorkflowError, match="不影响任何年度"):
        file(world.town_a, staff, phone="13800000000")


def test_adding_a_missing_back_dated_duty_record(world, year):
    a = approve(world, world.office_a)
    duty = Duty.objects.get(number=3)
    new = DutyRecord(office=world.office_a, duty=duty, date=dt.date(2010, 6, 1), title="补登:特困供养走访")
    new.content = "走访特困供养对象 12 户。"
    changes = changes_between(None, new, ["duty", "date", "title", "content"])
    assert changes["date"]["value"] == "2010-06-01" and changes["duty"]["value"] == duty.pk
    correction = services.correction_file(
        actor=world.town_a,
        office=world.office_a,
        record_label="duties.dutyrecord",
        record_id=None,
        changes=changes,
        problem="漏报了 6 月的走访台账",
        reason="有走访记录表为证",
        evidence=evidence(),
    )
    assert correction.record_text.startswith("新增工作台账") and correction.assessment == a
    with pytest.raises(RecordLocked):
        DutyRecord.objects.create(
            office=world.office_a, duty=duty, date=dt.date(2010, 7, 1), title="直接补登"
        )
    services.correction_decide(actor=world.county_a, correction=correction, approve=True)
    added = DutyRecord.objects.get(office=world.office_a, title="补登:特困供养走访")
    correction.refresh_from_db()
    assert correction.record_id == added.pk and added.date == dt.date(2010, 6, 1)
    assert added.history.get().history_change_reason == f"更正申请#{correction.pk}"


def test_a_paid_award_never_changes_and_the_city_is_told(world, year):
    """Town A passes 2010 and is paid its award; a correction then shows its premises were too small,
    which turns the pass into a fail: the paid payment keeps its amounts and gets a note."""
    factories.premises(world.office_a, 2010, area="80")
    factories.staff(world.office_a)  # a civil servant: B2, a veto item, is met
    a = approve(world, world.office_a)
    year.catalog.__class__.objects.filter(pk=year.catalog_id).update(pass_mark=a.total - 1)
    subsidies.standard_save(actor=world.city, programme=year.programme, city_award=Decimal("50000"))
    confirm(world, year)
    a = assessment_of(world.office_a)
    assert a.result == Result.PASS
    payment = Payment.objects.get(office=world.office_a)
    subsidies.payments_mark_paid(
        actor=world.city, payments=[payment], paid_on=dt.date(2011, 3, 1), document_no="嘉民〔2011〕8号"
    )
    payment.refresh_from_db()
    paid = (payment.year, payment.score, payment.city_amount, payment.county_amount, payment.paid)

    premises = Premises.objects.get(office=world.office_a, year=2010)
    correction = file(world.town_a, premises, area_m2=Decimal("40"))
    services.correction_decide(actor=world.city, correction=correction, approve=True)

    correction.refresh_from_db()
    assert (correction.result_before, correction.result_after) == (Result.PASS, Result.FAIL)
    assert correction.total_after == correction.total_before - 6  # C1 no longer met
    payment.refresh_from_db()
    assert (payment.year, payment.score, payment.city_amount, payment.county_amount, payment.paid) == paid
    assert payment.review_note == (
        f"2010年更正后考核不合格(更正申请#{correction.pk}),该笔奖补已拨付,请市局处理。"
    )
    assert payment.history.first().history_change_reason == f"更正申请#{correction.pk}"


def test_a_paid_county_matching_alone_is_listed_for_the_city_too(world, year):
    """Only the county's part was paid (the city's is not yet): that money never moves either."""
    factories.premises(world.office_a, 2010, area="80")
    factories.staff(world.office_a)
    a = approve(world, world.office_a)
    year.catalog.__class__.objects.filter(pk=year.catalog_id).update(pass_mark=a.total - 1)
    subsidies.standard_save(actor=world.city, programme=year.programme, city_award=Decimal("50000"))
    confirm(world, year)
    Payment.objects.filter(office=world.office_a).update(
        county_paid=True, county_paid_on=dt.date(2011, 4, 1), county_document_no="南民〔2011〕6号"
    )
    premises = Premises.objects.get(office=world.office_a, year=2010)
    correction = file(world.town_a, premises, area_m2=Decimal("40"))
    services.correction_decide(actor=world.city, correction=correction, approve=True)
    payment = Payment.objects.get(office=world.office_a)
    assert payment.county_paid and f"更正申请#{correction.pk}" in payment.review_note


def test_an_unpaid_award_follows_the_corrected_result(world, year):
    factories.premises(world.office_a, 2010, area="80")
    factories.staff(world.office_a)  # a civil servant: B2, a veto item, is met
    a = approve(world, world.office_a)
    year.catalog.__class__.objects.filter(pk=year.catalog_id).update(pass_mark=a.total - 1)
    subsidies.standard_save(actor=world.city, programme=year.programme, city_award=Decimal("50000"))
    confirm(world, year)
    assert Payment.objects.filter(office=world.office_a).exists()
    correction = file(
        world.town_a, Premises.objects.get(office=world.office_a, year=2010), area_m2=Decimal("40")
    )
    services.correction_decide(actor=world.city, correction=correction, approve=True)
    assert not Payment.objects.filter(office=world.office_a).exists()  # no longer due, never paid


def test_changes_keep_json_values(world, year):
    staff = factories.staff(world.office_a)
    approve(world, world.office_a)
    changes = changes_for(staff, started_on=dt.date(2009, 1, 1), is_full_time=False)
    assert changes["started_on"] == {
        "label": "到岗日期",
        "before": "2008-03-01",
        "after": "2009-01-01",
        "value": "2009-01-01",
    }
    assert changes["is_full_time"]["after"] == "否" and changes["is_full_time"]["value"] is False
