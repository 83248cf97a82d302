"""Corridor settings, read from the environment (see README: Configuration).

Defaults run the embedded system: SQLite under var/, Celery on kombu's
filesystem transport. Production sets DATABASE_URL and CELERY_BROKER_URL.
"""

import base64
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CORRIDOR_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# Shown on the sign-in page and in titles: pick something that does not say
# what the service is, if a deployment needs that.
SITE_TITLE = env_str("SITE_TITLE", "Corridor")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "crypto",
    "accounts",
    "drafts",
    "intake",
    "referrals",
    "evacuations",
    "network",
    "conversations",
    "evidence",
    "portal",
    "retention",
    "reminders",
    "stats",
    "audit",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ops.middleware.SecurityHeadersMiddleware",
    "ops.middleware.HealthMiddleware",  # JSON, and no session lookup, whatever is down
    # Outside everything that may redirect (sign-in, session limits, views).
    "ops.middleware.ScriptedSubmitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a row: keys that cannot read the key check stop here.
    "crypto.middleware.KeyCheckMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the first read of a form: an upload is encrypted as it is parsed.
    "evidence.middleware.SealUploadsMiddleware",
    "ops.middleware.RejectNullBytesMiddleware",
    "ops.overflow.RejectOversizedIdsMiddleware",
    "ops.csrf.NoReferrerCsrfViewMiddleware",  # Django's, working under no-referrer
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it answers a locked-out sign-in before the view runs.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",  # the duress password beside the real one
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# The name an authenticator app lists the account under: on a seized phone it
# must say no more than the sign-in page does.
OTP_TOTP_ISSUER = SITE_TITLE

# --- Sign-in throttling (django-axes) -----------------------------------------
# Five failures lock the account, and five from one client lock that
# client, for 15 minutes: an attacker locks only the accounts they try and
# their own address, never everyone. What is stored: accounts/security.py.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_CALLABLE = "accounts.security.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.security.pseudonymous_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "reminders.context_processors.bell",
                "ops.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'corridor.sqlite3'}"),
        # A new PostgreSQL connection per request costs more than the page:
        # keep it, and check it is alive before each request reuses it.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes share the embedded database (two web workers, the job
    # worker): readers never wait for a writer (WAL), writers queue for the
    # lock at BEGIN instead of failing halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# The password may also come from a file, so it stays out of DATABASE_URL.
if _db_password := env_secret("DATABASE_PASSWORD", required=False):
    DATABASES["default"]["PASSWORD"] = _db_password
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.coercion.DiffersFromDuressPassword"},
]

# --- Encryption -------------------------------------------------------------
# django-encrypted-model-fields reads FIELD_ENCRYPTION_KEY: a list of Fernet
# keys, the first encrypts and all decrypt (so a rotation can add a new key
# in front and retire the old one once everything is re-encrypted).
FIELD_ENCRYPTION_KEY = [k.strip() for k in env_secret("FIELD_ENCRYPTION_KEYS").split(",")]
for _key in FIELD_ENCRYPTION_KEY:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys "
            "(32 url-safe base64-encoded bytes each)."
        ) from None
