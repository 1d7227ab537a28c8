"""Writes on accounts: every one names the acting user, checks that actor's right, and keeps the
account's object permissions in step with its binding in the same transaction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model

from portal.choices import Role
from portal.models import User
from portal.permissions import manageable_roles, sync_user_permissions


def _check_may_manage(actor: User | None, role: str) -> None:
    # actor None means a trusted command-line caller (seed_demo, createsuperuser-like scripts).
    if actor is not None and Role(role) not in manageable_roles(actor):
        raise PermissionDenied("无权管理该角色的账号。")


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    password_hash: str | None = None,
    full_name: str = "",
    phone: str = "",
    office: Model | None = None,
    county: Model | None = None,
    is_active: bool = True,
) -> User:
    """Create an account bound to its office or county, with exactly the permissions that gives.

    `password_hash` takes an already hashed password, for provisioning many accounts at once."""
    _check_may_manage(actor, role)
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        role=role,
        office=office if role == Role.TOWN else None,
        county=county if role == Role.COUNTY else None,
        is_active=is_active,
        is_staff=role == Role.ADMIN,
    )
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user._history_user = actor
    user.full_clean()
    user.save()
    sync_user_permissions(user)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    role: str,
    full_name: str,
    phone: str = "",
    office: Model | None = None,
    county: Model | None = None,
    is_active: bool = True,
    password: str | None = None,
) -> User:
    """Change an account's details or binding; its permissions follow at once."""
    _check_may_manage(actor, user.role)
    _check_may_manage(actor, role)
    if actor is not None and actor.pk == user.pk and (role != user.role or not is_active):
        raise PermissionDenied("不能修改自己的角色或停用自己的账号。")
    user.role = role
    user.full_name = full_name
    user.phone = phone
    user.office = office if role == Role.TOWN else None
    user.county = county if role == Role.COUNTY else None
    user.is_active = is_active
    user.is_staff = role == Role.ADMIN or user.is_superuser
    if password:
        user.set_password(password)
    user._history_user = actor
    user.full_clean()
    user.save()
    sync_user_permissions(user)
    return user
