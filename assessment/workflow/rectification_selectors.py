"""Reads of the rectification tasks (整改): a town's and a county's lists, their counts, each county's
counts for the city, and whether the records already show a task's gap mended. Each costs a fixed
number of queries, whatever the number of tasks, towns or counties.

Overdue (已逾期) is a task not yet verified whose due date has passed: a task the town has reported
but the county has not verified is still open in the closed loop, and counts against its county.

"Mended" (台账显示已整改) is judged on the office's records of the current calendar year (today's
year, `records_year()`): rectification is about the gap as it stands now, so the records that describe
the present are the ones asked, and a gap that was mended once and has opened again does not show as
mended. The assessed year's own records cannot show it: once the year is confirmed they are read-only
(assessment/workflow/locks.py), so a town mends a gap in the records of the year it works in.
Only items scored from records can be judged so; an on-site item never shows the flag. The flag is a
hint for the town and the inspector; the county's verification decides."""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from assessment.choices import TaskState
from assessment.models import AssessmentYear, RectificationTask
from assessment.standard import facts, rules
from assessment.workflow.filters import MENDED, ON_TIME, OVERDUE, SENT_BACK, TaskFilters
from offices.models import County, Office


def _today():
    return timezone.localdate()


def records_year() -> int:
    """The year of the records a task's gap is judged mended on: this year."""
    return _today().year


def overdue_q() -> Q:
    """Tasks the town is late with: still open past their due date, or reported done only after it
    (and not yet verified). A task reported in time and waiting for the county is not the town's
    delay: it shows as 待县级验收."""
    late_open = Q(state=TaskState.OPEN, due_date__lt=_today())
    late_report = Q(state=TaskState.CLOSED, closed_at__date__gt=F("due_date"))
    return late_open | late_report