# The blind index has its own key: a leaked index key must not help decrypt,
# and a leaked encryption key must not make handles guessable offline.
BLIND_INDEX_KEY = env_secret("BLIND_INDEX_KEY")
if len(BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured("BLIND_INDEX_KEY must be at least 32 characters of random data.")
if BLIND_INDEX_KEY in FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("BLIND_INDEX_KEY must differ from every FIELD_ENCRYPTION_KEYS key.")

# --- Sessions and security headers -----------------------------------------
SESSION_ENGINE = "accounts.sessions"  # stores a keyed hash of each session key
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# Enforced by accounts.middleware: idle timeout, and a lifetime that no
# activity extends (Django's own expiry slides with every save).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 15 * 60)
SESSION_ABSOLUTE_AGE = SESSION_COOKIE_AGE
# Forgetting a person or sharing a contact handle needs the password
# confirmed within this many seconds.
REAUTH_WINDOW = env_int("REAUTH_WINDOW", 5 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
# Gone when the browser closes, as the session cookie is: Django's default
# keeps it a year, and a seized phone would show which site was opened.
CSRF_COOKIE_AGE = None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
# security.W003 looks for Django's CSRF middleware by name; ours is a subclass
# (ops/csrf.py), and ops.E001 fails if no CSRF middleware is installed at all.
SILENCED_SYSTEM_CHECKS = ["security.W003"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the container healthcheck speaks plain HTTP
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
)
# Every script and style is a file the app serves: injected markup cannot run
# script, load from elsewhere, or post a form to another site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# No form takes files: without handlers an uploaded part is read and dropped,
# never written to a temporary file.
FILE_UPLOAD_HANDLERS: list[str] = []
DEFAULT_EXCEPTION_REPORTER_FILTER = "ops.error_reports.NoLocalsExceptionReporterFilter"

# Messages name case references: keep them in the session, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A signed-in user's choice is stored on the account (accounts.middleware);
# the cookie carries it to the sign-in page. It says only "en" or "ru", so
# it may outlive the browser session, unlike the session cookie.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Strict"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Evidence files (evidence/) -------------------------------------------------
# Each file has a data key of its own (a Tink streaming-AEAD keyset), wrapped
# under the first FILE_ENCRYPTION_KEYS key (AES-256-GCM); every key listed
# unwraps, so a rotation adds a new one in front (README: Evidence files).
FILE_ENCRYPTION_KEYS = [k.strip() for k in env_secret("FILE_ENCRYPTION_KEYS").split(",")]
for _key in FILE_ENCRYPTION_KEYS:
    try:
        if len(base64.urlsafe_b64decode(_key.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            "FILE_ENCRYPTION_KEYS must be comma-separated keys of 32 url-safe "
            "base64-encoded bytes each."
        ) from None
    if _key in (BLIND_INDEX_KEY, *FIELD_ENCRYPTION_KEY):
        raise ImproperlyConfigured("FILE_ENCRYPTION_KEYS must differ from the other keys.")
# No view receives a file but through evidence's sealing upload handler, which
# encrypts as it reads: Django's own would put the plaintext in /tmp.
FILE_UPLOAD_HANDLERS: list[str] = []
# Larger uploads are refused with a message, after the whole body is read
# (a proxy in front should cap the body a little above this).
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 50)
# An image with more pixels is refused before it is decoded: a decompression bomb.
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 50_000_000)
# Ciphertext only, while an upload is received: on the file store's disk when
# it is the file system, so the finished object is moved, not copied.
FILE_SPOOL_DIR = VAR_DIR / "spool"
# "filesystem" (var/files, never under static and never served by a web
# server) or "s3", any S3-compatible store (MinIO in docker-compose.yml).
FILE_STORE = env_str("FILE_STORE", "filesystem")
if FILE_STORE == "filesystem":
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(VAR_DIR / "files"),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
elif FILE_STORE == "s3":
    from boto3.s3.transfer import TransferConfig

    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", "corridor-files"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "us-east-1"),
            "access_key": env_secret("S3_ACCESS_KEY_ID"),
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY"),
            # No ACL: the bucket is private (MinIO's init makes it so), and AWS
            # refuses any ACL on a bucket with ACLs disabled, its default.
            "default_acl": None,
            # One part in memory at a time: boto3's threads held 100 MB of a 200 MB upload.
            "transfer_config": TransferConfig(use_threads=False),
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": "path",
        },
    }
else:
    raise ImproperlyConfigured('FILE_STORE must be "filesystem" or "s3".')

# --- Celery -------------------------------------------------------------------
# Without CELERY_BROKER_URL the embedded default uses kombu's filesystem
# transport under var/celery: a real broker with no Redis to install.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("queue", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
# Redis hands a message that was taken but never acknowledged (its worker
# was killed mid-job) to another worker once this many seconds have passed
# since it was taken, looking every 10 seconds. It must outlast every job and
# its retries (system check core.E001), so a job still running is never
# handed out twice. kombu's default is an hour of a restarted worker idling.
JOBS_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 5 * 60)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": JOBS_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# /health/ reports the jobs late after three missed heartbeats.
HEARTBEAT_SECONDS = 20
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "ops.tasks.heartbeat", "schedule": float(HEARTBEAT_SECONDS)},
    "purge-expired": {"task": "retention.tasks.purge_expired", "schedule": 60.0 * 60},
    # Files of purged cases whose objects the store did not delete at once.
    "files-sweep": {"task": "evidence.tasks.sweep", "schedule": 10 * 60.0},
    # Every minute: a missed check-in must reach a coordinator at once.
    "scan-reminders": {"task": "reminders.tasks.scan_reminders", "schedule": 60.0},
    "send-reminder-digests": {"task": "reminders.tasks.send_digests", "schedule": 15 * 60.0},
    "expire-referrals": {"task": "referrals.tasks.expire_unanswered", "schedule": 60.0 * 60},
    "purge-stale-drafts": {"task": "drafts.tasks.purge_stale_drafts", "schedule": 60.0 * 60},
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60.0 * 60,
    },
    # Ended portal sessions and limit windows: what they hold goes soon after they end.
    "portal-tidy": {"task": "portal.tasks.tidy", "schedule": 5 * 60.0},
}

