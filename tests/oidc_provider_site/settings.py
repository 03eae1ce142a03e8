"""A real OpenID Connect provider for the tests (django-oidc-provider), run in its own
process by tests/browser/test_sign_on_journey.py, with its own SQLite file and RSA key.
Its users' Django groups are their portal roles and region ("portail.directeur",
"portail-region-28"), sent in the ID token's `groups` claim."""

import os

SECRET_KEY = "provider-tests-only"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["PROVIDER_DB"]}}
USE_TZ = True
# Its own cookie names: cookies do not tell ports apart, and the portal may run on the
# same host (127.0.0.1) on another port.
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"
LOGIN_URL = "/accounts/login/"
SITE_URL = os.environ.get("PROVIDER_URL", "http://127.0.0.1:8900")
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.oidc_provider_site.urls.groups_in_id_token"
OIDC_USERINFO = "tests.oidc_provider_site.urls.userinfo"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
