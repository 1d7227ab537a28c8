"""Admin for accounts and the security log. Object permissions are not edited here: they follow a
user's role and binding (permissions.sync_user_permissions), so nobody can grant them by hand."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from portal.models import SecurityEvent, User
from portal.permissions import sync_user_permissions


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "office", "county", "is_active", "last_login")
    list_filter = ("role", "is_active", "county", "is_staff")
    search_fields = ("username", "full_name", "office__name", "county__name")
    list_select_related = ("office", "county")
    autocomplete_fields = ("office", "county")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
        ("角色与所属单位", {"fields": ("role", "office", "county")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2", "full_name", "role", "office", "county"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may hand out superuser status or model-wide permissions.
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly += ["is_superuser", "is_staff", "groups", "user_permissions"]
        return readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_user_permissions(obj)


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "username", "ip_address", "path")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address", "path")
    date_hierarchy = "at"

    # The security log is evidence: nobody adds, edits or deletes it through the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
