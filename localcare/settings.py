"""Settings for the Kent and Medway Local Care dashboard.

Everything that differs between a laptop and production comes from the
environment (see `.env.example`). Development defaults are safe to run on a
laptop; with DEBUG off, the settings refuse to start until production has set
what it must (a real SECRET_KEY and ALLOWED_HOSTS).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


# Development is the default so that `make run` works on a fresh machine;
# production sets DEBUG=false and then must set everything checked below.
DEBUG = env_bool("DEBUG", default=True)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])

if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    # The same tests as Django's security.W009 (check --deploy), made fatal: a
    # key Django generated for a laptop ("django-insecure-...") or one with few
    # distinct characters ("x" * 50) signs sessions anyone could forge.
    if (
        not SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
        or len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters "
            "(at least 5 of them different, not starting 'django-insecure') "
            "when DEBUG is off. For development, set DEBUG=true."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must list this service's host names when DEBUG is off."
        )
    # "*" would answer any Host header, so links built from it (password
    # resets, redirects) could point at an attacker's site.
    if any("*" in host for host in ALLOWED_HOSTS):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name this service's hosts, not '*', when DEBUG is off."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "localcare.apps.StaticFiles",
    "django_filters",
    "django_tables2",
    "simple_history",
    # Login throttling: locks a username from one address after repeated failures.
    "axes",
    # Two-factor authentication with authenticator apps (TOTP).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Single-use recovery codes for when the authenticator app is not to hand.
    "django_otp.plugins.otp_static",
    # Content-Security-Policy header; its system checks catch pre-4.0 settings.
    "csp",
    # Shared helpers; an app only for its template library ({% load numbers %}), so that
    # every app's templates write money and counts the way common.money does.
    "common",
    "localities",
    "risks",
    "governance",
    "updates",
    "dashboard",
    "accounts",
    # The read-only data API (/api/v1/, decisions 0025 and 0026): Django REST framework,
    # its OpenAPI schema (drf-spectacular) and Swagger UI's files from our static files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # Management commands only (bench, generate_scale_data, build_illustrative_fixture,
    # backup, restore); no models, and nothing in the product imports it.
    "tools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: private, no-store on everything but static files (above).
    "localcare.middleware.PrivateCacheMiddleware",
    # 503 "service unavailable" while the database cannot be reached: before the
    # session and user are read, after static files (which need no database).
    "localcare.middleware.DatabaseUnavailableMiddleware",
    # Logs every refused access (PermissionDenied) with who, what and where.
    "localcare.middleware.RefusedAccessLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Drops template indentation from HTML pages (within their size budgets).
    "localcare.middleware.CompactHtmlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has given a one-time code.
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a logged-in user unless its view opts out.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits; then the two-factor check (accounts/).
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in django-simple-history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns a locked-out login into the lockout page; axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "localcare.urls"

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
                "dashboard.navigation.navigation",
                "accounts.context_processors.session_timeout",
            ],
        },
    },
]

WSGI_APPLICATION = "localcare.wsgi.application"

# SQLite in a file beside the code unless DATABASE_URL names PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the database is unreachable instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DB_CONNECT_TIMEOUT", "5")
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot enforce a unique constraint whose NULLs count as equal (a body's
    # role with no start day): model validation still refuses a second one, and
    # PostgreSQL, the production database, enforces it too. Said once here, not on
    # every command of `make run`.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
# A web request's database waits end this many seconds after it starts, even if
# the server accepts and never answers (localcare/database_deadline.py): the
# person gets a 503 instead of a worker killed at GUNICORN_TIMEOUT. Keep it
# below GUNICORN_TIMEOUT and above the slowest page's time.
DB_REQUEST_DEADLINE = float(os.environ.get("DB_REQUEST_DEADLINE", "8"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Computed dashboard data (dashboard.caching). Local memory by default, which
# is one cache per process: fine for runserver, tests and a single worker.
# With several processes or instances set REDIS_URL (redis://host:6379/0) so
# that they share the cached data and the data version that invalidates it.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "localcare",
            # An unreachable Redis costs a page a second at most: dashboards
            # then compute their data afresh instead of failing.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "localcare",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }
# How long a page's cached data may live. Writes invalidate it at once (the
# data version); this only bounds memory held for old versions.
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "900"))
# Sessions stay in the database, so app instances hold no state of their own.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Where `manage.py backup` (make backup) writes; README "Backups".
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Authentication and sessions (accounts/, docs/security.md) ---------------
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username and address is refused before any
    # password is checked, even the right one.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Length and a common-password check; no forced expiry (NCSC password guidance).
# Then what an attacker tries first against this service (accounts/password_validation.py):
# the published demo password, the programme's own name, the username repeated.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.KnownPasswordValidator"},
    {"NAME": "accounts.password_validation.ProgrammeWordsValidator"},
    {"NAME": "accounts.password_validation.UsernameRepetitionValidator"},
]

LOGIN_URL = "login"
# Each role lands on its own work (updates/views/landing.py); a `next` still wins.
LOGIN_REDIRECT_URL = "updates:start"
LOGOUT_REDIRECT_URL = "login"

# django-axes: 5 failed logins for one username from one address lock that pair
# for 30 minutes from the fifth failure; other users at that address, and that
# user elsewhere, are unaffected. Admin > Access attempts lifts a lock early.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# How many reverse proxies in front of the app append to X-Forwarded-For; 0
# (the default) reads REMOTE_ADDR only, since clients can forge the header.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"

# Sessions end after 30 minutes idle and 12 hours after login, however active.
# The idle expiry is renewed at most once a minute (accounts/sessions.py)
# rather than by saving the session on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_AFTER = 60
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
# The idle-timeout warning (static/js/session-timeout.js, WCAG 2.2.1): shown this many
# seconds before the session ends of idleness, with "Stay signed in".
SESSION_WARN_BEFORE = 2 * 60
# This many seconds before it ends, the page sends what was typed in an open section
# (updates.typed_sections) and the server ends the session then and there.
SESSION_END_EARLY = 10
# ... unless the server's idle clock has more than SESSION_END_EARLY + this left:
# another tab kept the session alive, and this tab's timer starts again.
SESSION_END_SLACK = 30

# Two-factor authentication (django-otp, TOTP, with recovery codes): whoever
# approves updates or reaches Django admin (the programme office, staff and
# superusers: localities.access.must_verify) must give a code from an
# authenticator app before any page; anyone else may set it up. The name is
# kept from when it covered staff in admin only. Only development may relax it
# (the demo accounts have no authenticator app).
REQUIRE_STAFF_TWO_FACTOR = env_bool("REQUIRE_STAFF_TWO_FACTOR", default=not DEBUG)
if not DEBUG and not REQUIRE_STAFF_TWO_FACTOR:
    raise ImproperlyConfigured("REQUIRE_STAFF_TWO_FACTOR cannot be turned off when DEBUG is off.")
OTP_TOTP_ISSUER = "Kent and Medway Local Care"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development and tests whitenoise serves straight from the app folders;
# production serves what collectstatic wrote to STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names with far-future cache headers in production; plain
        # names in development and tests so nothing needs collectstatic first.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "localcare.storage.HashedStaticFilesStorage"
        ),
    },
}

# Publishing the board pack (dashboard/publishing.py, docs/deploy.md): the
# Chromium that prints it (Debian's `chromium` package) and the seconds the
# detached publish command gives it to start, load the pack and print.
BOARD_PACK_CHROMIUM = os.environ.get("BOARD_PACK_CHROMIUM", "/usr/bin/chromium")
BOARD_PACK_PUBLISH_TIMEOUT = int(os.environ.get("BOARD_PACK_PUBLISH_TIMEOUT", "120"))

# Uploaded quarterly-update spreadsheets (updates.views.spreadsheet) are held in
# memory only, and refused above this size; the reverse proxy should cap bodies too.
UPDATE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
# No other page takes files, but Django parses any multipart POST: keep what it
# parses in memory, and drop a file whose request is larger than
# FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) rather than spool it to a temporary file.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        # A refusal is one line (localcare.access), not a "Forbidden" traceback too.
        "expected_refusals": {"()": "localcare.log_filters.ExpectedRefusalFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "django.request": {"filters": ["expected_refusals"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- The data API (decisions 0025 and 0026) ---
# Read-only, token-authenticated; each view names its own classes too (api/views/data.py).
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Requests per token, counted in the cache (Redis when REDIS_URL is set).
    "DEFAULT_THROTTLE_RATES": {"api-token": API_THROTTLE_RATE},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Dates and money as text (ISO dates, "1234.50"): exact in JSON and in a spreadsheet.
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kent and Medway Local Care data API",
    "DESCRIPTION": (
        "Read-only: the approved programme data the boards see, as at a quarter. "
        "Authenticate with `Authorization: Bearer <token>` (a token from your account). "
        f"Throttled per token at {API_THROTTLE_RATE} (429 with Retry-After past it). "
        "Every endpoint takes `?quarter=` (default: the latest with approved returns), "
        "`?page=`, `?page_size=` (100; at most 1,000) and `?format=csv`; "
        "records marked `is_illustrative` are not in the source papers."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "localcare@localhost")
# The SMTP backend's server; read only when EMAIL_BACKEND is SMTP (production).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# Seconds before a silent mail server is given up on. Each submission, return and
# approval tries its e-mails once in the request, after the commit
# (updates.outbox): a hung server must not hold the page past gunicorn's timeout.
# What fails stays in the outbox for `send_outbox`.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# Where e-mails (reminders, submissions, returns, approvals) link to: this service's address as users reach it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # /healthz is called by the load balancer over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Security headers (docs/security.md, "Headers and input") ---
# Nothing inline, neither script nor style: chart data goes to the page with
# json_script (type application/json, which browsers never run), every script
# and stylesheet is a static file, and plotly.js's own rules come from
# static/vendor/plotly/plotly.css instead of the <style> it would write
# (docs/security.md). The plotly.js basic bundle has no eval, so no
# 'unsafe-eval' either. tests/browser/test_csp.py sees no violation on any page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Django's own defaults, stated so that a change is deliberate and tested.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
