"""Settings, driven by the environment.

Embedded default: SQLite under OPSCENTER_DATA_DIR, in-process event bus and tasks.
Production: DATABASE_URL (PostgreSQL), REDIS_URL (event bus), CELERY_BROKER_URL (tasks).
"""

import json
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("OPSCENTER_DATA_DIR", Path.cwd() / "var")).resolve()


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _env_bool(name: str, default: bool = False) -> bool:
    """A switch: 1/0, true/false, yes/no, on/off (any case); anything else is a mistake, refused by name."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name}={os.environ[name]!r}: use one of 1/0, true/false, yes/no, on/off")
    return value in _TRUE


# Importing the settings creates no file or folder (`core.datadir.prepare` does, for the commands that write
# there: migrate, demo, serve). Without SECRET_KEY the embedded default keeps a generated key in its data
# folder: read when it is there, else made up here and written there by `prepare`.
SECRET_KEY_FILE = None if os.environ.get("SECRET_KEY") else DATA_DIR / "secret_key"
if SECRET_KEY_FILE is None:
    SECRET_KEY = os.environ["SECRET_KEY"]
elif SECRET_KEY_FILE.exists():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
else:
    SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "axes",
    "ninja",  # its static Swagger UI for /api/docs, served from here (no CDN: offline, CSP)
    "opscenter.core",
    "opscenter.org",
    "opscenter.reporting",
    "opscenter.alerts",
    "opscenter.dashboard",
    "opscenter.vision",
    "opscenter.emergency",
    "opscenter.surveillance",
    "opscenter.work",
    "opscenter.booking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opscenter.urls"
ASGI_APPLICATION = "opscenter.asgi.application"
WSGI_APPLICATION = "opscenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opscenter.core.context_processors.site",
                "opscenter.org.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'opscenter.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dashboard read while the simulator writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _env_bool("DB_POOL", True):
    # Under ASGI every request may run on another thread: a pool, not per-thread persistent connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "20")),
        "timeout": 10,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))  # made by core.datadir.prepare
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MIMETYPES = {".geojson": "application/geo+json"}  # the offline base map (static/opscenter/map)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "media/"

# Cache (cached trends of past days, ...): in this process by default; shared through Redis when configured,
# so that every web process sees the same invalidations.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Event bus: in-process unless a Redis URL is given (several server processes need Redis).
REDIS_URL = os.environ.get("REDIS_URL", "")
EVENT_BUS_BACKEND = os.environ.get("EVENT_BUS_BACKEND", "redis" if REDIS_URL else "inprocess")
EVENT_BUS_CHANNEL = os.environ.get("EVENT_BUS_CHANNEL", "opscenter.events")
# Validate every published payload against its declared type (core.events): on under the tests.
EVENT_PAYLOAD_CHECKS = os.environ.get("EVENT_PAYLOAD_CHECKS", "") == "1"

# Background tasks: Celery on a broker in production; run in-process (eager) in the embedded default.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged once it has run, and given back to the queue if its worker dies mid-task: a crash
# loses nothing (tasks are idempotent); each worker process takes one task at a time for the same reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds before Redis hands a task taken by a worker that vanished (machine lost) to another worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
# Durable events (core.outbox): a pending entry older than this many seconds is delivered again by the sweep.
OUTBOX_RETRY_SECONDS = int(os.environ.get("OUTBOX_RETRY_SECONDS", "60"))

# Map tiles: any XYZ tile server; empty disables tiles. The maps always have the offline base map (city and former
# district outlines, ward names; docs/maps.md) and keep only its city outline once tiles load.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# Minutes after the due time before an unsent report raises an alert.
REPORT_OVERDUE_GRACE_MINUTES = int(os.environ.get("REPORT_OVERDUE_GRACE_MINUTES", "60"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Text messages to citizens' phones (booking codes, reminders): the log by default; a provider's gateway class
# (a dotted path to a class with `send(phone, text)`) in production.
BOOKING_SMS_BACKEND = os.environ.get("BOOKING_SMS_BACKEND", "opscenter.booking.sms.ConsoleBackend")
BOOKING_SMS_FILE_PATH = os.environ.get("BOOKING_SMS_FILE_PATH", str(DATA_DIR / "sms"))  # FileBackend's folder
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sở Y tế TP.HCM <no-reply@localhost>")

# --- Security -------------------------------------------------------------------------------------------
# Behind HTTPS (OPSCENTER_HTTPS=1; the reverse proxy terminates TLS and sets X-Forwarded-Proto): redirect
# plain HTTP (but the health check), HSTS, cookies only over HTTPS. `manage.py check --deploy` is clean then.
HTTPS = _env_bool("OPSCENTER_HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 86400)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading commits the whole domain to HTTPS in browsers for months: the domain owner's decision.
    SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS or _env_bool("SECURE_COOKIES")  # SECURE_COOKIES: the older switch
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts only from this site, and the pages have no inline script or
# event handler (core/tests/test_csp.py checks every template and page). Styles allow 'unsafe-inline': the
# templates set data-driven widths in style attributes, and ECharts, Leaflet and Swagger UI write style
# attributes and inline styles; an injected style cannot run code. Images: this site, data:/blob: (chart
# exports, Leaflet icons) and the map tile server.
_TILE_ORIGIN = re.sub(r"\{[^}]*\}", "*", "://".join(urlsplit(MAP_TILE_URL)[:2])) if MAP_TILE_URL else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Uploads, the data folder and the embedded database are the service account's alone (core.datadir.prepare
# makes the folder 0700 and the SQLite file 0600).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Logins: django-axes locks a username at one client address out after AXES_FAILURE_LIMIT failures, for
# LOGIN_LOCKOUT_MINUTES; the login page says so (core.auth.login_locked_out). Failures are audited.
AUTHENTICATION_BACKENDS = [
    "opscenter.core.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "opscenter.core.auth.login_locked_out"
AXES_VERBOSE = False

# API tokens expire this many days after they are issued (the admin may choose another date).
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "365"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Scheduled work: Celery beat in production, opscenter.core.scheduler in the embedded default. A schedule is
# seconds between runs or a crontab (local time, CELERY_TIMEZONE); daily jobs run at night, DAILY_JOBS_HOUR.
DAILY = crontab(hour=int(os.environ.get("DAILY_JOBS_HOUR", "2")), minute=0)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "opscenter.core.tasks.sweep_outbox", "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", "30")),
    },
    "check-overdue-reports": {
        "task": "opscenter.reporting.tasks.check_overdue_reports",
        "schedule": float(os.environ.get("OVERDUE_CHECK_SECONDS", "300")),
    },
    "check-waiting-emergency-incidents": {
        "task": "opscenter.emergency.tasks.check_waiting_incidents", "schedule": 30.0,
    },
    "emergency-retention": {"task": "opscenter.emergency.tasks.apply_retention", "schedule": DAILY},
    "check-overdue-directives": {"task": "opscenter.work.tasks.check_overdue_directives", "schedule": 300.0},
    "extract-pending-files": {"task": "opscenter.work.tasks.extract_pending_files", "schedule": 300.0},
    "purge-notifications": {"task": "opscenter.work.tasks.purge_notifications", "schedule": DAILY},
    "booking-slots": {"task": "opscenter.booking.tasks.make_slots", "schedule": DAILY},
    "booking-purge": {"task": "opscenter.booking.tasks.purge", "schedule": DAILY},
    "booking-lead-times": {"task": "opscenter.booking.tasks.publish_lead_times", "schedule": 3600.0},
    "booking-reminders": {"task": "opscenter.booking.tasks.send_reminders", "schedule": crontab(minute=5)},
    "detect-outbreaks": {"task": "opscenter.surveillance.tasks.detect_outbreaks", "schedule": DAILY},
    "compute-forecasts": {"task": "opscenter.surveillance.tasks.compute_forecasts", "schedule": DAILY},
    "purge-expired-camera-evidence": {"task": "opscenter.vision.tasks.purge_expired_evidence", "schedule": DAILY},
    "erase-expired-case-personal-data": {
        "task": "opscenter.surveillance.tasks.erase_expired_personal_data", "schedule": DAILY,
    },
}

# 115: an OpenStreetMap road graph (GraphML or .osm) for travel times; straight-line model without it.
EMERGENCY_ROAD_GRAPH = os.environ.get("EMERGENCY_ROAD_GRAPH", "")
EMERGENCY_PERSONAL_DATA_DAYS = int(os.environ.get("EMERGENCY_PERSONAL_DATA_DAYS", "90"))
EMERGENCY_TRACK_DAYS = int(os.environ.get("EMERGENCY_TRACK_DAYS", "30"))
# How much a hospital's state is worth in seconds of extra travel when ranking destinations, as JSON, e.g.
# {"no_ed_bed_s": 900, "per_waiting_patient_s": 45}; the rest keep their defaults (docs/emergency.md).
EMERGENCY_DESTINATION_WEIGHTS = json.loads(os.environ.get("EMERGENCY_DESTINATION_WEIGHTS") or "{}")

# Official documents: upload limit, and how long in-app notifications are kept.
WORK_MAX_UPLOAD_MB = int(os.environ.get("WORK_MAX_UPLOAD_MB", "25"))
WORK_NOTIFICATION_RETENTION_DAYS = int(os.environ.get("WORK_NOTIFICATION_RETENTION_DAYS", "180"))

# Camera evidence: face crops and snapshots are deleted this many days after they were taken.
VISION_FACE_RETENTION_DAYS = int(os.environ.get("VISION_FACE_RETENTION_DAYS", "30"))
VISION_SNAPSHOT_RETENTION_DAYS = int(os.environ.get("VISION_SNAPSHOT_RETENTION_DAYS", "90"))

# Appointments: the personal data of a booking is erased this many days after its time.
BOOKING_RETENTION_DAYS = int(os.environ.get("BOOKING_RETENTION_DAYS", "30"))

# Personal data of case reports is erased this many days after the case was reported.
SURVEILLANCE_PERSONAL_DATA_DAYS = int(os.environ.get("SURVEILLANCE_PERSONAL_DATA_DAYS", "365"))
