from django.db import models


class Role(models.TextChoices):
    """What a user does in the portal; the scope (office or county) is bound on the user."""

    TOWN = "town", "镇(街道)民政办工作人员"
    COUNTY = "county", "县(市、区)民政局考核人员"
    CITY = "city", "市民政局"
    ADMIN = "admin", "系统管理员"


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账号锁定"
    LOGOUT = "logout", "退出登录"
    DENIED = "denied", "拒绝访问"
    PASSWORD_CHANGED = "password_changed", "修改密码"
