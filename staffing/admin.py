from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DirectorProbation, StaffMember, TrainingAttendance, TrainingEvent


@admin.register(StaffMember)
class StaffMemberAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "office",
        "post",
        "employment_type",
        "is_full_time",
        "education",
        "started_on",
        "ended_on",
    )
    list_filter = ("employment_type", "post", "is_full_time", "education", "office__town__county")
    search_fields = ("name", "office__name", "office__town__name")
    list_select_related = ("office",)
    autocomplete_fields = ("office",)


class AttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    extra = 0
    autocomplete_fields = ("staff",)


@admin.register(TrainingEvent)
class TrainingEventAdmin(SimpleHistoryAdmin):
    list_display = ("title", "level", "county", "kind", "starts_on", "ends_on")
    list_filter = ("level", "kind", "county")
    search_fields = ("title", "location")
    date_hierarchy = "starts_on"
    inlines = [AttendanceInline]


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(SimpleHistoryAdmin):
    list_display = ("staff", "event", "passed")
    list_filter = ("passed", "event__level")
    search_fields = ("staff__name", "event__title")
    list_select_related = ("staff", "event")
    autocomplete_fields = ("staff", "event")


@admin.register(DirectorProbation)
class DirectorProbationAdmin(SimpleHistoryAdmin):
    list_display = ("staff", "starts_on", "ends_on", "place")
    search_fields = ("staff__name", "place")
    list_select_related = ("staff",)
    autocomplete_fields = ("staff",)
