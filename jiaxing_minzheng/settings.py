"""Settings of the portal, read from the environment (see .env.example).

With nothing set, the portal runs on SQLite in the project folder with debug on, which is what
`make run` serves. Production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
DATABASE_URL.
"""

import os
import shutil
import tempfile
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The fallback key only ever serves a development machine: production must set its own.
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "guardian",
    "simple_history",
    "axes",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "core",
    "portal",
    "offices",
    "duties",
    "staffing",
    "assessment",
    "overview",
    "operations",
]

MIDDLEWARE = [
    # First, so that its line covers the whole request, whatever the middleware below answers.
    "portal.middleware.RequestLogMiddleware",
    "portal.input_middleware.HostileInputMiddleware",  # control characters, body size: before any read
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.UploadRedirectMiddleware",  # below messages: sees the view's redirect first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.WriteRefusalMiddleware",
    # Last, so that it sees the outcome of the authentication backends.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiaxing_minzheng.urls"
WSGI_APPLICATION = "jiaxing_minzheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
                "portal.context_processors.permissions",
            ],
        },
    },
]

# Widgets render through the project's templates, so the portal can override Django's widget templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep the development server and a worker from tripping over each other.
    # A transaction begins as a writer (BEGIN IMMEDIATE): one that read first and then wrote would
    # fail at once with "database is locked" when another writer is busy, whatever the timeout; as
    # a writer from the start it waits its turn instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The tests run on such a WAL file too, not on Django's in-memory database: that one is handed to
    # the live server as a single shared connection and its table locks fail at once instead of
    # waiting, so simultaneous requests could not be tested as production serves them. One file per
    # test process (its pid keeps parallel runs apart), in memory-backed /dev/shm unless it is missing
    # or small (a container's 64 MB); Django deletes it after the run, tests/conftest.py the files of
    # runs that died. A name others could guess does no harm: test data only, and Django deletes
    # whatever is at that path before it creates the database.
    _shm = "/dev/shm"  # noqa: S108
    _roomy = os.access(_shm, os.W_OK) and shutil.disk_usage(_shm).free > 256 * 2**20
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(_shm if _roomy else tempfile.gettempdir()) / f"jiaxing-test-{os.getpid()}.sqlite3")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then the account-wide delay (portal/throttle.py), also before the password is checked.
    "portal.throttle.AccountThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions end after 30 minutes: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# No script of the portal reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "portal.input_middleware.csrf_failure"  # the 403 page, in Chinese

# HTTPS. In production nginx terminates TLS and tells the portal so with X-Forwarded-Proto (it
# overwrites whatever the client sent; see deploy/nginx/jiaxing-minzheng.conf).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer may probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Harmless on an intranet name (browsers only preload names submitted to their list), and what
# `check --deploy` asks for.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy, on in every environment, tests included, so a page that needs an inline
# script or style fails in development instead of in production. Everything the portal loads is its
# own (Bootstrap is vendored); Bootstrap's form controls draw their arrows with data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# django-guardian: no anonymous user object; permissions live in the direct foreign-key tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: lock a username from one address after repeated failures, never a whole office
# behind one NAT address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An attempt refused while locked does not count as a failure, so the lock ends AXES_COOLOFF_HOURS
# after the last wrong password, however often the page is tried meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Lockout and the logs agree on who the client is (see portal.security.client_ip).
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
# On when the portal only ever receives requests through nginx, which sets X-Real-IP (the system
# check portal.W001 warns when the other settings show a proxy and this is off).
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
# The account-wide login throttle (portal/throttle.py), on top of the per-address lock: after
# LOGIN_THROTTLE_FAILURES wrong passwords for one username from any addresses since its last login
# (within the window), attempts wait LOGIN_THROTTLE_BASE_SECONDS, doubling with each further
# failure up to LOGIN_THROTTLE_MAX_SECONDS. Addresses the account signed in from within
# LOGIN_THROTTLE_KNOWN_ADDRESS_DAYS are not delayed (0: none is exempt).
LOGIN_THROTTLE_ENABLED = env.bool("LOGIN_THROTTLE_ENABLED", default=True)
LOGIN_THROTTLE_FAILURES = env.int("LOGIN_THROTTLE_FAILURES", default=10)
LOGIN_THROTTLE_WINDOW_HOURS = env.int("LOGIN_THROTTLE_WINDOW_HOURS", default=24)
LOGIN_THROTTLE_BASE_SECONDS = env.int("LOGIN_THROTTLE_BASE_SECONDS", default=60)
LOGIN_THROTTLE_MAX_SECONDS = env.int("LOGIN_THROTTLE_MAX_SECONDS", default=15 * 60)
LOGIN_THROTTLE_KNOWN_ADDRESS_DAYS = env.int("LOGIN_THROTTLE_KNOWN_ADDRESS_DAYS", default=30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here; production serves it through whitenoise (or nginx, see docs/deploy.md).
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"
# Evidence files (photos, scans) are personal and official data: they live outside the static and
# public media folders and are only ever served through a view that checks permissions.
EVIDENCE_ROOT = Path(env.str("EVIDENCE_ROOT", default=str(BASE_DIR / "var" / "evidence")))
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
# A request body declared larger than this is refused before it is read (portal/input_middleware.py),
# with the Chinese 400; nginx's client_max_body_size (deploy/nginx) is the same 70 MB and answers its
# own Chinese 413 page (static/errors/413.html) before the portal sees the body.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=70 * 1024 * 1024)
# Behind nginx, the download view checks permissions and then hands the sending of the file to nginx
# with X-Accel-Redirect to this internal location (see deploy/nginx/jiaxing-minzheng.conf). Empty:
# the portal sends the file itself.
EVIDENCE_X_ACCEL_PREFIX = env.str("EVIDENCE_X_ACCEL_PREFIX", default="")

# Backups: the file holding the HMAC key(s) that sign the archives, kept apart from them; `restore`
# refuses an unsigned or mis-signed archive unless given --allow-unsigned. Empty: `backup` writes
# unsigned archives, with a warning. See docs/backup.md.
BACKUP_SIGNING_KEY_FILE = env.str("BACKUP_SIGNING_KEY_FILE", default="")

# Audit history (every record's versions) and the security log are kept at least this long;
# `manage.py prune_history` deletes older rows and never accepts less than AUDIT_MIN_RETENTION_DAYS.
AUDIT_MIN_RETENTION_DAYS = 180
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=3 * 365)
# `manage.py housekeeping` (weekly timer): finished report-zip jobs are kept this many days, uploads
# never confirmed this many hours (expired sessions go at once; the login logs with the audit trail).
HOUSEKEEPING_EXPORT_JOB_DAYS = env.int("HOUSEKEEPING_EXPORT_JOB_DAYS", default=30)
HOUSEKEEPING_PENDING_IMPORT_HOURS = env.int("HOUSEKEEPING_PENDING_IMPORT_HOURS", default=24)

IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Background jobs (django-tasks) kept in the database; `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "portal.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # One line per request (portal.middleware); LOG_REQUESTS=false silences it.
        "portal.request": {
            "handlers": ["console"],
            "level": "INFO" if env.bool("LOG_REQUESTS", default=True) else "WARNING",
            "propagate": False,
        },
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # PDF rendering reports every step at INFO; only problems belong in the portal's log.
        "weasyprint": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
