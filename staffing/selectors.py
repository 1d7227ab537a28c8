"""Reads of staff and training for pages and scoring, each a fixed number of queries whatever the
number of people, events or offices."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone

from offices.models import County, Office
from portal.models import User
from portal.permissions import Action, counties_for, county_held_for, is_city, offices_for

from .choices import Post, TrainingLevel
from .models import DirectorProbation, StaffMember, TrainingAttendance, TrainingEvent


def post_order(prefix: str = "") -> Case:
    """Director first, then deputies, then the others; `prefix` reaches the post through a relation."""
    return Case(
        When(**{f"{prefix}post": Post.DIRECTOR}, then=Value(0)),
        When(**{f"{prefix}post": Post.DEPUTY}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


POST_ORDER = post_order()

# The policy asks the city to train every 3 years and each county every year.
CITY_TRAINING_INTERVAL_YEARS = 3
OVERVIEW_YEARS = 5
# The policy dates from December 2009: the yearly county training is due from 2010 on.
FIRST_TRAINING_YEAR = 2010


def active_staff(*, office: Office) -> QuerySet[StaffMember]:
    """Staff in post now, director first, then deputies, then by start date."""
    return office.staffmember_set.filter(ended_on__isnull=True).order_by(POST_ORDER, "started_on", "id")


def _in_post_during(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """Staff in post at some point between two days (both included)."""
    return Q(**{f"{prefix}started_on__lte": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": start})
    )


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def staff_roster(*, office: Office, year: int, left: bool = False) -> QuerySet[StaffMember]:
    """An office's staff in post (or, with `left`, those who left, latest first), each with its
    director probations and the training it attended in `year` (`year_attendances`), so the roster
    shows who is trained that year without a query per person."""
    people = office.staffmember_set.filter(ended_on__isnull=not left)
    people = (
        people.order_by("-ended_on", POST_ORDER, "id")
        if left
        else people.order_by(POST_ORDER, "started_on", "id")
    )
    start, end = _year_bounds(year)
    return people.annotate(
        in_post_that_year=Case(
            When(_in_post_during(start, end), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).prefetch_related(
        Prefetch("probations", queryset=DirectorProbation.objects.order_by("-starts_on", "-id")),
        Prefetch(
            "attendances",
            queryset=TrainingAttendance.objects.filter(event__starts_on__year=year)
            .select_related("event")
            .order_by("event__starts_on", "event_id"),
            to_attr="year_attendances",
        ),
    )


@dataclass(frozen=True)
class RosterSummary:
    in_post: int  # in post now
    left: int  # left the office
    in_year: int  # in post at some point of the year
    trained: int  # of those, attended a training event that started in the year

    @property
    def untrained(self) -> int:
        return self.in_year - self.trained


def roster_summary(*, office: Office, year: int) -> RosterSummary:
    """The roster's head counts and who was trained in `year`, among the staff in post that year (as
    the assessment's gap list counts them): one aggregate query."""
    start, end = _year_bounds(year)
    in_year = _in_post_during(start, end)
    trained = Exists(TrainingAttendance.objects.filter(staff=OuterRef("pk"), event__starts_on__year=year))
    figures = (
        StaffMember.objects.filter(office=office)
        .annotate(was_trained=trained)
        .aggregate(
            in_post=Count("pk", filter=Q(ended_on__isnull=True)),
            left=Count("pk", filter=Q(ended_on__isnull=False)),
            in_year=Count("pk", filter=in_year),
            trained=Count("pk", filter=in_year & Q(was_trained=True)),
        )
    )
    return RosterSummary(**figures)


# -- training events ------------------------------------------------------------------------------


def training_event_list(
    *, user: User, year: int | None = None, level: str = "", county: County | None = None
) -> QuerySet[TrainingEvent]:
    """The events the user may see, newest first, each with the number of attendees the user may
    see (a town counts only its own staff, a county only its towns')."""
    events = county_held_for(user, TrainingEvent.objects.all()).select_related("county")
    if year:
        events = events.filter(starts_on__year=year)
    if level:
        events = events.filter(level=level)
    if county is not None:
        events = events.filter(county=county)
    if is_city(user):
        attendees = Count("attendances")
    else:
        attendees = Count(
            "attendances", filter=Q(attendances__staff__office__in=offices_for(user, Action.VIEW))
        )
    return events.annotate(attendee_count=attendees).order_by("-starts_on", "-id")


