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

from collections.abc import Callable
from enum import StrEnum
from functools import cached_property, wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from guardian.shortcuts import assign_perm

from core.registry import office_id_of, office_record_of, scope
from portal.choices import Role, SecurityEventKind
from portal.models import CountyUserObjectPermission, OfficeUserObjectPermission, User

# The office and county models come from the registry (the offices app registers them when it
# loads), because the offices app builds on this module and may not import it back.


def _offices() -> QuerySet:
    return scope.office._default_manager.all()


def _counties() -> QuerySet:
    return scope.county._default_manager.all()


class Action(StrEnum):
    """What a user does to an office or county (not to be confused with a step of the assessment
    workflow, assessment's WorkflowStep)."""

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


def offices_for(user: User, action: Action = Action.VIEW) -> QuerySet:
    """The offices the user may perform `action` on, as one lazy query (use it in `office__in=`)."""
    role = _role(user)
    if role not in ROLES_FOR_ACTION[action]:
        return _offices().none()
    if role == Role.CITY:
        return _offices()
    if role == Role.TOWN:
        return _offices().filter(pk__in=_office_perm_ids(user, f"{action}_office"))
    # County inspectors reach offices through the county they hold the permission on.
    county_codename = "view_county" if action == Action.VIEW else "assess_county"
    return _offices().filter(town__county_id__in=_county_perm_ids(user, county_codename))


def counties_for(user: User, action: Action = Action.VIEW) -> QuerySet:
    """The counties whose summaries the user may see (VIEW) or whose towns it assesses (ASSESS)."""
    role = _role(user)
    if role == Role.CITY and action == Action.VIEW:
        return _counties()
    if role == Role.COUNTY and action in (Action.VIEW, Action.ASSESS):
        return _counties().filter(pk__in=_county_perm_ids(user, f"{action}_county"))
    return _counties().none()


def can(user: User, action: Action, obj: Model) -> bool:
    """Whether the user may perform `action` on an office, a county or a record of an office (a
    record reaches its office by the path its app registered, see core.registry)."""
    if isinstance(obj, scope.county):
        return counties_for(user, action).filter(pk=obj.pk).exists()
    office_id = office_id_of(obj)
    if office_id is None:
        return False
    return offices_for(user, action).filter(pk=office_id).exists()


SCOPE_REFUSALS = {
    Action.VIEW: "无权查看该单位的资料。",
    Action.FILE: "无权填报该民政办的资料。",
    Action.ASSESS: "无权考核该民政办。",
}


def require(actor: User | None, action: Action, obj: Model) -> None:
    """The scope check of every service that writes an office's data: PermissionDenied unless the
    actor may perform `action` on `obj` (an office, a county or an office's record). `actor` None is
    a trusted command-line caller (seed_demo, a management command)."""
    if actor is not None and not can(actor, action, obj):
        raise PermissionDenied(SCOPE_REFUSALS[action])


ROLE_REFUSALS = {
    Role.CITY: "只有市民政局可以执行此操作。",
    Role.COUNTY: "只有县(市、区)考核人员可以执行此操作。",
    Role.TOWN: "只有镇(街道)民政办工作人员可以执行此操作。",
}


def require_role(actor: User | None, *roles: Role) -> None:
    """The role check of a service (a hidden button is not a rule): PermissionDenied unless the actor
    has one of `roles`. `actor` None is a trusted command-line caller."""
    if actor is not None and _role(actor) not in roles:
        raise PermissionDenied(
            ROLE_REFUSALS.get(roles[0], "无权执行此操作。") if len(roles) == 1 else "无权执行此操作。"
        )


def deny(request: HttpRequest | None, user: User | None, detail: str) -> None:
    """Write a denied access to the security log: every refusal of every page comes through here."""
    from portal.security import record_security_event

    record_security_event(SecurityEventKind.DENIED, request=request, user=user, detail=detail)


def refuse(request: HttpRequest, detail: str) -> PermissionDenied:
    """Log a 403 and return the exception to raise: ``raise refuse(request, "...")``."""
    deny(request, request.user, detail)
    return PermissionDenied()


def hide(request: HttpRequest, detail: str) -> Http404:
    """Log an access to something outside the user's scope and return the 404 to raise."""
    deny(request, request.user, detail)
    return Http404()


def _get_or_deny(
    user: User,
    action: Action,
    *,
    role_ok: bool,
    in_scope: QuerySet,
    anywhere: QuerySet,
    what: str,
    request: HttpRequest | None,
) -> Model:
    """The one sequence every page's lookup follows, each refusal logged: 403 when the role never
    does this, 404 when the object is outside the user's scope (or does not exist), 403 when it is in
    scope but `action` is not allowed on it."""
    if not role_ok:
        deny(request, user, f"role may not view {what}")
        raise PermissionDenied
    obj = in_scope.first()
    if obj is None:
        if anywhere.exists():
            deny(request, user, f"{what} outside scope")
        raise Http404
    if action != Action.VIEW and not can(user, action, obj):
        deny(request, user, f"{action} not allowed on {what}")
        raise PermissionDenied
    return obj


