from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The platform the apps build on: accounts, roles, the security log, the one permission door, and
    the generic pages of any office's record (forms, evidence downloads, history, imports)."""

    name = "portal"
    label = "portal"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from . import checks, signals  # noqa: F401  (the proxy check; the security-event log)

        # Django saves the whole user on every login, which would write an audit row each time;
        # signals.py stamps last_login with a plain UPDATE instead, so history holds real edits only.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
