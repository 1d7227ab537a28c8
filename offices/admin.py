from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Budget, County, InternalCheck, Office, OfficeYearFacts, Plan, PostedRule, Premises, Town


class ReferenceAdmin(SimpleHistoryAdmin):
    """Divisions come from the Ministry's table through a migration: readable, not hand-edited."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(County)
class CountyAdmin(ReferenceAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Town)
class TownAdmin(ReferenceAdmin):
    list_display = ("code", "stat_code", "name", "kind", "county")
    list_filter = ("county", "kind")
    search_fields = ("code", "stat_code", "name")
    list_select_related = ("county",)


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "town", "phone", "contact_name", "sign_hung_on", "seal_in_use_on")
    list_filter = ("town__county",)
    search_fields = ("name", "town__name", "town__code")
    list_select_related = ("town__county",)
    readonly_fields = ("town",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfficeRecordAdmin(SimpleHistoryAdmin):
    list_filter = ("office__town__county",)
    search_fields = ("office__name", "office__town__name")
    list_select_related = ("office__town__county",)
    autocomplete_fields = ("office",)


@admin.register(OfficeYearFacts)
class OfficeYearFactsAdmin(OfficeRecordAdmin):
    list_display = ("office", "year", "service_population", "dibao_count", "tekun_count", "youfu_count")
    list_filter = ("year", "office__town__county")


@admin.register(Premises)
class PremisesAdmin(OfficeRecordAdmin):
    list_display = ("office", "year", "area_m2", "is_fixed", "emblem_displayed")
    list_filter = ("year", "is_fixed", "emblem_displayed", "office__town__county")


@admin.register(PostedRule)
class PostedRuleAdmin(OfficeRecordAdmin):
    list_display = ("office", "year", "kind", "posted_on")
    list_filter = ("year", "kind", "office__town__county")


@admin.register(Plan)
class PlanAdmin(OfficeRecordAdmin):
    list_display = ("office", "year", "kind", "title", "adopted_on")
    list_filter = ("year", "kind", "office__town__county")
    search_fields = ("title", *OfficeRecordAdmin.search_fields)


@admin.register(Budget)
class BudgetAdmin(OfficeRecordAdmin):
    list_display = ("office", "year", "guaranteed_funds", "spending")
    list_filter = ("year", "office__town__county")


@admin.register(InternalCheck)
class InternalCheckAdmin(OfficeRecordAdmin):
    list_display = ("office", "checked_on", "checked_by", "scope")
    date_hierarchy = "checked_on"
