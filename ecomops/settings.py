"""EcomOps settings. Everything that differs between machines comes from the environment.

Environment variables:
  DJANGO_SECRET_KEY      required when DJANGO_DEBUG is off
  DJANGO_DEBUG           "1" for development (default "1" unless ECOMOPS_ENV=production)
  DJANGO_ALLOWED_HOSTS   comma separated, default "127.0.0.1,localhost"
  DATABASE_URL           e.g. postgresql://user:pass@host:5432/ecomops; default SQLite under var/
  ECOMOPS_ENV            "production" turns on the secure defaults checked by `check --deploy`
  ECOMOPS_TRUSTED_PROXIES / ECOMOPS_TRUSTED_PROXY_COUNT   whose X-Forwarded-For is believed (README)
  ECOMOPS_SMTP_HOST …    outgoing mail for the management reports (below; without a host no mail is sent)
"""

import ipaddress
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ECOMOPS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("ECOMOPS_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
    # Development only: a key that is obviously not for production use.
    SECRET_KEY = "dev-insecure-" + "x" * 50

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "ecomops.core.apps.StaticAssetsConfig",  # django.contrib.staticfiles, minus the libraries' build files
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "ecomops.core",
    "ecomops.audit",
    "ecomops.org",
    "ecomops.policy",
    "ecomops.scheduling",
    "ecomops.compliance",
    "ecomops.catalog",
    "ecomops.stores",
    "ecomops.suppliers",
    "ecomops.listing",
    "ecomops.inventory",
    "ecomops.receiving",
    "ecomops.stockops",
    "ecomops.supply",
    "ecomops.orders",
    "ecomops.orderimport",
    "ecomops.dispatch",
    "ecomops.logistics",
    "ecomops.waves",
    "ecomops.fulfilment",
    "ecomops.payroll",
    "ecomops.dashboard",
    "ecomops.reports",
    "ecomops.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ecomops.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ecomops.org.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ecomops.audit.middleware.AuditContextMiddleware",
    "ecomops.policy.registry.PolicyCacheMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "ecomops.urls"
WSGI_APPLICATION = "ecomops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ecomops.core.context_processors.navigation",
            ],
        },
    }
]

# --- Databases -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "")

# Every SQLite database gets these, whether it comes from DATABASE_URL or the default path: writers
# take the lock at BEGIN (IMMEDIATE), so concurrent writers queue for up to the busy timeout instead
# of failing with "database is locked" half-way through a transaction; WAL lets readers go on
# meanwhile. Options given in the URL's query string win over these.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=30000;"
        "PRAGMA foreign_keys=ON;"
    ),
}


def sqlite_database(config: dict) -> dict:
    """``config`` with the SQLite options above and a test database of its own per test process."""
    if config.get("ENGINE") != "django.db.backends.sqlite3":
        return config
    config = {**config, "OPTIONS": {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}}
    # Tests use a file too (not shared-cache memory), so parallel-worker tests meet the same WAL
    # locking and busy timeout as production; one file per test process, so they never collide.
    config["TEST"] = {
        "NAME": os.environ.get("ECOMOPS_SQLITE_TEST_PATH")
        or os.path.join(tempfile.gettempdir(), f"ecomops-test-{os.getpid()}.sqlite3"),
        **config.get("TEST", {}),
    }
    return config


if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("ECOMOPS_SQLITE_PATH", str(VAR_DIR / "ecomops.sqlite3")),
        }
    }
