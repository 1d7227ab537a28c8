"""Writes logins, failed logins, lockouts and logouts to the security log (SecurityEvent).

A `login_failed` row is a password that was checked and wrong; an attempt refused before the check
(the address is locked, the account is delayed) is a `locked_out` row."""

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


def _refused_unchecked(request) -> bool:
    """Whether this attempt was refused before its password was checked: by the account throttle
    (portal/throttle.py, which logs its own refusal) or by axes' lock of the address (logged as a
    lockout through user_locked_out). Such an attempt is not a failed password: the throttle counts
    `login_failed` rows, and a refusal must never lengthen the delay."""
    if request is None or getattr(request, "login_password_checked", False):
        return False
    return bool(getattr(request, "login_throttle", None) or getattr(request, "axes_locked_out", False))


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if _refused_unchecked(request):
        return
    record_security_event(
        SecurityEventKind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150]
    )


@receiver(user_locked_out)
def _on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    if getattr(request, "login_throttle", None) is not None:
        return  # the account throttle has logged this refusal, with how long it lasts
    record_security_event(SecurityEventKind.LOCKED_OUT, request=request, username=username or "")