# The town works on the open ones, the county on the reported ones; verified ones go last for both.
TOWN_ORDER = Case(
    When(state=TaskState.OPEN, then=Value(0)),
    When(state=TaskState.CLOSED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
COUNTY_ORDER = Case(
    When(state=TaskState.CLOSED, then=Value(0)),
    When(state=TaskState.OPEN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


NO_FILTERS = TaskFilters()


def _tasks() -> QuerySet[RectificationTask]:
    return RectificationTask.objects.select_related(
        "item__catalog", "office__town__county", "assessment__assessment_year", "verified_by"
    )


def _ordered(tasks: QuerySet[RectificationTask], sort: str, default: tuple) -> QuerySet[RectificationTask]:
    """The tasks in the order a list asked for (see filters.TASK_SORTS; "-" first reverses the first
    key, those without a value last either way), else in the list's own order; the town, the item
    and the id break ties so that pages never overlap."""
    key = sort.removeprefix("-")
    first = {
        "due": F("due_date"),
        "town": F("office__town__code"),
        "state": TOWN_ORDER,  # the workflow's order: open, reported, verified
        "closed": F("closed_at"),
        "year": F("assessment__assessment_year__year"),
    }.get(key)
    if first is None:
        return tasks.order_by(*default)
    first = first.desc(nulls_last=True) if sort.startswith("-") else first.asc(nulls_last=True)
    return tasks.order_by(first, "due_date", "office__town__code", "item__order", "id")


def _filtered(tasks: QuerySet[RectificationTask], filters: TaskFilters) -> QuerySet[RectificationTask]:
    """The tasks the filters keep. "Mended" is judged from the records, not stored: the tasks left by
    the other filters are judged at once (`mended`, a fixed number of queries) and kept by id."""
    if filters.state:
        tasks = tasks.filter(state=filters.state)
    if filters.deadline == OVERDUE:
        tasks = tasks.filter(overdue_q())
    elif filters.deadline == ON_TIME:
        tasks = tasks.exclude(overdue_q())
    if filters.year is not None:
        tasks = tasks.filter(assessment__assessment_year__year=filters.year)
    if filters.town:
        tasks = tasks.filter(office__town__code=filters.town)
    if filters.result == SENT_BACK:
        tasks = tasks.filter(state=TaskState.OPEN).exclude(review_comment="")
    elif filters.result == MENDED:
        tasks = tasks.filter(pk__in=mended(list(tasks)))
    return tasks


def office_tasks(*, office: Office, filters: TaskFilters = NO_FILTERS) -> QuerySet[RectificationTask]:
    """The office's tasks: open ones first (those sent back among them), then those waiting for the
    county, then the verified ones; earliest due first. `filters` narrow and may reorder them."""
    tasks = _filtered(_tasks().filter(office=office), filters)
    return _ordered(
        tasks,
        filters.sort,
        (TOWN_ORDER, "due_date", "assessment__assessment_year__year", "item__order", "id"),
    )


def county_tasks(*, county: County, filters: TaskFilters = NO_FILTERS) -> QuerySet[RectificationTask]:
    """Tasks of the county's towns: those waiting for verification first, then the open ones, then
    the verified ones. `filters` narrow them (state, overdue or not, year, town, mended or sent back)
    and may reorder them."""
    tasks = _filtered(_tasks().filter(office__town__county=county), filters)
    return _ordered(
        tasks, filters.sort, (COUNTY_ORDER, "due_date", "office__town__code", "item__order", "id")
    )


def county_task_years(*, county: County) -> list[int]:
    """The assessment years that left the county's towns tasks, newest first: one query."""
    return _task_years(RectificationTask.objects.filter(office__town__county=county))


def office_task_years(*, office: Office) -> list[int]:
    """The assessment years that left the office tasks, newest first: one query."""
    return _task_years(RectificationTask.objects.filter(office=office))


def _task_years(tasks: QuerySet[RectificationTask]) -> list[int]:
    return list(
        tasks.order_by("-assessment__assessment_year__year")
        .values_list("assessment__assessment_year__year", flat=True)
        .distinct()
    )


def _count_fields() -> dict:
    return {
        "total": Count("id"),
        "open": Count("id", filter=Q(state=TaskState.OPEN)),
        "closed": Count("id", filter=Q(state=TaskState.CLOSED)),
        "verified": Count("id", filter=Q(state=TaskState.VERIFIED)),
        "overdue": Count("id", filter=overdue_q()),
    }


def task_counts(tasks: QuerySet[RectificationTask]) -> dict[str, int]:
    """Open, awaiting verification (closed), verified, overdue and all tasks of a set: one query."""
    return tasks.order_by().aggregate(**_count_fields())


def task_for(*, office: Office, pk: int) -> RectificationTask | None:
    """One task of the office, with what its pages show: one query."""
    return _tasks().filter(office=office, pk=pk).first()


# -- the city's view of a year ----------------------------------------------------------------------


@dataclass(frozen=True)
class CountyTasks:
    """One county's tasks of a year, counted."""

    county: County | None  # None for the whole city
    total: int = 0
    open: int = 0
    closed: int = 0  # reported by the town, awaiting the county's verification
    verified: int = 0
    overdue: int = 0


def county_counts(year: AssessmentYear) -> list[CountyTasks]:
    """Every county, in code order, with its towns' tasks of the year counted: two queries."""
    counted = {
        row.pop("office__town__county"): row
        for row in RectificationTask.objects.filter(assessment__assessment_year=year)
        .values("office__town__county")
        .annotate(**_count_fields())
        .order_by()
    }
    return [CountyTasks(county, **counted.get(county.pk, {})) for county in County.objects.order_by("code")]


def city_totals(rows: list[CountyTasks]) -> CountyTasks:
    """The whole city's counts, summed from the counties' (no query)."""
    return CountyTasks(
        None,
        total=sum(r.total for r in rows),
        open=sum(r.open for r in rows),
        closed=sum(r.closed for r in rows),
        verified=sum(r.verified for r in rows),
        overdue=sum(r.overdue for r in rows),
    )


# -- mended by the records --------------------------------------------------------------------------


def mended(tasks: list[RectificationTask], year: int | None = None) -> set[int]:
    """The ids of the tasks (not yet verified) whose item's rule the office's records of `year`
    (default: `records_year()`) meet, so the records show the gap mended.

    The same computation as `scoring.score_offices`, made once for every office on the list: the
    records are loaded once (one query per kind of record, whatever the number of offices), then
    each task's item is scored by its own year's catalog. The tasks need `item__catalog` and
    `office__town` loaded (the lists above do)."""
    judged = [t for t in tasks if t.state != TaskState.VERIFIED and t.item.rule]
    if not judged:
        return set()
    offices = {t.office_id: t.office for t in judged}
    loaded = facts.load(list(offices.values()), year or records_year())
    found = set()
    for task in judged:
        result = rules.apply(task.item, loaded[task.office_id], task.item.catalog)
        if result is not None and result.met:
            found.add(task.pk)
    return found
