from django.apps import AppConfig


class StaffingConfig(AppConfig):
    """Staff of the offices, training events and attendance, director probation."""

    name = "staffing"
    verbose_name = "队伍与培训"
