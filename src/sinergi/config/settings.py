"""Django settings for Sinergi, read from the environment.

SINERGI_ENV picks the mode: ``demo`` (default: a laptop, SQLite, generated secrets),
``test`` (fast hashers, tasks run at once) or ``production`` (secrets required, HTTPS-only
cookies, HSTS; ``manage.py check --deploy`` passes clean). Everything a deployment changes is an
environment variable documented in docs/configuration.md.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Under pytest the test mode is the default, so a bare `pytest` behaves like `run.py test`.
SINERGI_ENV = os.environ.get("SINERGI_ENV") or ("test" if "pytest" in sys.modules else "demo")
if SINERGI_ENV not in {"demo", "test", "production"}:
    raise ImproperlyConfigured(
        f"SINERGI_ENV={SINERGI_ENV!r} is not known; use demo, test or production."
    )
PRODUCTION = SINERGI_ENV == "production"
TESTING = SINERGI_ENV == "test"

DATA_DIR = Path(os.environ.get("SINERGI_DATA_DIR", REPO_DIR / "var"))


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production mode (SINERGI_ENV=production)."
        )
    # Demo and test: generate once and keep it beside the database, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
if PRODUCTION:
    from sinergi.core.crypto import require_production_keys

    require_production_keys()
DEBUG = env_bool("SINERGI_DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production mode.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "sinergi.core",
    "sinergi.wilayah",
    "sinergi.accounts",
    "sinergi.registry",
    "sinergi.kube",
    "sinergi.aid",
    "sinergi.mentoring",
    "sinergi.market",
    "sinergi.monitoring",
    "sinergi.notifications",
    "sinergi.pdp",
    "sinergi.compliance",
    "sinergi.letters",
    "sinergi.search",
    "sinergi.offline",
]

MIDDLEWARE = [
    "sinergi.core.middleware.RequestIdMiddleware",
    "sinergi.core.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sinergi.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sinergi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a session that has not passed the second factor its account now owes (accounts).
    "sinergi.accounts.middleware.SecondFactorSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so its claim on a write's Idempotency-Key follows the CSRF and sign-in checks.
    "sinergi.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "sinergi.config.urls"
WSGI_APPLICATION = "sinergi.config.wsgi.application"

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
                "sinergi.core.context_processors.navigation",
                "sinergi.compliance.context_processors.breach_clock",
            ],
        },
    }
]

# Database: DATABASE_URL picks it; SQLite under the data folder by default.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'sinergi.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker write at the same time: WAL lets readers go on while
    # one writes, IMMEDIATE takes the write lock up front instead of failing half-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sinergi.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Tests create many users; argon2 stays the production hasher (tested separately).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:inbox"  # everyone lands on what waits for them (core.inbox)
LOGOUT_REDIRECT_URL = "accounts:login"

# Login protection: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "sinergi.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "username", "ip_address"]

# Internationalisation: Bahasa Indonesia first.
LANGUAGE_CODE = "id"
# Native names on purpose: a reader finds their own language whatever is active now.
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "sinergi_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Static files: vendored from registries at setup, served by WhiteNoise (no CDN).
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Uploads beyond the in-memory threshold are spooled to an unnamed file, never a named one
# under /tmp that a killed process would leave behind (see core/upload_handlers.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "sinergi.core.upload_handlers.UnnamedTemporaryFileUploadHandler",
]
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # Demo and tests serve from the app folders; WhiteNoise still wants the folder to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Background tasks: Django's Tasks API, database backend (works on SQLite and PostgreSQL).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "SINERGI_TASK_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default", "heavy"],
    }
}
# Or RQ on Redis (SINERGI_TASK_BACKEND=django_tasks_rq.RQBackend): the same queues in Redis,
# run by `sinergi manage rqworker --job-class django_tasks_rq.Job --with-scheduler default heavy`
# (docs/scaling.md). Redis must keep its data (appendonly yes) or a restart loses the queue.
SINERGI_REDIS_URL = os.environ.get("SINERGI_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {
    name: {"URL": SINERGI_REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in TASKS["default"]["QUEUES"]
}
if str(TASKS["default"]["BACKEND"]).startswith("django_tasks_rq."):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

# Security defaults; production adds HTTPS-only settings.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
# Django's database sessions, read without the ORM's compile on every request (core.sessions).
SESSION_ENGINE = "sinergi.core.sessions"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("SECURE_PROXY_SSL", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS: list[str] = []

# Logs: a request id on every line; personal identifiers never logged (see core.logging).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "sinergi.core.middleware.RequestIdLogFilter"},
        # NIK/KK-like numbers are scrubbed from every line, traceback included.
        "personal_numbers": {"()": "sinergi.core.middleware.PersonalNumberLogFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "personal_numbers"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver's access log: Django's default sends it to a handler of its own, past the
        # scrubbing filter; here it goes through the console handler like every other line.
        "django.server": {
            "level": "WARNING" if TESTING else "INFO",
            "handlers": ["console"],
            "propagate": False,
        },
        "axes": {"level": "WARNING"},
        # 4xx are answered with a clear page; only server errors belong in the error log.
        "django.request": {"level": "ERROR"},
    },
}

# Sinergi's own settings.
SINERGI_API_TOKEN_TTL_DAYS = int(os.environ.get("SINERGI_API_TOKEN_TTL_DAYS", "90"))
SINERGI_PAGE_SIZE = 50
# Accounts run by the offices (accounts/): an invitation link lasts this many days, a
# forgotten-password link this many hours (each works once). Officers who may reveal NIK sign
# in with a second factor (TOTP) when SINERGI_REQUIRE_2FA is on: on by default in production,
# off in the demo and tests (whose users sign in by password alone); anyone who enrolled a
# device on their profile is asked for it whatever this says.
SINERGI_INVITATION_DAYS = int(os.environ.get("SINERGI_INVITATION_DAYS", "7"))
PASSWORD_RESET_TIMEOUT = int(os.environ.get("SINERGI_PASSWORD_RESET_HOURS", "24")) * 3600
SINERGI_REQUIRE_2FA = env_bool("SINERGI_REQUIRE_2FA", PRODUCTION)
# The home page (core's "dashboard" URL) and the API's token check belong to accounts; core
# finds them here so that it imports no domain app.
SINERGI_HOME_VIEW = "sinergi.accounts.views.dashboard"
SINERGI_API_TOKEN_USER = "sinergi.accounts.services.api_token_authenticate"  # noqa: S105  # a path
# Idempotency keys of writes (core.idempotency) and their kept answers are deleted after this
# many days by the nightly clean-up: longer than the offline app keeps a queue on a phone.
SINERGI_IDEMPOTENCY_DAYS = int(os.environ.get("SINERGI_IDEMPOTENCY_DAYS", "30"))
# Days a phone keeps what the offline app downloaded or queued (sinergi.offline); a sync
# asking for changes since longer ago gets everything again.
SINERGI_OFFLINE_DAYS = int(os.environ.get("SINERGI_OFFLINE_DAYS", "14"))
# Worker processes that validate and encrypt large imports beside the writing process.
SINERGI_IMPORT_WORKERS = int(
    os.environ.get("SINERGI_IMPORT_WORKERS", str(max(0, (os.cpu_count() or 1) - 1)))
)
# Uploaded import files (sealed at rest) of batches left unfinished are deleted after this.
SINERGI_IMPORT_KEEP_HOURS = int(os.environ.get("SINERGI_IMPORT_KEEP_HOURS", "24"))
# A running import beats once a chunk; silent this long, its worker is taken for dead and the
# import is resumed by the next worker.
SINERGI_IMPORT_LEASE_SECONDS = int(os.environ.get("SINERGI_IMPORT_LEASE_SECONDS", "300"))
# A first load into an empty person table leaves its secondary indexes out and builds them
# once at the end (PostgreSQL; registry.deferred_indexes), with this much sort memory.
SINERGI_IMPORT_DEFER_INDEXES = env_bool("SINERGI_IMPORT_DEFER_INDEXES", True)
SINERGI_INDEX_BUILD_MEMORY = os.environ.get("SINERGI_INDEX_BUILD_MEMORY", "512MB")
# Notifications (notifications/): mail through Django's e-mail framework configured by one URL
# (smtp://host:port, smtp+tls://user:pass@host:port, smtps://…, console:// — the default outside
# production: messages are printed by the server); WhatsApp/SMS through one HTTP gateway that
# takes JSON {to, text} (console:// prints them). Failed sends are retried with exponential
# backoff (SINERGI_NOTIFY_RETRY_SECONDS, doubled each time) up to SINERGI_NOTIFY_MAX_ATTEMPTS.
from sinergi.notifications.email_url import email_settings  # noqa: E402

SINERGI_EMAIL_URL = os.environ.get("SINERGI_EMAIL_URL", "console://")
_email = email_settings(SINERGI_EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sinergi <noreply@sinergi.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SINERGI_SMS_URL = os.environ.get("SINERGI_SMS_URL", "console://")
SINERGI_SMS_TIMEOUT = int(os.environ.get("SINERGI_SMS_TIMEOUT", "10"))
SINERGI_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("SINERGI_NOTIFY_MAX_ATTEMPTS", "5"))
SINERGI_NOTIFY_RETRY_SECONDS = int(os.environ.get("SINERGI_NOTIFY_RETRY_SECONDS", "60"))
# Links in messages are absolute: the address people open Sinergi at.
SINERGI_BASE_URL = os.environ.get("SINERGI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Exports with more rows than this are written by the task worker, with progress shown.
SINERGI_EXPORT_INLINE_MAX = int(os.environ.get("SINERGI_EXPORT_INLINE_MAX", "5000"))
# Finished background exports (files included) are deleted by the nightly run after this.
SINERGI_EXPORT_KEEP_DAYS = int(os.environ.get("SINERGI_EXPORT_KEEP_DAYS", "7"))
# Days to answer a data-subject request, per kind (sinergi.pdp; 3 when not named: UU PDP's
# 3×24 hours), e.g. SINERGI_PDP_DUE_DAYS="access:3,erasure:7".
SINERGI_PDP_DUE_DAYS = {
    kind.strip(): int(days)
    for kind, _sep, days in (
        item.partition(":") for item in os.environ.get("SINERGI_PDP_DUE_DAYS", "").split(",")
    )
    if kind.strip() and days.strip().isdigit()
}