# --- Drafts -----------------------------------------------------------------------
# What someone types is kept on the server (encrypted) while they type; a
# draft nobody came back to is deleted after this many hours.
DRAFT_MAX_AGE_HOURS = env_int("DRAFT_MAX_AGE_HOURS", 24)

# --- Retention ------------------------------------------------------------------
# Defaults for the policy an admin edits in the admin site.
CORRIDOR_RETENTION = {
    "CLOSED_AFTER_DAYS": env_int("RETENTION_CLOSED_AFTER_DAYS", 90),
    "STALE_AFTER_DAYS": env_int("RETENTION_STALE_AFTER_DAYS", 30),
    "BATCH_SIZE": 200,
}

# --- Statistics -----------------------------------------------------------------
# A published cell of fewer people than this shows as "<5" (stats/suppression.py).
# At 2 a hidden small cell could only be 1 (zeros are shown), so 3 is the least.
CORRIDOR_STATS_THRESHOLD = env_int("CORRIDOR_STATS_THRESHOLD", 5)
if CORRIDOR_STATS_THRESHOLD < 3:
    raise ImproperlyConfigured("CORRIDOR_STATS_THRESHOLD must be 3 or more.")

# --- Reminders ------------------------------------------------------------------
# Hours to a first response by risk level: critical, high, medium, low.
_first = env_list("FIRST_RESPONSE_HOURS", "1,24,72,168")
try:
    CORRIDOR_FIRST_RESPONSE_HOURS = dict(zip([4, 3, 2, 1], map(int, _first), strict=True))
except ValueError:
    raise ImproperlyConfigured(
        "FIRST_RESPONSE_HOURS must be four whole numbers: critical,high,medium,low"
    ) from None
