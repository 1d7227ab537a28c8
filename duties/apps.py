from django.apps import AppConfig


class DutiesConfig(AppConfig):
    """The 14 statutory duties, each office's duty sheet and its work records (工作台账)."""

    name = "duties"
    verbose_name = "职责与工作台账"
