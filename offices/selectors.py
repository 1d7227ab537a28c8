"""Reads of counties and offices, each one query whatever the number of rows."""

from django.db.models import Count, Max, Q, QuerySet

from offices.models import County, Office
from portal.models import User
from portal.permissions import Action, counties_for, offices_for


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


def latest_filed_year(*, office: Office | None = None, county: County | None = None) -> int | None:
    """The newest year an office (or any office of a county) filed yearly records for: the year a
    page opens on when none is asked for, so a town sees its latest filing, not an empty new year."""
    from .models import Budget, Premises

    filters = {"office": office} if office is not None else {"office__town__county": county}
    years = [
        model.objects.filter(**filters).aggregate(latest=Max("year"))["latest"]
        for model in (Premises, Budget)
    ]
    years = [y for y in years if y]
    return max(years) if years else None
