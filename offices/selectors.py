"""Reads of counties and offices for lists and overviews, each a fixed number of queries."""

from django.db.models import Count, Q, QuerySet

from jiaxing_minzheng.models import User
from jiaxing_minzheng.permissions import Action, counties_for, offices_for

from .models import County, Office


def county_list(*, user: User) -> QuerySet[County]:
    """Counties in the user's scope with their numbers of towns, 镇 and 街道: one query."""
    return counties_for(user, Action.VIEW).annotate(
        town_count=Count("towns"),
        zhen_count=Count("towns", filter=Q(towns__kind="镇")),
        jiedao_count=Count("towns", filter=Q(towns__kind="街道")),
    )


def office_list(*, user: User, county: County | None = None, query: str = "") -> QuerySet[Office]:
    """Offices in the user's scope, optionally of one county and matching a name or code."""
    offices = offices_for(user, Action.VIEW).select_related("town__county")
    if county is not None:
        offices = offices.filter(town__county=county)
    if query:
        offices = offices.filter(
            Q(name__icontains=query) | Q(town__name__icontains=query) | Q(town__code__startswith=query)
        )
    return offices.annotate(
        active_staff=Count("staffmember", filter=Q(staffmember__ended_on__isnull=True), distinct=True),
    ).order_by("town__code")
