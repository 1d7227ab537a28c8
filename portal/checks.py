"""System checks of the portal's login protection, run by `manage.py check` (and by `migrate`, the
development server and every management command, so the deploy steps of docs/deploy.md show them).

portal.W001: the settings say the portal is deployed behind a reverse proxy, but do not trust it.

How the portal knows it is behind a proxy, without being told: gunicorn (deploy/gunicorn.conf.py)
never speaks TLS itself, so
- with debug off and the redirect to HTTPS on (`SECURE_SSL_REDIRECT`, the production default), the
  HTTPS the portal insists on can only come from a proxy in front of it (nginx, which also says so
  in X-Forwarded-Proto); and
- `EVIDENCE_X_ACCEL_PREFIX` hands downloads to nginx by X-Accel-Redirect, which only nginx answers.
When either holds and `DJANGO_BEHIND_PROXY` is off, every request comes from the proxy's address
(127.0.0.1): the logs name no client, and five wrong passwords for a username lock it for everyone.
`make serve` and the load test speak plain HTTP on the loopback interface (the redirect is off), so
they are not warned. A proxy the settings do not show is caught at run time instead: the first
request from the loopback address carrying X-Real-IP logs a warning (portal.security).
"""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning


def proxy_signs() -> list[str]:
    """What in the settings says that a reverse proxy stands in front of the portal."""
    signs = []
    if not settings.DEBUG and settings.SECURE_SSL_REDIRECT:
        signs.append("debug is off and SECURE_SSL_REDIRECT is on (TLS ends in front of gunicorn)")
    if getattr(settings, "EVIDENCE_X_ACCEL_PREFIX", ""):
        signs.append("EVIDENCE_X_ACCEL_PREFIX is set (X-Accel-Redirect needs nginx)")
    return signs


@register(Tags.security)
def proxy_is_trusted(app_configs, **kwargs) -> list[CheckWarning]:
    if getattr(settings, "BEHIND_PROXY", False):
        return []
    signs = proxy_signs()
    if not signs:
        return []
    return [
        CheckWarning(
            "The portal runs behind a reverse proxy (" + "; ".join(signs) + ") but DJANGO_BEHIND_PROXY "
            "is off: every client has the proxy's address (127.0.0.1) in the logs and the login lockout, "
            "so a few wrong passwords for a username lock it out for everyone.",
            hint="Set DJANGO_BEHIND_PROXY=true, with nginx setting X-Real-IP as "
            "deploy/nginx/jiaxing-minzheng.conf does.",
            id="portal.W001",
        )
    ]