CORRIDOR_REMINDER_EMAILS = env_bool("REMINDER_EMAILS", False)
# A referral still unanswered this long after its acknowledgement deadline expires.
CORRIDOR_REFERRAL_EXPIRE_AFTER_HOURS = env_int("REFERRAL_EXPIRE_AFTER_HOURS", 72)
# An evacuation leg under way must be confirmed by the end of its planned end
# day plus this many hours, or it escalates like a missed check-in.
CORRIDOR_LEG_GRACE_HOURS = env_int("LEG_GRACE_HOURS", 12)
# A seized phone's contacts that match another team's cases warn that team's
# coordinators ("check your cases"), with nothing of where the warning came from.
CROSS_TEAM_EXPOSURE_WARNINGS = env_bool("CROSS_TEAM_EXPOSURE_WARNINGS", True)
CORRIDOR_BASE_URL = env_str("CORRIDOR_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where the file backend (django.core.mail.backends.filebased.EmailBackend) writes.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", required=False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# A reminder lands in a mailbox that may be seized: the sender must not name the service.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")

# --- The person's portal (portal/) ------------------------------------------------
# Where the page for the people we help lives: an innocuous path of its own,
# so a reverse proxy or an onion service can publish it and nothing else.
PORTAL_PATH = "/" + env_str("PORTAL_PATH", "/write/").strip("/") + "/"
if PORTAL_PATH == "//":
    raise ImproperlyConfigured("PORTAL_PATH must be a path of its own, such as /write/.")
# The team that receives requests: by the person's region where one is named
# (PORTAL_TEAMS_BY_REGION="chechnya=North hotline,dagestan=South relocation"),
# else PORTAL_TEAM; without PORTAL_TEAM the portal says it is closed and stores
# nothing, so no request is ever typed in for nobody.
PORTAL_TEAM = env_str("PORTAL_TEAM", "")
try:
    PORTAL_TEAMS_BY_REGION = dict(
        pair.split("=", 1) for pair in env_list("PORTAL_TEAMS_BY_REGION", "") if pair
    )
except ValueError:
    raise ImproperlyConfigured(
        "PORTAL_TEAMS_BY_REGION must read region=team name, separated by commas."
    ) from None
# Tor Browser tells every site "en-US": the portal starts in the language of
# the people it serves, and says how to switch.
PORTAL_LANGUAGE = env_str("PORTAL_LANGUAGE", "ru")
# Keys the codename lookup value (portal/codenames.py). Changing it signs
# nobody in any more: it is kept as the encryption keys are.
CODENAME_KEY = env_secret("CODENAME_KEY")
if len(CODENAME_KEY) < 32:
    raise ImproperlyConfigured("CODENAME_KEY must be at least 32 characters of random data.")
if CODENAME_KEY in (BLIND_INDEX_KEY, *FIELD_ENCRYPTION_KEY):
    raise ImproperlyConfigured("CODENAME_KEY must differ from the other keys.")
# Argon2id for codenames, chosen for two cores: about 70 ms and 64 MiB a
# sign-in (bench/README.md). Stored with each hash: a change applies to
# codenames made after it and never locks out the older ones.
PORTAL_ARGON2 = {
    "time_cost": env_int("PORTAL_ARGON2_TIME_COST", 3),
    "memory_cost": env_int("PORTAL_ARGON2_MEMORY_KIB", 64 * 1024),
    "parallelism": env_int("PORTAL_ARGON2_PARALLELISM", 2),
}


def _limit(variable: str, default: str) -> tuple[int, int]:
    """A limit read from the environment as "COUNT/SECONDS"."""
    try:
        count, seconds = (int(part) for part in env_str(variable, default).split("/"))
    except ValueError:
        raise ImproperlyConfigured(f"{variable} must read COUNT/SECONDS.") from None
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"{variable} must be positive.")
    return count, seconds


# Per client (a keyed hash of the address: one Tor exit, or the onion
# service's 127.0.0.1, is one client for many people) and for everyone. Each
# sign-in or request costs one Argon2id hash; the global limits bound that
# work, and how many requests a team can be flooded with (README, "Portal").
PORTAL_LIMITS = {
    "sign_in_client": _limit("PORTAL_LIMIT_SIGN_IN_CLIENT", "10/900"),
    "sign_in_all": _limit("PORTAL_LIMIT_SIGN_IN_ALL", "120/60"),
    "request_client": _limit("PORTAL_LIMIT_REQUEST_CLIENT", "5/3600"),
    "request_all": _limit("PORTAL_LIMIT_REQUEST_ALL", "60/3600"),
    "message_case": _limit("PORTAL_LIMIT_MESSAGE_CASE", "30/3600"),
    "message_all": _limit("PORTAL_LIMIT_MESSAGE_ALL", "600/3600"),
    # Sessions opened only to keep a refused form for its next page: a flood of
    # bad forms costs no Argon2, but each kept form is a row for 15 minutes.
    "held_all": _limit("PORTAL_LIMIT_HELD_ALL", "600/900"),
}
# A signed-in portal session ends after this long without a page, and after
# PORTAL_SESSION_AGE whatever happens.
PORTAL_SESSION_IDLE = env_int("PORTAL_SESSION_IDLE", 15 * 60)
PORTAL_SESSION_AGE = env_int("PORTAL_SESSION_AGE", 2 * 60 * 60)

# --- Audit alerts -----------------------------------------------------------------
CORRIDOR_AUDIT = {
    "CASES_PER_HOUR": env_int("AUDIT_ALERT_CASES_PER_HOUR", 30),
    # Local hours from START to END (over midnight) count as unusual.
    "QUIET_HOURS": (env_int("AUDIT_QUIET_HOURS_START", 22), env_int("AUDIT_QUIET_HOURS_END", 6)),
}

# --- Logging ------------------------------------------------------------------
# Log lines carry opaque references and status codes only; no view logs case
# content, and request bodies are never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Libraries that read files' contents log at INFO what says nothing useful
    # (pikepdf's start), and at WARNING what a damaged file made them do.
    "loggers": {
        name: {"level": "WARNING"} for name in ("pikepdf", "PIL", "fontTools", "weasyprint")
    },
}
