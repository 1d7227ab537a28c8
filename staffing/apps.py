from django.apps import AppConfig


class StaffingConfig(AppConfig):
    """Staff of the offices, training events and attendance, director probation."""

    name = "staffing"
    verbose_name = "队伍与培训"

    def ready(self) -> None:
        from core.registry import register_office_record

        from .models import DirectorProbation, StaffMember, TrainingAttendance

        register_office_record(StaffMember)
        register_office_record(
            DirectorProbation, office="staff__office_id", history_parent=("staff_id", "staffing.staffmember")
        )
        register_office_record(
            TrainingAttendance, office="staff__office_id", history_parent=("staff_id", "staffing.staffmember")
        )
