"""The one door to django-guardian: who may see or act on which office and county.

Offices and counties carry the object permissions; every record reaches its office through a foreign
key and inherits the office's rules, so lists filter by ``office__in=offices_for(user, action)``.

- town staff: view and file their own office;
- county inspectors: view and assess their county, and through it every office of that county;
- city bureau: view every county and office, and the city's own actions (configure, spot-check);
- administrator: manages accounts, sees no office records in the portal.

Answers: no role for the action at all → 403; an object outside the user's scope → 404 (its
existence is not revealed); in scope but not allowed that action → 403.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from guardian.shortcuts import assign_perm

from offices.models import County, Office

from .choices import Role, SecurityEventKind
from .models import CountyUserObjectPermission, OfficeUserObjectPermission, User


class Action(StrEnum):
    VIEW = "view"
    FILE = "file"  # create, change and delete an office's records
    ASSESS = "assess"  # score, return and approve an office's assessment


# The object permissions a binding grants, by role.
OFFICE_PERMS = {Role.TOWN: ("offices.view_office", "offices.file_office")}
COUNTY_PERMS = {Role.COUNTY: ("offices.view_county", "offices.assess_county")}

# Which roles ever perform an action on offices: anybody else gets 403 before any lookup.
ROLES_FOR_ACTION = {
    Action.VIEW: {Role.TOWN, Role.COUNTY, Role.CITY},
    Action.FILE: {Role.TOWN},
    Action.ASSESS: {Role.COUNTY},
}


def _role(user: User) -> Role | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return Role(user.role)


def role_may(user: User, action: Action) -> bool:
    return _role(user) in ROLES_FOR_ACTION[action]


def is_city(user: User) -> bool:
    return _role(user) == Role.CITY


def is_county(user: User) -> bool:
    return _role(user) == Role.COUNTY


def is_town(user: User) -> bool:
    return _role(user) == Role.TOWN


def may_manage_users(user: User) -> bool:
    return _role(user) in (Role.ADMIN, Role.CITY)


def manageable_roles(user: User) -> list[Role]:
    """Roles of the accounts this user may create and edit: the city bureau looks after county and
    town accounts, the administrator after all."""
    role = _role(user)
    if role == Role.ADMIN:
        return [Role.TOWN, Role.COUNTY, Role.CITY, Role.ADMIN]
    if role == Role.CITY:
        return [Role.TOWN, Role.COUNTY]
    return []


def _office_perm_ids(user: User, codename: str) -> QuerySet:
    return OfficeUserObjectPermission.objects.filter(user=user, permission__codename=codename).values(
        "content_object_id"
    )


def _county_perm_ids(user: User, codename: str) -> QuerySet:
    return CountyUserObjectPermission.objects.filter(user=user, permission__codename=codename).values(
        "content_object_id"
    )


def offices_for(user: User, action: Action = Action.VIEW) -> QuerySet[Office]:
    """The offices the user may perform `action` on, as one lazy query (use it in `office__in=`)."""
    role = _role(user)
    if role not in ROLES_FOR_ACTION[action]:
        return Office.objects.none()
    if role == Role.CITY:
        return Office.objects.all()
    if role == Role.TOWN:
        return Office.objects.filter(pk__in=_office_perm_ids(user, f"{action}_office"))
    # County inspectors reach offices through the county they hold the permission on.
    county_codename = "view_county" if action == Action.VIEW else "assess_county"
    return Office.objects.filter(town__county_id__in=_county_perm_ids(user, county_codename))


def counties_for(user: User, action: Action = Action.VIEW) -> QuerySet[County]:
    """The counties whose summaries the user may see (VIEW) or whose towns it assesses (ASSESS)."""
    role = _role(user)
    if role == Role.CITY and action == Action.VIEW:
        return County.objects.all()
    if role == Role.COUNTY and action in (Action.VIEW, Action.ASSESS):
        return County.objects.filter(pk__in=_county_perm_ids(user, f"{action}_county"))
    return County.objects.none()


def office_of(obj: Model) -> Office | None:
    """The office a record belongs to, so records inherit their office's access."""
    if isinstance(obj, Office):
        return obj
    office_id = getattr(obj, "office_id", None)
    if office_id is not None:
        return Office(pk=office_id)
    return None


def can(user: User, action: Action, obj: Model) -> bool:
    """Whether the user may perform `action` on an office, a county or a record of an office."""
    if isinstance(obj, County):
        return counties_for(user, action).filter(pk=obj.pk).exists()
    office = office_of(obj)
    if office is None:
        return False
    return offices_for(user, action).filter(pk=office.pk).exists()


def _deny(request: HttpRequest | None, user: User, detail: str) -> None:
    from .security import record_security_event

    record_security_event(SecurityEventKind.DENIED, request=request, user=user, detail=detail)


