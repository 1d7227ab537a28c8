from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Duty, DutyRecord, DutyRecordAttachment, DutySheetEntry


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    """The 14 duties are the policy's words: shown, never changed here."""

    list_display = ("number", "name", "text")
    search_fields = ("name", "text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DutySheetEntry)
class DutySheetEntryAdmin(SimpleHistoryAdmin):
    list_display = ("office", "duty", "not_applicable")
    list_filter = ("not_applicable", "duty", "office__town__county")
    search_fields = ("office__name", "standard", "requirements")
    list_select_related = ("office", "duty")
    autocomplete_fields = ("office",)


class AttachmentInline(admin.TabularInline):
    model = DutyRecordAttachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Uploads go through the portal, which checks the file's content.
        return False


@admin.register(DutyRecord)
class DutyRecordAdmin(SimpleHistoryAdmin):
    list_display = ("date", "title", "duty", "office")
    list_filter = ("duty", "office__town__county")
    search_fields = ("title", "content", "office__name")
    date_hierarchy = "date"
    list_select_related = ("office", "duty")
    autocomplete_fields = ("office",)
    inlines = [AttachmentInline]


@admin.register(DutyRecordAttachment)
class DutyRecordAttachmentAdmin(SimpleHistoryAdmin):
    list_display = ("original_name", "record", "content_type", "size", "created_at")
    search_fields = ("original_name", "record__title")
    list_select_related = ("record",)
    readonly_fields = ("record", "file", "original_name", "content_type", "size", "uploaded_by")

    def has_add_permission(self, request):
        return False