DATABASES = {alias: sqlite_database(config) for alias, config in DATABASES.items()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "ecomops.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["ecomops.audit.throttle.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package-lock.json), served from node_modules: never a CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),  # charts of the dashboard: echarts.min.js
]
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
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response (ecomops/core/csp.py): only EcomOps's own files, no inline
# script or style anywhere; images may also be data: URIs (Bootstrap's icons inside its CSS). No page
# may be framed (frame-ancestors, like X-Frame-Options), forms post only here.
ECOMOPS_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Reverse proxies whose X-Forwarded-For is believed for the caller's address (audit trail, login
# limits; ecomops/audit/middleware.py). None by default: REMOTE_ADDR is the caller. Either the proxies'
# addresses or networks (ECOMOPS_TRUSTED_PROXIES=10.0.0.5,fd00::/64), checked against REMOTE_ADDR, or
# how many proxies always stand in front (ECOMOPS_TRUSTED_PROXY_COUNT=1 reads the rightmost entry).
# ECOMOPS_TRUST_X_FORWARDED_FOR=1 (older setting) means one proxy.
ECOMOPS_TRUSTED_PROXIES = env_list("ECOMOPS_TRUSTED_PROXIES", "")
for _proxy in ECOMOPS_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"ECOMOPS_TRUSTED_PROXIES: {_error}") from None
try:
    ECOMOPS_TRUSTED_PROXY_COUNT = int(
        os.environ.get("ECOMOPS_TRUSTED_PROXY_COUNT") or (1 if env_bool("ECOMOPS_TRUST_X_FORWARDED_FOR", False) else 0)
    )
except ValueError:
    raise ImproperlyConfigured("ECOMOPS_TRUSTED_PROXY_COUNT must be a whole number") from None
if ECOMOPS_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("ECOMOPS_TRUSTED_PROXY_COUNT must not be negative")

# --- Logging: never log secrets --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "ecomops.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ECOMOPS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Product settings ------------------------------------------------------------------------
# The tenant: one deployment serves one company (an agency or a seller).
ECOMOPS_API_PAGE_SIZE_MAX = 200
SIMPLE_HISTORY_REVERT_DISABLED = True


# Background work (big imports and other long jobs): django-tasks with its database backend, so no
# broker is needed; `ecomops db_worker` runs the queue (`make run` starts one beside the server).
# ECOMOPS_TASKS_BACKEND=immediate runs tasks in the caller's process (tests, one-off scripts).
_TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASKS_BACKENDS[os.environ.get("ECOMOPS_TASKS_BACKEND", "database")],
        "QUEUES": ["default", "imports"],
    }
}

# Issue 15: an order export of more rows than this runs in the background (我的导出), not in the request.
ORDER_EXPORT_DIRECT_ROWS = int(os.environ.get("ECOMOPS_ORDER_EXPORT_DIRECT_ROWS", "5000"))

# --- Mail (the periodic management reports, DAT-01) ------------------------------------------
# Outgoing SMTP from the environment. Without ECOMOPS_SMTP_HOST no mail is sent at all (the reports are
# still generated; their list says 未配置邮件). ECOMOPS_SMTP_SECURITY: "starttls" (port 587 by default),
# "ssl" (implicit TLS, 465) or "none" (25). The password is read here only, never logged.
ECOMOPS_MAIL_ENABLED = bool(os.environ.get("ECOMOPS_SMTP_HOST", "").strip())
_SMTP_SECURITY = os.environ.get("ECOMOPS_SMTP_SECURITY", "starttls").strip().lower()
if _SMTP_SECURITY not in {"starttls", "ssl", "none"}:
    raise ImproperlyConfigured('ECOMOPS_SMTP_SECURITY must be "starttls", "ssl" or "none"')
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if ECOMOPS_MAIL_ENABLED
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_HOST = os.environ.get("ECOMOPS_SMTP_HOST", "").strip() or "localhost"
EMAIL_USE_TLS = _SMTP_SECURITY == "starttls"
EMAIL_USE_SSL = _SMTP_SECURITY == "ssl"
try:
    EMAIL_PORT = int(os.environ.get("ECOMOPS_SMTP_PORT") or {"starttls": 587, "ssl": 465, "none": 25}[_SMTP_SECURITY])
    EMAIL_TIMEOUT = int(os.environ.get("ECOMOPS_SMTP_TIMEOUT") or 30)
except ValueError:
    raise ImproperlyConfigured("ECOMOPS_SMTP_PORT and ECOMOPS_SMTP_TIMEOUT must be whole numbers") from None
EMAIL_HOST_USER = os.environ.get("ECOMOPS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ECOMOPS_SMTP_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("ECOMOPS_MAIL_FROM", "") or (
    EMAIL_HOST_USER if "@" in EMAIL_HOST_USER else "ecomops@localhost"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
