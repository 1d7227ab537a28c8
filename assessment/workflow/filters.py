"""The filters and orders of the workflow's lists (a year's towns, the rectification tasks), read from
GET parameters. A value not understood is ignored, never an error: a stale bookmark, a hand-edited
address or a link from an older page still opens the list, unfiltered where it asked for nothing
the list knows.

Filtering and ordering a year's towns happens in memory: their totals are computed from today's
records (assessment/workflow/selectors.py: `town_rows`), not stored, so the database cannot sort
them. A county has at most a few dozen towns and the city 72; the tasks are filtered and ordered in
the database (rectification_selectors.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from assessment.choices import AssessmentState, Result, TaskState

# -- shared -------------------------------------------------------------------------------------------

OVERDUE = "overdue"
ON_TIME = "on_time"
DEADLINES = [(OVERDUE, "已逾期"), (ON_TIME, "未逾期")]
NO_RESULT = "none"


def _choice(params: QueryDict, name: str, allowed) -> str:
    value = params.get(name, "")
    return value if value in allowed else ""


def _sort(params: QueryDict, allowed, default: str) -> str:
    """`sort` as asked (a key of `allowed`, "-" first for the reverse order), else the default."""
    value = params.get("sort", "")
    return value if value.removeprefix("-") in allowed else default


def sort_choices(labels: dict[str, str], default: str = "") -> list[tuple[str, str]]:
    """The orders a list offers, for its 排序 select: each key ascending and descending, after the
    list's own order when it has one (`default`, its label)."""
    choices = [("", default)] if default else []
    for key, label in labels.items():
        choices += [(key, f"{label} 升序"), (f"-{key}", f"{label} 降序")]
    return choices


def order_rows(rows: list, key: Callable[[Any], Any], descending: bool) -> list:
    """Rows ordered by `key`, those without a value last in either direction; rows of equal value
    keep their order (the list's default, by town code)."""
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing


# -- a year's towns -----------------------------------------------------------------------------------

STATE_ORDER = {state: i for i, state in enumerate(AssessmentState.values)}

TOWN_SORTS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "town": ("镇(街道)代码", lambda r: r.assessment.office.town.code),
    "state": ("状态", lambda r: STATE_ORDER.get(r.assessment.state)),
    "score": ("得分", lambda r: r.total),
    "submitted": ("提交日期", lambda r: r.submitted_at),
    "visit": ("实地考核日期", lambda r: r.assessment.visit_date),
    "pending": ("待现场评分", lambda r: r.pending),
}
TOWN_SORT_CHOICES = sort_choices({key: label for key, (label, _) in TOWN_SORTS.items()})
TOWN_RESULTS = [*Result.choices, (NO_RESULT, "待评分或无结果")]


@dataclass(frozen=True)
class TownFilters:
    """What a list of a year's towns shows: one state, one result (合格, 不合格, none yet), late or
    not, one county (the city's list), and the order."""

    state: str = ""
    result: str = ""
    deadline: str = ""
    county: str = ""
    sort: str = "town"

    @classmethod
    def from_query(cls, params: QueryDict, *, counties: tuple[str, ...] = ()) -> "TownFilters":
        return cls(
            state=_choice(params, "state", AssessmentState.values),
            result=_choice(params, "result", [value for value, _ in TOWN_RESULTS]),
            deadline=_choice(params, "deadline", [OVERDUE, ON_TIME]),
            county=_choice(params, "county", counties),
            sort=_sort(params, TOWN_SORTS, "town"),
        )

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the order does not)."""
        return bool(self.state or self.result or self.deadline or self.county)

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def keeps(self, row) -> bool:
        a = row.assessment
        if self.state and a.state != self.state:
            return False
        if self.result and (row.result or NO_RESULT) != self.result:
            return False
        if self.deadline and row.overdue != (self.deadline == OVERDUE):
            return False
        return not (self.county and a.office.town.county.code != self.county)

    def apply(self, rows: list) -> list:
        """The rows this list shows, in its order: no query (the rows are loaded)."""
        kept = [r for r in rows if self.keeps(r)]
        return order_rows(kept, TOWN_SORTS[self.sort_key][1], self.descending)


# -- rectification tasks ------------------------------------------------------------------------------

MENDED = "mended"
SENT_BACK = "sent_back"
TASK_RESULTS = [(MENDED, "台账显示已整改"), (SENT_BACK, "县级退回过")]
TASK_SORTS: dict[str, str] = {
    "due": "整改期限",
    "town": "镇(街道)",
    "state": "状态",
    "closed": "报告完成日期",
    "year": "年度",
}

TASK_SORT_CHOICES = sort_choices(TASK_SORTS, "默认(待办在前)")


@dataclass(frozen=True)
class TaskFilters:
    """What a list of rectification tasks shows: one state, overdue or not, one assessment year, one
    town (the county's list), a result (the records show it mended, or the county sent it back), and
    the order ("" keeps each list's own: the town's open tasks first, the county's reported ones)."""

    state: str = ""
    deadline: str = ""
    year: int | None = None
    town: str = ""
    result: str = ""
    sort: str = ""

    @classmethod
    def from_query(cls, params: QueryDict, *, years: list[int], towns: tuple[str, ...] = ()) -> "TaskFilters":
        # `overdue=1` is what the city's rectification page and older bookmarks link to.
        deadline = _choice(params, "deadline", [OVERDUE, ON_TIME]) or (
            OVERDUE if params.get("overdue") == "1" else ""
        )
        try:
            year = int(params.get("year") or "")
        except ValueError:
            year = None
        return cls(
            state=_choice(params, "state", TaskState.values),
            deadline=deadline,
            year=year if year in years else None,
            town=_choice(params, "town", towns),
            result=_choice(params, "result", [value for value, _ in TASK_RESULTS]),
            sort=_sort(params, TASK_SORTS, ""),
        )

    @property
    def active(self) -> bool:
        return bool(self.state or self.deadline or self.year or self.town or self.result)

    @property
    def overdue(self) -> bool:
        return self.deadline == OVERDUE
