"""MSO Portal settings: one module, driven by environment variables.

With no environment at all it runs the embedded default: a SQLite file, Celery tasks run
in-process, a local-memory cache and email printed to the console. Production sets
DATABASE_URL (PostgreSQL), REDIS_URL (Celery broker and cache), SECRET_KEY, ALLOWED_HOSTS and
the email settings. See docs/adr/0001-settings.md and README.md.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# pytest sets PYTEST_VERSION for the length of a test session.
TESTING = "PYTEST_VERSION" in os.environ

# Required unless DEBUG. Left empty, Django refuses to use it, and the web and worker
# processes refuse to start (mso_portal/startup.py); offline commands such as makemigrations
# still run.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-key-for-local-development-and-tests-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address every emailed link is built from (never the request's Host header).
# Required, and https, for the web and worker processes in production (mso_portal/startup.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "mso_portal.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "csp",
    "auditlog",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    # The project's apps, floor by floor: each imports only those listed before it
    # (docs/architecture.md; tests/test_layers.py).
    "core",
    # A local stand-in for LFPSE's submission API (development, demo, tests): it imports no app.
    "lfpse_simulator",
    "medicines",
    "notifications",
    "accounts",
    "organisations",
    "networks",
    "incidents",
    "controlled_drugs",
    "alerts",
    "improvement",
    "committees",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.kept_typing.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.mfa.RequireMFAMiddleware",
    "core.audit.AuditMiddleware",
]

ROOT_URLCONF = "mso_portal.urls"
WSGI_APPLICATION = "mso_portal.wsgi.application"
ASGI_APPLICATION = "mso_portal.asgi.application"

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
                "organisations.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# A read replica of the database (a streaming replica of PostgreSQL), when set: the national
# views read from it (core/replica.py), everything else from the primary, and every write goes
# to the primary. A browser that has just changed something reads the primary for
# REPLICA_PIN_SECONDS, longer than the replica lags behind. The tests make a test database for
# it and read from it only where they show it (tests/test_replica.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
REPLICA_READS = bool(DATABASE_REPLICA_URL) and not TESTING
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "30"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        # The tests' copy is made from the models, not by the migrations (whose data steps
        # read the primary); tests/test_replica.py fills it from the primary.
        test_options={"MIGRATE": False},
    )
    # A replica that does not answer is given up on within seconds (core/replica.py).
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
    MIDDLEWARE.append("core.replica.PinToPrimaryMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: when set, the Celery broker and the cache; when unset, eager tasks and local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if TESTING and REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # A parallel test run: each worker (gw0, gw1, …) has a Redis database of its own, after
    # the one named, so one worker clearing its cache or its queues never touches another's.
    _base, _, _database = REDIS_URL.rpartition("/")
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    REDIS_URL = f"{_base}/{int(_database or 0) + 1 + _worker}"
# The cache is shared by every web process and worker: Redis when there is one. While Redis
# does not answer, each process uses the database's cache table instead (core/cache.py, ADR 35):
# pages, rate limits and counts go on working, only slower. Sessions are kept in the database.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database"},
        },
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "mso"),
            # A Redis that does not answer is given up on within a second, not a minute.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache",
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "mso"),
            # Not Django's 300 entries, past which it drops a third of them (sign-in rate
            # limits among them) on every write: as many as an outage of Redis may need.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Work done after a transaction commits (core.tasks.after_commit) is logged, not raised, when
# it fails: the request that committed answers as saved. Tests raise it, to see its faults.
AFTER_COMMIT_RAISES = TESTING

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Tasks run in-process without Redis, and under pytest (tests/notifications/test_worker.py
# drives a real worker through the real broker).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
# The queues, named after the deployment's (CELERY_QUEUE), so deployments can share a Redis.
# Work of each kind waits in a queue of its own, so a national alert's fan-out or a burst of
# PDFs never holds up a reminder (docs/operations.md runs a worker for each, or one for all).
CELERY_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE
CELERY_WORK_QUEUES = {
    work: f"{CELERY_QUEUE}.{work}" for work in ("fan-out", "reminders", "pdfs", "imports")
}
# A worker started without -Q reads them all; one started with -Q reads those named.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in (CELERY_QUEUE, *CELERY_WORK_QUEUES.values())
]
CELERY_TASK_ROUTES = {
    "alerts.tasks.fan_out": {"queue": CELERY_WORK_QUEUES["fan-out"]},
    "notifications.tasks.*": {"queue": CELERY_WORK_QUEUES["reminders"]},
    "accounts.tasks.*": {"queue": CELERY_WORK_QUEUES["reminders"]},
    "committees.tasks.make_report_pdf": {"queue": CELERY_WORK_QUEUES["pdfs"]},
    "alerts.tasks.read_alert_feeds": {"queue": CELERY_WORK_QUEUES["imports"]},
}
# How long a task may run before it is stopped (seconds): every task, and the longer ones.
# A report's PDF still "being made" after REPORT_PDF_SECONDS could not be made, and may be
# asked for again.
REPORT_PDF_SECONDS = int(os.environ.get("REPORT_PDF_SECONDS", "180"))
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 270
CELERY_TASK_ANNOTATIONS = {
    # Everyone's daily email in one run: thousands of messages, one connection each.
    "notifications.tasks.send_daily_digests": {"time_limit": 1200, "soft_time_limit": 1140},
    "alerts.tasks.fan_out": {"time_limit": 1200, "soft_time_limit": 1140},
    "alerts.tasks.read_alert_feeds": {"time_limit": 600, "soft_time_limit": 570},
    "committees.tasks.make_report_pdf": {
        "time_limit": REPORT_PDF_SECONDS,
        "soft_time_limit": REPORT_PDF_SECONDS - 30,
    },
}
# A task whose worker died is given to another after this long (Redis broker): longer than
# the longest task may run, so a task still running is never given to a second worker. A
# worker looks for such tasks every tenth of that, at most every 10 seconds.
CELERY_LONGEST_TASK_SECONDS = max(
    [CELERY_TASK_TIME_LIMIT] + [limits["time_limit"] for limits in CELERY_TASK_ANNOTATIONS.values()]
)
CELERY_VISIBILITY_TIMEOUT = int(
    os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(CELERY_LONGEST_TASK_SECONDS + 300))
)
# A broker that does not answer is given up on within seconds: what was to be queued waits in
# its outbox (core/tasks.py), and the page answers.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
# One beat (docker-compose's "beat" service) sends these; the engine makes each idempotent.
CELERY_BEAT_SCHEDULE = {
    "reminders": {"task": "notifications.tasks.sweep_reminders", "schedule": crontab(minute=5)},
    "deliver-pending": {"task": "notifications.tasks.deliver_pending", "schedule": 300.0},
    "daily-emails": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Again an hour later: whoever the first run did not reach (a worker lost, its time up, the
    # mail server down) has their daily email then; those sent are not sent again (the claim).
    "daily-emails-again": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    "empty-drafts": {
        "task": "incidents.tasks.purge_empty_drafts",
        "schedule": crontab(hour=3, minute=30),
    },
    "alert-feeds": {"task": "alerts.tasks.read_alert_feeds", "schedule": crontab(minute=20)},
    "lfpse-waiting": {"task": "incidents.tasks.submit_waiting_to_lfpse", "schedule": 300.0},
}
# The alert feeds read every hour (alerts/feeds.py): each new entry naming a CAS reference
# becomes a draft for the national patient safety team to check and publish. Empty: none read
# (the embedded default, which has no network).
ALERT_FEEDS = env_list(
    "ALERT_FEEDS",
    ""
    if DEBUG or TESTING
    else "https://www.gov.uk/drug-device-alerts.atom,https://www.england.nhs.uk/feed/?post_type=psa",
)
# How long a worker holds a notification it is emailing before another may try again.
# A send takes at most a few EMAIL_TIMEOUTs (10 s): two minutes is ample, and a notification
# whose worker died is sent by the next pending pass after that.
NOTIFICATIONS_CLAIM_SECONDS = int(os.environ.get("NOTIFICATIONS_CLAIM_SECONDS", "120"))

# Submitting incidents to LFPSE (incidents/lfpse/, docs/adr/0030-incidents-submitted-to-lfpse.md).
# On (LFPSE_SUBMISSION), a deployment names the submission API's address and its Azure API
# Management subscription key, or the web and worker processes refuse to start. Off, incidents
# marked ready wait in the outbox until it is on. In development and tests the local simulator
# (lfpse_simulator, mounted only then) answers in-process when no LFPSE_BASE_URL is given.
LFPSE_SIMULATOR = (DEBUG or TESTING) and env_bool("LFPSE_SIMULATOR", True)
LFPSE_SUBMISSION = env_bool("LFPSE_SUBMISSION", LFPSE_SIMULATOR)
LFPSE_BASE_URL = os.environ.get("LFPSE_BASE_URL", "").rstrip("/")
LFPSE_API_KEY = os.environ.get("LFPSE_API_KEY", "") or ("simulator-key" if LFPSE_SIMULATOR else "")
LFPSE_TIMEOUT_SECONDS = float(os.environ.get("LFPSE_TIMEOUT_SECONDS", "20"))
# How long a worker holds a submission it is sending before another may try again.
LFPSE_CLAIM_SECONDS = int(os.environ.get("LFPSE_CLAIM_SECONDS", "120"))

# The REST API (api/, docs/adr/0031-a-rest-api.md): a person's token signs each call in, never
# a session; every error answers in one shape (drf-standardized-errors); each token may make
# API_RATE calls (so many a second, minute, hour or day) before it is asked to wait, and a
# client address API_FAILED_RATE calls without a working token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.Json"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE", "120/min"),
        "address": os.environ.get("API_FAILED_RATE", "30/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MSO Portal API",
    "DESCRIPTION": (
        "Version 1. Each call is made with a person's API token (made on their account page), "
        "sent as `Authorization: Bearer <token>`: it sees and does what the person may on the "
        "pages, within the token's scopes. Lists are read a page at a time: follow `next`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v[0-9]+",
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # drf-standardized-errors' error codes, each named once in the schema.
    "ENUM_NAME_OVERRIDES": {
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in (
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ServerErrorEnum",
                "ErrorCode401Enum",
                "ErrorCode403Enum",
                "ErrorCode404Enum",
                "ErrorCode405Enum",
                "ErrorCode406Enum",
                "ErrorCode415Enum",
                "ErrorCode429Enum",
                "ErrorCode500Enum",
            )
        },
        "ResponseStateEnum": "alerts.choices.ResponseState.choices",
        "ActionStateEnum": "alerts.choices.ActionState.choices",
        "ReportStateEnum": "committees.choices.ReportState.choices",
        "IncidentStatusEnum": "incidents.models.Status.choices",
        "LfpseStateEnum": "incidents.models.ExportState.choices",
        "RegisterStateEnum": "organisations.register.State.choices",
        "YesNoUnknownEnum": "incidents.choices.YES_NO_UNKNOWN.choices",
        "YesNoEnum": "incidents.forms.YES_NO",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}
DRF_STANDARDIZED_ERRORS = {"ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "429"]}

# Accounts: email sign-in through django-allauth; no public sign-up (people are invited).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# Password reset for an unknown address: the same page as for a known one, and no email.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# A reset link's token that writes nothing to the account (accounts/tokens.py).
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "accounts.tokens.ResetTokenGenerator"  # noqa: S105
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Login throttling (allauth's rate limits use the cache): failed sign-ins per IP and per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entries to trust, so that
# rate limits count each client's own address and not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MSO Portal] "
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}

# Multi-factor authentication (django-allauth's MFA): required for every grant that will see
# incident detail, sign off alerts or run the service (organisations/permissions.py,
# second_factor_grants). On unless MFA_REQUIRED=0 (the demo run turns it off and says so).
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
# An account with no second factor yet sets one up only this soon after signing in with its
# password; a session kept from before is asked to sign in again (accounts/mfa.py).
MFA_SETUP_SECONDS = 10 * 60
# An authenticator app works everywhere, without JavaScript; a security key or passkey
# (WebAuthn) needs JavaScript in the browser. http origins are accepted only in development
# and tests (on localhost); production serves https.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
MFA_TOTP_ISSUER = "MSO Portal"
MFA_RECOVERY_CODE_COUNT = 10
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# allauth refuses a second factor to an account with an unverified address, against someone
# signing up with another's address; nobody signs up here: every account comes from an
# invitation to its address (or a site administrator), so the address is never in doubt.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.ReauthenticateMFAForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
    "add_webauthn": "accounts.forms.AddWebAuthnForm",
    "edit_webauthn": "accounts.forms.EditWebAuthnForm",
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "accounts.validators.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-password-2026")

# Forms: our NHS.UK template pack for django-crispy-forms (templates/nhsuk/).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not (DEBUG or TESTING)

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds an SMTP connection may take; a request that sends email never waits longer.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "MSO Portal <no-reply@mso-portal.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people write for help with the service (the contact page and the footer).
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "mso-portal.support@example.nhs.uk")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# Static files: our own in static/, NHS.UK frontend and alphagov's accessible-autocomplete (the
# dm+d medicine picker, ADR 22) from npm (node_modules, built not committed).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
    (
        "accessible-autocomplete",
        BASE_DIR / "node_modules" / "accessible-autocomplete" / "dist",
    ),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files (the networks' libraries, incidents' attachments, alert evidence, protocols,
# report PDFs): on this machine's disk (MEDIA_ROOT) by default, for `make run` and the tests;
# in an S3 bucket when MEDIA_BUCKET is set (AWS S3, or MinIO at MEDIA_ENDPOINT_URL), so every
# web server and worker reads the same files (docs/operations.md). The bucket is private (AWS
# S3's default; docker-compose's is made so): no file has a public address, and none is given
# an ACL of its own (buckets that refuse ACLs, AWS's default since 2023, take them as they are).
# Each file is sent only by a view that checks who asks, which reads it from the bucket
# (core.uploads.download), never by a redirect to the bucket. Credentials come from the
# environment as boto3 finds them (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the
# machine's role).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "private-media"))
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "")
if MEDIA_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": os.environ.get("MEDIA_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_REGION") or None,
            # MinIO serves buckets by path (http://minio:9000/bucket/key), not by host name.
            "addressing_style": "path" if os.environ.get("MEDIA_ENDPOINT_URL") else None,
            "location": os.environ.get("MEDIA_PREFIX", ""),
            "default_acl": None,
            # A URL to a file, should code ever ask for one, is signed and lasts a minute.
            "querystring_auth": True,
            "querystring_expire": 60,
            # A name in use is never written over (as on disk): another is chosen.
            "file_overwrite": False,
            # A file read for sending is held in memory up to 1 MB, then in a temporary file.
            "max_memory_size": 1024 * 1024,
        },
    }
# Files shared in a network's library (networks/uploads.py): never served from MEDIA_ROOT
# directly, only through a view that checks who asks.
RESOURCE_MAX_BYTES = int(os.environ.get("RESOURCE_MAX_BYTES", str(10 * 1024 * 1024)))
# Every form takes one file at a time: a request carrying many is refused before it is read.
DATA_UPLOAD_MAX_NUMBER_FILES = 2
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Security: production defaults, relaxed only for local DEBUG.
SESSION_COOKIE_HTTPONLY = True
# A session ends after 30 minutes without a request and after 12 hours in all
# (core/middleware.py); the cookie itself lasts no longer than that.
SESSION_IDLE_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers check over plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): our own scripts and styles only, no inline script, no
# framing. The QR code of an authenticator app is a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no browser feature the service does not use.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "usb",
        "xr-spatial-tracking",
    )
}
SILENCED_SYSTEM_CHECKS = [
    "security.W021",  # HSTS preload is a deliberate choice per deployment
    # An index's included columns (IncidentMonth's total) are PostgreSQL's; SQLite, the
    # embedded default, keeps the index without them.
    "models.W040",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secret_links": {"()": "core.logging.RedactSecretLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secret_links"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own loggers, through the same redacting handler (and only once).
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
