"""The account-wide login throttle: a growing, bounded delay for one username, whatever the address.

django-axes locks a username *from one address* after AXES_FAILURE_LIMIT failures. That alone lets
an attacker spread guesses over many addresses (40 wrong passwords from 10 addresses never trip it).
This throttle counts the failures of a username across all addresses:

- after LOGIN_THROTTLE_FAILURES failed passwords since the account's last successful login (looking
  back at most LOGIN_THROTTLE_WINDOW_HOURS), every attempt is refused, before any password is
  checked, until LOGIN_THROTTLE_BASE_SECONDS have passed since the last failure;
- each further failure (a password checked after the delay ran out) doubles the delay, up to
  LOGIN_THROTTLE_MAX_SECONDS: the wait is bounded and always runs out;
- a refused attempt is not a failure: it neither lengthens the delay nor counts against the address,
  so hammering the login page cannot keep an account shut;
- a successful login resets it;
- an address the account signed in from successfully within LOGIN_THROTTLE_KNOWN_ADDRESS_DAYS is
  not held up by the delay (the per-address lock of axes still applies to it): an attacker elsewhere
  cannot keep the user out of the office they always work from.

The state is the security log itself (portal.models.SecurityEvent): every failed password is a
`login_failed` row with its username and time, every success a `login` row. So the throttle is
shared by every gunicorn process and every app server, survives restarts and needs no table, no
cache and no migration of its own; the 安全日志 page shows exactly what it counts. Two requests
checked at the very same moment can both pass before either is logged: the delay is a brake on
guessing, not a counter exact to the request.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from portal.choices import SecurityEventKind
from portal.models import SecurityEvent
from portal.security import client_ip, record_security_event


@dataclass(frozen=True)
class ThrottleRules:
    failures: int  # failures since the last success before the first delay
    window: dt.timedelta  # how far back failures are counted
    base_seconds: int  # the first delay
    max_seconds: int  # the longest delay
    known_address_days: int  # 0: no address is exempt

    @classmethod
    def from_settings(cls) -> "ThrottleRules":
        return cls(
            failures=max(1, getattr(settings, "LOGIN_THROTTLE_FAILURES", 10)),
            window=dt.timedelta(hours=getattr(settings, "LOGIN_THROTTLE_WINDOW_HOURS", 24)),
            base_seconds=max(1, getattr(settings, "LOGIN_THROTTLE_BASE_SECONDS", 60)),
            max_seconds=max(1, getattr(settings, "LOGIN_THROTTLE_MAX_SECONDS", 15 * 60)),
            known_address_days=getattr(settings, "LOGIN_THROTTLE_KNOWN_ADDRESS_DAYS", 30),
        )

    def delay_after(self, failures: int) -> int:
        """Seconds an account waits after its `failures`-th failure in a row (0: none)."""
        if failures < self.failures:
            return 0
        return min(self.max_seconds, self.base_seconds * 2 ** min(failures - self.failures, 40))


@dataclass(frozen=True)
class AccountDelay:
    username: str
    failures: int  # failed passwords since the last success, within the window
    wait_seconds: int  # 0: not delayed
    max_seconds: int  # the longest delay there can be

    @property
    def wait_text(self) -> str:
        """How long to wait, in words: "45 秒", "2 分钟", "15 分钟"."""
        return _duration(self.wait_seconds)

    @property
    def max_wait_text(self) -> str:
        return _duration(self.max_seconds)


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{max(1, seconds)} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"


def enabled() -> bool:
    return getattr(settings, "LOGIN_THROTTLE_ENABLED", True)


def account_delay(username: str, *, now: dt.datetime | None = None) -> AccountDelay:
    """How long `username` must wait before its password is checked again (one query)."""
    rules = ThrottleRules.from_settings()
    now = now or timezone.now()
    # Enough rows to reach the longest delay; more failures change nothing.
    enough = rules.failures + math.ceil(math.log2(max(2, rules.max_seconds / rules.base_seconds))) + 2
    events = (
        SecurityEvent.objects.filter(
            username=username,
            at__gte=now - rules.window,
            kind__in=[SecurityEventKind.LOGIN, SecurityEventKind.LOGIN_FAILED],
        )
        .order_by("-at", "-pk")
        .values_list("kind", "at")[:enough]
    )
    failures: list[dt.datetime] = []
    for kind, at in events:
        if kind == SecurityEventKind.LOGIN:
            break
        failures.append(at)
    delay = rules.delay_after(len(failures))
    if not delay:
        return AccountDelay(username, len(failures), 0, rules.max_seconds)
    remaining = (failures[0] + dt.timedelta(seconds=delay) - now).total_seconds()
    return AccountDelay(username, len(failures), max(0, math.ceil(remaining)), rules.max_seconds)


def is_known_address(username: str, ip: str | None, *, now: dt.datetime | None = None) -> bool:
    """Whether the account signed in successfully from this address recently."""
    days = ThrottleRules.from_settings().known_address_days
    if not ip or days <= 0:
        return False
    since = (now or timezone.now()) - dt.timedelta(days=days)
    return SecurityEvent.objects.filter(
        kind=SecurityEventKind.LOGIN, username=username, ip_address=ip, at__gte=since
    ).exists()


class AccountThrottleBackend:
    """Refuses a login attempt while its account is delayed; lets every other attempt go on to the
    password check. Placed after axes' backend and before ModelBackend in AUTHENTICATION_BACKENDS.

    A refusal raises PermissionDenied, which Django's authenticate() turns into a failed login
    without asking the next backends. The request is marked for the login page and the lockout page
    (`request.login_throttle`), and for axes (`axes_locked_out`): axes then answers with its lockout
    page (HTTP 429) and does not count the attempt against the address."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password=None, **kwargs):
        if request is None or not username or not enabled():
            return None
        username = str(username)[:150]
        delay = account_delay(username)
        if delay.wait_seconds and not is_known_address(username, client_ip(request)):
            request.login_throttle = delay
            request.axes_locked_out = True
            record_security_event(
                SecurityEventKind.LOCKED_OUT,
                request=request,
                username=username,
                detail=(
                    f"账号限速:所有地址合计连续登录失败 {delay.failures} 次,"
                    f"还需等待 {delay.wait_seconds} 秒,未校验密码"
                ),
            )
            raise PermissionDenied("login throttled for this account")
        # From here the password is checked: a failure now is a real one (see portal/signals.py).
        request.login_password_checked = True
        return None

    # No get_user(): this backend never signs anyone in, and Django's test client (force_login)
    # takes the first backend that has one as the session's.