def get_office_or_deny(
    user: User, action: Action, *, town_code: str, request: HttpRequest | None = None
) -> Model:
    """The office of a town for a view: 403 when the role never does this, 404 when outside scope."""
    return _get_or_deny(
        user,
        action,
        role_ok=role_may(user, Action.VIEW),
        in_scope=offices_for(user, Action.VIEW).select_related("town__county").filter(town__code=town_code),
        anywhere=_offices().filter(town__code=town_code),
        what=f"office {town_code}",
        request=request,
    )


def get_county_or_deny(user: User, action: Action, *, code: str, request: HttpRequest | None = None) -> Model:
    """A county for a view: 403 for roles that see no county, 404 outside the user's scope."""
    return _get_or_deny(
        user,
        action,
        role_ok=_role(user) in (Role.CITY, Role.COUNTY),
        in_scope=counties_for(user, Action.VIEW).filter(code=code),
        anywhere=_counties().filter(code=code),
        what=f"county {code}",
        request=request,
    )


def get_record_or_deny(user: User, action: Action, queryset: QuerySet, *, pk: int, request=None) -> Model:
    """A record of an office for a view, with the same 403/404 answers as its office. The record
    reaches its office by the path its app registered (core.registry), `office` by default."""
    entry = office_record_of(queryset.model)
    path = entry.office if entry is not None else "office"
    return _get_or_deny(
        user,
        action,
        role_ok=role_may(user, Action.VIEW),
        in_scope=queryset.filter(pk=pk, **{f"{path}__in": offices_for(user, Action.VIEW)}),
        anywhere=queryset.model._default_manager.filter(pk=pk),
        what=f"{queryset.model._meta.label} {pk}",
        request=request,
    )


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


# -- records held by the city or a county ----------------------------------------------------------
# Training events are held by the city (no county) or by one county. The city records its own, each
# county its county's; a town sees the events its staff could attend (the city's and its county's).


def county_held_for(user: User, queryset: QuerySet, *, county_field: str = "county") -> QuerySet:
    """The rows of `queryset` (held by the city or by a county) the user may see."""
    role = _role(user)
    if role == Role.CITY:
        return queryset
    if role == Role.COUNTY:
        county_ids = _county_perm_ids(user, "view_county")
    elif role == Role.TOWN:
        county_ids = _offices().filter(pk__in=_office_perm_ids(user, "view_office")).values("town__county_id")
    else:
        return queryset.none()
    return queryset.filter(
        Q(**{f"{county_field}__isnull": True}) | Q(**{f"{county_field}_id__in": county_ids})
    )


def may_record_for(user: User, county: Model | None) -> bool:
    """Whether the user records what is held by `county`, or by the city when `county` is None."""
    role = _role(user)
    if county is None:
        return role == Role.CITY
    return role == Role.COUNTY and counties_for(user, Action.ASSESS).filter(pk=county.pk).exists()


def may_record_for_some_county(user: User) -> bool:
    """Whether the user records for a county at all (a county inspector bound to one)."""
    return _role(user) == Role.COUNTY and counties_for(user, Action.ASSESS).exists()


def offices_recorded_for(user: User, county: Model | None) -> QuerySet:
    """Offices whose staff the user may mark for what `county` (None: the city) holds: that county's
    towns for its inspector; any office for the city."""
    if not may_record_for(user, county):
        return _offices().none()
    if county is None:
        return _offices()
    return _offices().filter(town__county_id=county.pk)


# -- roles at the door of a page ----------------------------------------------------------------------


def role_required(*roles: Role, what: str = "") -> Callable:
    """A view decorator: sign-in required, then 403 (logged) unless the user has one of `roles`.

    The one way a page says "city only" or "county and city"; object scope is checked after it by
    get_office_or_deny and its siblings."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if _role(request.user) not in roles:
                raise refuse(request, f"role may not open {what or view.__name__}")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


class Can:
    """What a template may ask about the signed-in user (``{% if can.supervise %}``), so no
    template compares roles. Each answer is the same predicate the views and services use."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def file(self) -> bool:
        """Files its own office's records (town staff)."""
        return is_town(self.user)

    @cached_property
    def assess(self) -> bool:
        """Scores and approves the towns of its county (county inspectors)."""
        return is_county(self.user)

    @cached_property
    def supervise(self) -> bool:
        """The city bureau's own work: every county, catalogs, spot-checks, confirmation, subsidies."""
        return is_city(self.user)

    @cached_property
    def view_counties(self) -> bool:
        """Sees county pages: a county inspector its own, the city every county."""
        return _role(self.user) in (Role.COUNTY, Role.CITY)

    @cached_property
    def manage_users(self) -> bool:
        return may_manage_users(self.user)
