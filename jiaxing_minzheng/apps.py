from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The portal's own pieces: accounts, the permissions module, shared base models and views."""

    name = "jiaxing_minzheng"
    label = "portal"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the security-event log)