def visible_attendances(*, user: User, event: TrainingEvent, county: County | None = None) -> QuerySet:
    """Who attended an event, limited to the offices the user may see (never another office's staff
    for a town user), grouped by office in the order of the town codes."""
    rows = TrainingAttendance.objects.filter(event=event)
    if not is_city(user):
        rows = rows.filter(staff__office__in=offices_for(user, Action.VIEW))
    if county is not None:
        rows = rows.filter(staff__office__town__county=county)
    return rows.select_related("staff__office__town__county").order_by(
        "staff__office__town__code", post_order("staff__"), "staff__started_on", "id"
    )


def attendance_by_county(*, event: TrainingEvent) -> list[dict]:
    """For the city: how many people of how many offices of each county attended: one query."""
    return list(
        TrainingAttendance.objects.filter(event=event)
        .values("staff__office__town__county__code", "staff__office__town__county__name")
        .annotate(people=Count("id"), offices=Count("staff__office", distinct=True))
        .order_by("staff__office__town__county__code")
    )


def attendance_candidates(*, event: TrainingEvent, offices: QuerySet[Office]) -> QuerySet[StaffMember]:
    """The people who can be marked as attending an event, among `offices`: staff in post during the
    event (a past event is recorded for the people of that time, not today's), plus anyone already
    recorded as attending, so a mistaken mark can always be removed. `attended` says which are."""
    attended = Exists(TrainingAttendance.objects.filter(event=event, staff=OuterRef("pk")))
    return (
        StaffMember.objects.filter(office__in=offices)
        .annotate(attended=attended)
        .filter(_in_post_during(event.starts_on, event.ends_on) | Q(attended=True))
        .select_related("office__town")
        .order_by("office__town__code", POST_ORDER, "started_on", "id")
    )


@dataclass
class CountyTrainingRow:
    county: County
    # One entry per overview year: the date of the county's first event that year (None if none), and
    # how many it held.
    years: list[tuple[int, dt.date | None, int]] = field(default_factory=list)
    current_year: int = 0

    @property
    def missed(self) -> int:
        """Finished years without training: the current year may still get its event."""
        return sum(1 for year, held_on, _ in self.years if held_on is None and year < self.current_year)


@dataclass(frozen=True)
class CityTraining:
    last: TrainingEvent | None
    as_of_year: int

    @property
    def due_year(self) -> int | None:
        """The last year by which the next city training is due."""
        return None if self.last is None else self.last.starts_on.year + CITY_TRAINING_INTERVAL_YEARS - 1

    @property
    def within_interval(self) -> bool:
        return self.last is not None and self.as_of_year <= self.due_year


@dataclass(frozen=True)
class TrainingOverview:
    years: list[int]
    rows: list[CountyTrainingRow]
    city: CityTraining


def training_overview(*, user: User, until: int) -> TrainingOverview:
    """Whether each county the user may see held its yearly training in each of the
    `OVERVIEW_YEARS` years up to `until`, and when the city last held its own: three queries,
    whatever the number of counties and events."""
    years = list(range(max(until - OVERVIEW_YEARS + 1, FIRST_TRAINING_YEAR), until + 1))
    counties = list(counties_for(user, Action.VIEW).order_by("code"))
    held: dict[tuple[int, int], tuple[dt.date, int]] = {}
    for row in (
        TrainingEvent.objects.filter(
            level=TrainingLevel.COUNTY,
            county__in=[c.pk for c in counties],
            starts_on__gte=dt.date(years[0], 1, 1),
            starts_on__lte=dt.date(until, 12, 31),
        )
        .annotate(year=ExtractYear("starts_on"))
        .values("county_id", "year")
        .annotate(first=Min("starts_on"), n=Count("id"))
        .order_by()
    ):
        held[(row["county_id"], row["year"])] = (row["first"], row["n"])
    by_county = defaultdict(list)
    for county in counties:
        for year in years:
            first, n = held.get((county.pk, year), (None, 0))
            by_county[county.pk].append((year, first, n))
    last_city = (
        TrainingEvent.objects.filter(level=TrainingLevel.CITY, starts_on__lte=dt.date(until, 12, 31))
        .order_by("-starts_on", "-id")
        .first()
    )
    return TrainingOverview(
        years=years,
        rows=[
            CountyTrainingRow(county=c, years=by_county[c.pk], current_year=timezone.localdate().year)
            for c in counties
        ],
        city=CityTraining(last=last_city, as_of_year=until),
    )
