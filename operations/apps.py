from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running an installation: backup and restore, audit retention, housekeeping and the demo city."""

    name = "operations"
    verbose_name = "运维"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (audit retention, backup signing)
