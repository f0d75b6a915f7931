"""Django settings for pharmacrm, read from the environment.

The embedded defaults (no environment at all) give a working single-machine install: SQLite and
the Parquet warehouse under ``var/``, plain HTTP on 127.0.0.1, a secret generated once into
``var/secret_key``. Production hardening lives in :mod:`pharmacrm.settings_production`, which
imports these and switches on HTTPS-only behaviour (DESIGN.md, Serving).

Environment variables: ``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma-separated),
``DEBUG`` (1/0), ``WAREHOUSE_DIR``, ``EMAIL_URL`` (``smtp://user:pass@host:port``,
``smtp+tls://…``, ``console:``), ``DEFAULT_FROM_EMAIL``, ``ANALYTICS_ENGINE`` (duckdb|spark),
``SPARK_MASTER`` (for the spark engine), ``PHARMACRM_VAR`` (root of the local state folder),
``TIME_ZONE``, ``BASE_CURRENCY``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("PHARMACRM_VAR", REPO_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret_key() -> str:
    """Generate the embedded install's secret once and keep it in ``var/`` (never committed)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks_db",
    "pharmacrm.core",
    # After core: the admin's registration/ templates (password reset, logged out…) would
    # otherwise shadow the shell's own, and the reset e-mail would be Django's stock text.
    "pharmacrm.core.admin_site.PharmaAdminConfig",
    "pharmacrm.territories",
    "pharmacrm.accounts",
    "pharmacrm.catalog",
    "pharmacrm.insights",
    "pharmacrm.field",
    "pharmacrm.warehouse",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pharmacrm.core.middleware_input.RejectNulInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "pharmacrm.core.middleware.LoginRequiredPagesMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pharmacrm.urls"
WSGI_APPLICATION = "pharmacrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pharmacrm.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'pharmacrm.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web server reads; a busy timeout instead of
    # "database is locked" errors under the demo's two processes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default random_page_cost (4) models spinning disks; on SSDs and with the
    # working set cached it made a rep's 1,000-account list a parallel sequential scan of
    # all 100 k accounts (47 ms) instead of a bitmap scan of the territory index (2.4 ms;
    # bench/customer_master/RESULTS.md, session 3). 1.1 is the usual SSD value.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')}"
    )
if os.environ.get("PHARMACRM_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["PHARMACRM_TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "pharmacrm.core.auth_backends.RoleModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling (django-axes): 10 failures for one username from one address locks it for
# an hour; an administrator can reset it from the admin.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
BASE_CURRENCY = os.environ.get("BASE_CURRENCY", "CNY")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise warns at start-up when STATIC_ROOT is missing (before the first collectstatic,
# e.g. `serve --dev` or the tests, which serve through the finders instead).
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True

WAREHOUSE_DIR = os.environ.get("WAREHOUSE_DIR", str(VAR_DIR / "warehouse"))
ANALYTICS_ENGINE = os.environ.get("ANALYTICS_ENGINE", "duckdb")
SPARK_MASTER = os.environ.get("SPARK_MASTER", "local[2]")
# DuckDB's share of memory for an analytics run, and where it spills the rest: bounded memory
# at any warehouse size (the default leaves room for the web server and PostgreSQL beside it).
ANALYTICS_MEMORY_LIMIT = os.environ.get("ANALYTICS_MEMORY_LIMIT", "4GB")
ANALYTICS_TEMP_DIR = os.environ.get("ANALYTICS_TEMP_DIR", str(VAR_DIR / "tmp" / "duckdb"))


def _mailers(url: str) -> dict[str, dict[str, object]]:
    """Parse ``EMAIL_URL`` into Django's ``MAILERS`` (one variable instead of six).

    Django 6.1 deprecates the ``EMAIL_BACKEND``/``EMAIL_HOST``… settings in favour of
    ``MAILERS``; defining the old ones makes every start warn (an error under the test suite).
    """
    parsed = urlparse(url)
    if parsed.scheme in {"console", ""}:
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    if parsed.scheme == "locmem":
        return {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 25,
                "username": unquote(parsed.username or ""),
                "password": unquote(parsed.password or ""),
                "use_tls": parsed.scheme == "smtp+tls",
                "use_ssl": parsed.scheme == "smtps",
                "timeout": 10,
            },
        }
    }


MAILERS = _mailers(os.environ.get("EMAIL_URL", "console:"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pharmacrm <noreply@localhost>")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# API: the largest page a client may ask for (django-ninja pagination).
NINJA_PAGINATION_MAX_LIMIT = 200
NINJA_PAGINATION_PER_PAGE = 50
