"""Settings, read from the environment only.

Variables (all optional):
    DATABASE_URL      default: SQLite (WAL) at ``$LINSEK_VAR/linsek.sqlite3``
    SECRET_KEY        default: generated once into ``$LINSEK_VAR/secret_key``
    DEBUG             "1" to enable (the demo does); off otherwise
    ALLOWED_HOSTS     comma-separated; default "127.0.0.1,localhost"
    LINSEK_VAR        where the database, secret key, uploads and static files live; default ./var
    LINSEK_TIME_ZONE  display zone of the deployment's region; default Asia/Jakarta (WIB)
    LINSEK_MAP_TILES  optional tile URL template; the map draws without tiles when empty
    CSRF_TRUSTED_ORIGINS  comma-separated origins, for a deployment behind a proxy
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LINSEK_VAR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in var/ (never in git)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "linsek.core",
    "linsek.audit",
    "linsek.regions",
    "linsek.agencies",
    "linsek.accounts",
    "linsek.risk",
    "linsek.deploy",
    "linsek.cases",
    "linsek.api",
    "linsek.web",
    "linsek.demo",
]

MIDDLEWARE = [
    "linsek.core.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Indonesian unless the user chose English with the switch (not the browser's Accept-Language).
    "linsek.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "linsek.accounts.middleware.TwoFactorRequiredMiddleware",
    # The route x role matrix (accounts/rules/routes.json): refuses before the view runs; also gates /api/v1.
    "linsek.accounts.route_gate.RouteGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "linsek.core.middleware.RequestIdMiddleware",
    "linsek.api.middleware.ApiMethodNotAllowedMiddleware",
    "linsek.api.middleware.ApiNullCharacterMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linsek.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "linsek.web.context.site",
            ]
        },
    }
]
WSGI_APPLICATION = "linsek.wsgi.application"
ASGI_APPLICATION = "linsek.asgi.application"


def _databases() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'linsek.sqlite3'}"
    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
        # BEGIN so that read-then-write transactions (audit chain, upserts) never interleave.
        db["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        test_name = os.environ.get("LINSEK_TEST_SQLITE")
        # A file (not :memory:) so that a real server process can share the test database.
        db["TEST"] = {"NAME": test_name or str(VAR_DIR / "test-linsek.sqlite3")}
    else:
        db["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
        db["CONN_HEALTH_CHECKS"] = True
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Refuses an attempt while the username/address pair is locked out, then the normal check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LINSEK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LINSEK_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Two-factor authentication for the roles listed in accounts/rules/policy.json (off only in the demo).
LINSEK_REQUIRE_2FA = _env_bool("LINSEK_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "linsek"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and _env_bool("LINSEK_HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Submitting a domain to the browsers' HSTS preload list is the operator's decision, not the code's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# A strict Content Security Policy: no inline or third-party script, nothing framed.
_TILE_ORIGIN = ""
if os.environ.get("LINSEK_MAP_TILES"):
    from urllib.parse import urlsplit

    _tiles = urlsplit(os.environ["LINSEK_MAP_TILES"].replace("{s}", "a"))
    _TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc}" if _tiles.netloc else ""
CONTENT_SECURITY_POLICY = {
    # The OpenAPI explorer (django-ninja's Swagger page) carries an inline bootstrap script.
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Bahasa Indonesia first, English second; store UTC, show the region's zone.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("LINSEK_TIME_ZONE", "Asia/Jakarta")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "uploads"  # outside STATIC_ROOT; served only through checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LINSEK_MAP_TILES = os.environ.get("LINSEK_MAP_TILES", "")
LINSEK_IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("LINSEK_IMPORT_UPLOAD_MAX_BYTES", str(200 * 1024 * 1024)))


def _leaflet_static() -> list[Path]:
    """Leaflet's files as shipped by the django-leaflet package, used without its GeoDjango parts.

    Listing ``leaflet`` in INSTALLED_APPS would import its admin, which needs GDAL; the map needs
    only the static files, so they are added as a static directory instead.
    """
    import importlib.util

    spec = importlib.util.find_spec("leaflet")
    if spec is None or spec.origin is None:
        return []
    return [Path(spec.origin).parent / "static"]


STATICFILES_DIRS = _leaflet_static()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- background tasks and notifications (cases helper) ---
# Background work uses the django-tasks API (Django's tasks interface, backported for 5.2) with the
# database backend (django-tasks-db): no extra service for a regency; `linsek worker` runs the queue
# and enqueues the periodic jobs below (dotted path of a task, interval in seconds).
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "linsek.notify"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker gives way to the server on a busy machine (linsek.core.pacing): when the others keep more than BUSY
# of all cores busy, it works at most DUTY of the time (pauses of at most 5 s); on an idle machine it never pauses.
LINSEK_WORKER_BUSY = float(os.environ.get("LINSEK_WORKER_BUSY", "0.5"))
LINSEK_WORKER_DUTY = float(os.environ.get("LINSEK_WORKER_DUTY", "0.25"))
LINSEK_PERIODIC_TASKS = [
    ("linsek.cases.tasks.cases_watch_task", int(os.environ.get("LINSEK_WATCH_INTERVAL", "60"))),
    ("linsek.notify.tasks.notify_deliver_task", int(os.environ.get("LINSEK_DELIVER_INTERVAL", "15"))),
    ("linsek.deploy.tasks.plan_jobs_orphans_task", int(os.environ.get("LINSEK_PLAN_ORPHANS_INTERVAL", "60"))),
]
# E-mail: SMTP when EMAIL_HOST is set, else written to files in $LINSEK_VAR/mail (nothing leaves the machine).
LINSEK_SITE_URL = os.environ.get("LINSEK_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "linsek <linsek@localhost>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- incidents (incidents helper) ---
# Reports, routing, escalation and the common picture (incidents), SMS/WhatsApp intake (intake), and the
# live event stream (live). The async intake lane and the SSE stream are mounted in front of Django in asgi.py.
INSTALLED_APPS += ["linsek.incidents", "linsek.intake", "linsek.live"]
# Live fan-out: in-process by default; through Redis pub/sub when REDIS_URL is set (needed with several workers).
REDIS_URL = os.environ.get("REDIS_URL", "")
LINSEK_LIVE_CHANNEL = os.environ.get("LINSEK_LIVE_CHANNEL", "linsek:live")
# Group commit of the async intake lane: a batch is whatever arrived while the previous one committed, after
# waiting at most LINGER ms for company (0 = no waiting), at most MAX_BATCH reports.
LINSEK_INTAKE_LINGER_MS = float(os.environ.get("LINSEK_INTAKE_LINGER_MS", "2"))
LINSEK_INTAKE_MAX_BATCH = int(os.environ.get("LINSEK_INTAKE_MAX_BATCH", "400"))
# Benchmarks only: measure what the audit trail costs. A system check warns while it is set.
LINSEK_BENCH_AUDIT_OFF = _env_bool("LINSEK_BENCH_AUDIT_OFF")
# SMS/WhatsApp: the webhook's HMAC key (empty: the webhook refuses every request), and the outgoing gateway
# ("console" writes to $LINSEK_VAR/sms-outbox.jsonl; "http" posts to a provider's JSON API).
LINSEK_SMS_WEBHOOK_SECRET = os.environ.get("LINSEK_SMS_WEBHOOK_SECRET", "")
LINSEK_SMS_GATEWAY = os.environ.get("LINSEK_SMS_GATEWAY", "console")
LINSEK_SMS_GATEWAY_URL = os.environ.get("LINSEK_SMS_GATEWAY_URL", "")
LINSEK_SMS_GATEWAY_TOKEN = os.environ.get("LINSEK_SMS_GATEWAY_TOKEN", "")
LINSEK_SMS_SENDER = os.environ.get("LINSEK_SMS_SENDER", "LINSEK")
LINSEK_PERIODIC_TASKS += [
    ("linsek.incidents.tasks.reports_escalate_task", int(os.environ.get("LINSEK_ESCALATE_INTERVAL", "30"))),
    ("linsek.incidents.tasks.reports_notify_task", int(os.environ.get("LINSEK_REPORT_NOTIFY_INTERVAL", "5"))),
]

# --- coordination (coord helper) ---
# Calendar, meetings, decisions and action items (linsek.coord); the daily situation report and the meeting
# briefing pack (linsek.reports). The morning job issues yesterday's report for every active distribution list
# once local time passes LINSEK_SITREP_HOUR, then sends it through the notification outbox.
INSTALLED_APPS += ["linsek.coord", "linsek.reports"]
LINSEK_PRESENTATION_MAX_BYTES = int(os.environ.get("LINSEK_PRESENTATION_MAX_BYTES", str(25 * 1024 * 1024)))
LINSEK_SITREP_HOUR = int(os.environ.get("LINSEK_SITREP_HOUR", "6"))
# A report over a region with more TPS than this is generated by the worker, and the requester is notified.
LINSEK_SITREP_BACKGROUND_TPS = int(os.environ.get("LINSEK_SITREP_BACKGROUND_TPS", "20000"))
LINSEK_PERIODIC_TASKS += [
    ("linsek.reports.tasks.sitrep_morning_task", int(os.environ.get("LINSEK_SITREP_INTERVAL", "300"))),
]
