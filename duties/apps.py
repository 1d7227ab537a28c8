from django.apps import AppConfig


class DutiesConfig(AppConfig):
    """The 14 statutory duties, each office's duty sheet and its work records (工作台账)."""

    name = "duties"
    verbose_name = "职责与工作台账"

    def ready(self) -> None:
        from core.locks import ALWAYS
        from core.registry import register_office_record

        from .models import DutyRecord, DutyRecordAttachment, DutySheetEntry

        register_office_record(DutySheetEntry, counts_in=ALWAYS)
        register_office_record(DutyRecord, counts_in="date")
        # An attachment may outlive its record's row in the history: find its office through it.
        register_office_record(
            DutyRecordAttachment,
            office="record__office_id",
            evidence=("file",),
            history_parent=("record_id", "duties.dutyrecord"),
            counts_in="record__date",
        )
