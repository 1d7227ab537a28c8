"""Accounts, the security-event log and guardian's per-office and per-county permission tables."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.text import length_limits
from portal.choices import Role, SecurityEventKind


class UserManager(DjangoUserManager):
    """`manage.py createsuperuser` makes the first administrator of a new installation: a superuser
    is an administrator, bound to no office or county (the role constraint below insists)."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Town staff are bound to one office, county inspectors to one county."""

    objects = UserManager()

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.TOWN)
    office = models.ForeignKey(
        "offices.Office",
        verbose_name="所属民政办",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    county = models.ForeignKey(
        "offices.County",
        verbose_name="所属县(市、区)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_role_matches_binding",
                condition=(
                    Q(role=Role.TOWN, office__isnull=False, county__isnull=True)
                    | Q(role=Role.COUNTY, county__isnull=False, office__isnull=True)
                    | Q(role__in=[Role.CITY, Role.ADMIN], office__isnull=True, county__isnull=True)
                ),
                violation_error_message="角色与所属单位不一致:镇(街道)用户须绑定民政办,县级用户须绑定县(市、区)。",
            ),
            # AbstractUser's fields are limited too, at Django's own lengths: SQLite then keeps what
            # PostgreSQL's varchar keeps, and Django's forms, hashers and commands already write
            # within them, so no write of its own is refused.
            *length_limits(
                "portal_user",
                password=128,
                username=150,
                first_name=150,
                last_name=150,
                email=254,
                full_name=50,
                phone=30,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}({self.username})"

    def clean(self) -> None:
        super().clean()
        if self.role == Role.TOWN and not self.office_id:
            raise ValidationError({"office": "镇(街道)民政办工作人员必须绑定一个民政办。"})
        if self.role == Role.COUNTY and not self.county_id:
            raise ValidationError({"county": "县(市、区)考核人员必须绑定一个县(市、区)。"})
        if self.role != Role.TOWN and self.office_id:
            raise ValidationError({"office": "只有镇(街道)用户才能绑定民政办。"})
        if self.role != Role.COUNTY and self.county_id:
            raise ValidationError({"county": "只有县级用户才能绑定县(市、区)。"})

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class SecurityEvent(models.Model):
    """A login, failed login, lockout, logout or denied access: kept for the security log, never edited."""

    kind = models.CharField("事件", max_length=20, choices=SecurityEventKind.choices)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    path = models.CharField("访问路径", max_length=500, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "安全日志"
        verbose_name_plural = "安全日志"
        ordering = ["-at"]
        # Written only by portal.security.record_security_event, which cuts each text to fit.
        constraints = length_limits("portal_securityevent", username=150, path=500, detail=500)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


class OfficeUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key table for per-office permissions of users."""

    content_object = models.ForeignKey("offices.Office", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "民政办用户权限"
        verbose_name_plural = "民政办用户权限"


class OfficeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("offices.Office", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "民政办用户组权限"
        verbose_name_plural = "民政办用户组权限"


class CountyUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key table for per-county permissions of users."""

    content_object = models.ForeignKey("offices.County", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "县(市、区)用户权限"
        verbose_name_plural = "县(市、区)用户权限"


class CountyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("offices.County", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "县(市、区)用户组权限"
        verbose_name_plural = "县(市、区)用户组权限"
