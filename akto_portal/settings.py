"""Settings of the AKTO steering portal, read from the environment.

Everything that differs between a laptop and production comes from environment
variables (or a `.env` file beside manage.py): `DEBUG`, `SECRET_KEY`,
`ALLOWED_HOSTS`, `DATABASE_URL`. With nothing set the portal refuses to start
unless `DEBUG=1`, in which case it runs on the embedded SQLite database.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from akto_portal.admin_formats import SafeCSV, SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "import_export",
    "akto_portal.third_party_apps.LoginThrottlingConfig",  # django-axes, named in French
    "django_tasks",
    "akto_portal.third_party_apps.BackgroundTasksConfig",  # django-tasks-db, in French
    "akto_portal",
    "contracts",
    "conventions",
    "events",
    "dashboards",
    "reports",
    "notifications",
    "demo",
    "sign_on",
]

# A database outage raised anywhere below (session, authentication, views) becomes a
# French 503 page or a JSON 503 under /api/ in handler500 (akto_portal/errors.py).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (gzip at level 3, with Django's BREACH mitigation); static files
    # already are.
    "akto_portal.headers.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "akto_portal.headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL in the path, query or form is a 400 before any view puts it in a query.
    "akto_portal.hostile_input.RefuseNulMiddleware",
    "akto_portal.api_auth.ApiAuthenticationMiddleware",
    "akto_portal.cache.DataVersionMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "akto_portal.urls"
WSGI_APPLICATION = "akto_portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is not checked ("SELECT 1") before each request: that query would
# cost every request its time for the rare database restart. After a restart, the first
# request of each kept connection gets the French 503 page (`Retry-After`) and the
# connection is replaced at its end; DATABASE_HEALTH_CHECKS=1 checks before each request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_HEALTH_CHECKS", default=False)
# Figures are cached under the data version (akto_portal/cache.py): in each process's
# memory by default; REDIS_URL (e.g. redis://127.0.0.1:6379/1, needs the `redis`
# package) shares one cache between processes and machines.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "akto-figures",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "akto_portal.User"
# django-axes' backend first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "akto_portal.permissions.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on with the organisation's OpenID Connect provider (sign_on/, README
# "Single sign-on"): on when OIDC_ISSUER is set. The endpoints are copied from the
# provider's discovery document (/.well-known/openid-configuration).
OIDC_ISSUER = env("OIDC_ISSUER", default="")
OIDC_ENABLED = bool(OIDC_ISSUER)
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="l'annuaire de l'organisation")
OIDC_SUPPORT_CONTACT = env("OIDC_SUPPORT_CONTACT", default="l'administrateur du portail")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", default="RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_END_SESSION_ENDPOINT", default="")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the hint of the RP-initiated logout
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "sign_on:callback"
# The claims that give a username, a role and a region (sign_on/claims.py).
OIDC_USERNAME_CLAIM = env("OIDC_USERNAME_CLAIM", default="email")
OIDC_ROLE_CLAIM = env("OIDC_ROLE_CLAIM", default="roles")
OIDC_ADMIN_VALUES = env.list("OIDC_ADMIN_VALUES", default=["portail.administrateur"])
OIDC_DIRECTOR_VALUES = env.list("OIDC_DIRECTOR_VALUES", default=["portail.directeur"])
OIDC_STAFF_VALUES = env.list("OIDC_STAFF_VALUES", default=["portail.equipe"])
OIDC_REGION_CLAIM = env("OIDC_REGION_CLAIM", default="region")
OIDC_REGION_PREFIX = env("OIDC_REGION_PREFIX", default="")
# With the sign-on on, local accounts (password) may be kept for administrators only
# (break-glass): LOCAL_LOGIN_ADMINS_ONLY=1.
LOCAL_LOGIN_ADMINS_ONLY = env.bool("LOCAL_LOGIN_ADMINS_ONLY", default=False)
# A session opened through the sign-on is checked again with the provider (silently)
# every OIDC_SESSION_CHECK_MINUTES: it ends when the provider's ends.
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = 60 * env.int("OIDC_SESSION_CHECK_MINUTES", default=15)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "sign_on.backend.PortalOIDCBackend"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware") + 1,
        "sign_on.middleware.ProviderSessionRefresh",
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes), on the portal's and the admin's login: after
# LOGIN_FAILURE_LIMIT failures for one username from one address, or
# LOGIN_ADDRESS_FAILURE_LIMIT from one address whatever the usernames, within the
# cool-off period, logins are refused there (even with the right password; 429 with
# Retry-After) until the period has passed since the last failure, or an administrator
# deletes the attempts in the admin (Axes › Tentatives de connexion; README, Security and
# operations). A username alone is never locked: nobody can lock someone else out.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "akto_portal.login_throttling.LoginThrottlingHandler"
AXES_LOCKOUT_CALLABLE = "akto_portal.login_throttling.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "akto_portal.login_throttling.client_ip"
AXES_VERBOSE = False  # no banner on every command; lockouts are still logged
# Failed attempts are kept for the cool-off period only; successful logins are not kept
# (no ever-growing table of addresses and browsers; User.last_login says when).
AXES_DISABLE_ACCESS_LOG = True

# Password reset mails (and any other) go through EMAIL_URL, e.g.
# smtp+tls://user:password@smtp.example.org:587; printed on the console when unset.
globals().update(
    {
        key: value
        for key, value in env.email_url("EMAIL_URL", default="consolemail://").items()
        if value is not None
    }
)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Portail de pilotage <ne-pas-repondre@localhost>"
)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link is valid one day

# French locale: fr-FR formats ("3 071", "9 mai 2022"), Paris time.
LANGUAGE_CODE = "fr-fr"
# French for what third-party apps show untranslated (locale/fr/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# Static files are served by the application itself (WhiteNoise), compressed and
# with far-future cache headers; plotly.js comes from the installed plotly package.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "akto_portal.staticfinders.PlotlyFinder",
]
# In production `collectstatic` writes hashed, pre-compressed copies; without it
# (development, tests) WhiteNoise serves the files straight from their folders.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Background work (imports): django-tasks with its database backend, so the queue lives in
# the portal's own database (SQLite or PostgreSQL). A worker runs `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# File imports (page /imports/): limits checked before anything is read, and a private
# folder where uploads wait for the worker (created 0700, files 0600).
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=100)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
IMPORT_MAX_LINE_CHARS = env.int("IMPORT_MAX_LINE_CHARS", default=65536)
IMPORT_MAX_XLSX_EXPANDED_MB = env.int("IMPORT_MAX_XLSX_EXPANDED_MB", default=600)
IMPORT_XLSX_MEMORY_MB = env.int("IMPORT_XLSX_MEMORY_MB", default=3072)
IMPORT_STAGING_DIR = Path(env("IMPORT_STAGING_DIR", default=str(BASE_DIR / "var" / "imports")))
# A worker holds the job it runs for IMPORT_JOB_LEASE_SECONDS and renews that lease every
# third of it; a running job whose lease has passed lost its worker (killed, machine
# down): its check is queued again (IMPORT_JOB_MAX_ATTEMPTS runs in all), its write is
# marked failed (nothing was written: the write is one transaction) and its file removed.
# On SQLite the renewal waits while the write holds the database: keep writes shorter.
IMPORT_JOB_LEASE_SECONDS = env.float("IMPORT_JOB_LEASE_SECONDS", default=120)
IMPORT_JOB_MAX_ATTEMPTS = env.int("IMPORT_JOB_MAX_ATTEMPTS", default=2)

# The PDF report (/rapport.pdf, reports/pdf.py): at most REPORT_MAX_DRAWING drawn
# at once; a request finding them all busy waits up to REPORT_WAIT_SECONDS, then gets a
# 503 with Retry-After. Drawn reports are cached under the data version.
REPORT_MAX_DRAWING = env.int("REPORT_MAX_DRAWING", default=2)
REPORT_WAIT_SECONDS = env.float("REPORT_WAIT_SECONDS", default=5)

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Admin import/export (django-import-export): importing needs the "add" permission
# (administrators only), exporting the "view" one; an import is one transaction.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Admin exports: CSV and XLSX only, with the portal's formula guard (akto_portal.formulas).
EXPORT_FORMATS = [SafeCSV, SafeXLSX]

# Security: safe defaults in production, relaxed only in debug.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's health check speaks plain HTTP
# Behind a reverse proxy that terminates HTTPS (BEHIND_PROXY=1), trust its
# X-Forwarded-Proto and take the client's address from the last X-Forwarded-For entry.
# Exposed directly, both headers are the client's own words and are ignored.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "akto_portal.errors.csrf_failure"

# Content-Security-Policy (django-csp): scripts only from our own static files, never
# inline. Styles: our stylesheets; style attributes may be inline (plotly.js sets them),
# <style> elements only those plotly.js itself writes, allowed by their hashes: the empty
# one it fills through the CSSOM, and the map stylesheet it adds when it loads (a test
# checks that hash against the installed plotly.js). The one inline handler allowed, by
# its hash, is django-import-export's "select all" box on the admin's export page.
IMPORT_EXPORT_SELECT_ALL = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
PLOTLY_MAP_STYLE = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"


def _origin(url: str) -> list[str]:
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "script-src-attr": [UNSAFE_HASHES, IMPORT_EXPORT_SELECT_ALL],
        "style-src": [SELF],
        "style-src-elem": [SELF, EMPTY_STYLE, PLOTLY_MAP_STYLE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The logout form ends at the provider's end-session endpoint (RP-initiated
        # logout): browsers check form-action on the redirect too.
        "form-action": [SELF, *_origin(OIDC_OP_LOGOUT_ENDPOINT)],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features the portal never uses (akto_portal/headers.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
SESSION_COOKIE_AGE = 60 * 60 * 10
# Sessions live in the database; with a shared cache (Redis) a session is read from the
# cache and written to both, which saves a query per request. Not with the in-process
# cache: a session ended (logout) through one worker would stay valid in the others'.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Mail (digests and alerts, notifications/mail.py): EMAIL_URL such as
# smtp+tls://user:password@smtp.example.org:587 sets every EMAIL_* setting; the console
# in development, a local SMTP server otherwise.
vars().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Pilotage de l'alternance <noreply@localhost>"
)
# The portal's address as seen from a mail: links to dashboards and to unsubscribe.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# An indicator alerts when its achievement is more than this many points behind the share
# of its convention's period elapsed.
DIGEST_ALERT_MARGIN = env.float("DIGEST_ALERT_MARGIN", default=10.0)
# Pauses (seconds) between the attempts of one run; a mail still failing is tried again by
# the next runs, up to DIGEST_MAX_ATTEMPTS attempts in all.
DIGEST_RETRY_DELAYS = env.list("DIGEST_RETRY_DELAYS", cast=float, default=[2.0, 10.0])
DIGEST_MAX_ATTEMPTS = env.int("DIGEST_MAX_ATTEMPTS", default=12)
# A delivery claimed for sending and not marked sent after this many minutes (its sender
# died mid-send) is marked "uncertain" and never sent again (notifications/mail.py).
OUTBOX_CLAIM_TIMEOUT = env.int("OUTBOX_CLAIM_TIMEOUT", default=15)
# Password-reset requests accepted per hour, per address asked for and per client address;
# the mails go through the same outbox (notifications/password_reset.py).
PASSWORD_RESET_PER_EMAIL = env.int("PASSWORD_RESET_PER_EMAIL", default=3)
PASSWORD_RESET_PER_IP = env.int("PASSWORD_RESET_PER_IP", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each rendering step of the PDF report at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
