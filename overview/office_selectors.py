"""Reads of the office home: the figures of a year across the office's records, and its assessment."""

from assessment.choices import TaskState
from assessment.models import RectificationTask
from assessment.workflow import selectors as workflow_selectors
from duties.models import DutyRecord
from offices.models import Budget, InternalCheck, Office, OfficeYearFacts, PostedRule, Premises


def office_year_summary(*, office: Office, year: int) -> dict:
    """The figures on an office's home page for a year: a few aggregate queries."""
    return {
        "facts": OfficeYearFacts.objects.filter(office=office, year=year).first(),
        "premises": Premises.objects.filter(office=office, year=year).first(),
        "budget": Budget.objects.filter(office=office, year=year).first(),
        "rules_posted": PostedRule.objects.filter(office=office, year=year).exclude(photo="").count(),
        "records": DutyRecord.objects.filter(office=office, date__year=year).count(),
        "checks": InternalCheck.objects.filter(office=office, checked_on__year=year).count(),
    }


def office_assessment(*, office: Office, year: int) -> dict:
    """The office's assessment of the year (if the city opened it), with its score as every other
    page shows it (the assessment's own score sheet: live while it follows the records, kept once
    approved), and its open rectification tasks."""
    current = workflow_selectors.assessment_for(office=office, year=year)
    return {
        "current": current,
        "sheet": workflow_selectors.score_sheet(current) if current else None,
        "open_tasks": RectificationTask.objects.filter(office=office, state=TaskState.OPEN).count(),
    }
