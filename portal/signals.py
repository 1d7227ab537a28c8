"""Writes logins, failed logins, lockouts and logouts to the security log (SecurityEvent)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from portal.choices import SecurityEventKind
from portal.security import record_security_event


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs) -> None:
    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)
    record_security_event(SecurityEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_security_event(SecurityEventKind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    record_security_event(
        SecurityEventKind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150]
    )


@receiver(user_locked_out)
def _on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record_security_event(SecurityEventKind.LOCKED_OUT, request=request, username=username or "")