def get_office_or_deny(
    user: User, action: Action, *, town_code: str, request: HttpRequest | None = None
) -> Office:
    """The office of a town for a view: 403 when the role never does this, 404 when outside scope."""
    if not role_may(user, Action.VIEW):
        _deny(request, user, f"role may not view offices ({town_code})")
        raise PermissionDenied
    office = (
        offices_for(user, Action.VIEW).select_related("town__county").filter(town__code=town_code).first()
    )
    if office is None:
        if Office.objects.filter(town__code=town_code).exists():
            _deny(request, user, f"office {town_code} outside scope")
        raise Http404
    if action != Action.VIEW and not can(user, action, office):
        _deny(request, user, f"{action} not allowed on office {town_code}")
        raise PermissionDenied
    return office


def get_county_or_deny(
    user: User, action: Action, *, code: str, request: HttpRequest | None = None
) -> County:
    """A county for a view: 403 for roles that see no county, 404 outside the user's scope."""
    if _role(user) not in (Role.CITY, Role.COUNTY):
        _deny(request, user, f"role may not view counties ({code})")
        raise PermissionDenied
    county = counties_for(user, Action.VIEW).filter(code=code).first()
    if county is None:
        if County.objects.filter(code=code).exists():
            _deny(request, user, f"county {code} outside scope")
        raise Http404
    if action != Action.VIEW and not can(user, action, county):
        _deny(request, user, f"{action} not allowed on county {code}")
        raise PermissionDenied
    return county


def get_record_or_deny(user: User, action: Action, queryset: QuerySet, *, pk: int, request=None) -> Model:
    """A record of an office for a view, with the same 403/404 answers as its office."""
    if not role_may(user, Action.VIEW):
        _deny(request, user, f"role may not view {queryset.model._meta.label} {pk}")
        raise PermissionDenied
    record = queryset.filter(pk=pk, office__in=offices_for(user, Action.VIEW)).first()
    if record is None:
        if queryset.model._default_manager.filter(pk=pk).exists():
            _deny(request, user, f"{queryset.model._meta.label} {pk} outside scope")
        raise Http404
    if action != Action.VIEW and not can(user, action, record):
        _deny(request, user, f"{action} not allowed on {queryset.model._meta.label} {pk}")
        raise PermissionDenied
    return record


@transaction.atomic
def sync_user_permissions(user: User) -> None:
    """Make the user's object permissions match their role and binding, at once.

    Called by every service that creates a user or changes a role or binding, so an unbound user
    keeps no stale access."""
    OfficeUserObjectPermission.objects.filter(user=user).delete()
    CountyUserObjectPermission.objects.filter(user=user).delete()
    if not user.is_active:
        return
    role = Role(user.role)
    if role in OFFICE_PERMS and user.office_id:
        for perm in OFFICE_PERMS[role]:
            assign_perm(perm, user, user.office)
    if role in COUNTY_PERMS and user.county_id:
        for perm in COUNTY_PERMS[role]:
            assign_perm(perm, user, user.county)


# -- training events ------------------------------------------------------------------------------
# The city records its own training, each county its county's; a town sees the events its staff
# could attend (the city's and its county's) but records none.


def training_events_for(user: User) -> QuerySet:
    """Training events the user may see."""
    from staffing.models import TrainingEvent

    role = _role(user)
    if role == Role.CITY:
        return TrainingEvent.objects.all()
    if role == Role.COUNTY:
        return TrainingEvent.objects.filter(
            Q(county__isnull=True) | Q(county_id__in=_county_perm_ids(user, "view_county"))
        )
    if role == Role.TOWN:
        county_ids = Office.objects.filter(pk__in=_office_perm_ids(user, "view_office")).values(
            "town__county_id"
        )
        return TrainingEvent.objects.filter(Q(county__isnull=True) | Q(county_id__in=county_ids))
    return TrainingEvent.objects.none()


def may_record_training(user: User, *, level: str, county: County | None = None) -> bool:
    """Whether the user records training events of this level (and county)."""
    from staffing.choices import TrainingLevel

    role = _role(user)
    if level == TrainingLevel.CITY:
        return role == Role.CITY
    if role != Role.COUNTY:
        return False
    if county is None:
        return counties_for(user, Action.ASSESS).exists()
    return counties_for(user, Action.ASSESS).filter(pk=county.pk).exists()


def attendance_offices_for(user: User, event) -> QuerySet[Office]:
    """Offices whose staff the user may mark as attending `event`: a county event's own towns for
    its inspector; any office for a city event, for the city."""
    from staffing.choices import TrainingLevel

    if not may_record_training(user, level=event.level, county=event.county):
        return Office.objects.none()
    if event.level == TrainingLevel.CITY:
        return Office.objects.all()
    return Office.objects.filter(town__county_id=event.county_id)
