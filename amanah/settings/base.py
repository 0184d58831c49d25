"""Settings read from the environment, with an embedded default for every value.

With nothing set the portal runs on SQLite under var/, Celery tasks run in-process and
SADAD is simulated. With DATABASE_URL and REDIS_URL it runs on PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-embedded-default-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Demo/training mode: a banner on every page, demo-only actions (the simulated bank).
DEMO_MODE = env.bool("AMANAH_DEMO_MODE", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "axes",
    "simple_history",
    "django_celery_beat",
    # Order matters for seed_demo: each app's demo data builds on the ones before it.
    "amanah",
    "workflow",
    "payments",
    "permits",
    "violations",
]
# The simulated SADAD (its own tables, its bank) exists only where demo mode is allowed.
SADAD_SIMULATOR_APP = "payments.sadad.simulator"
if DEMO_MODE:
    INSTALLED_APPS.append(SADAD_SIMULATOR_APP)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "amanah.middleware.RequestIdMiddleware",
    # Under /api/, a 4xx Django answered before any API view (no such route) is the API's body.
    "amanah.api_errors.ApiErrorBodyMiddleware",
    # Before the session reads its cookie; refuses NUL and other control characters in any
    # path, query string, form or JSON body with a 400 before a view or query sees them.
    "amanah.input_guard.UnsafeInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last so that it sees the result of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "amanah.urls"
WSGI_APPLICATION = "amanah.wsgi.application"

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
                "amanah.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'amanah.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # A request never waits for ever on a row lock: it fails fast and the caller retries.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", f"-c lock_timeout={env.int('DATABASE_LOCK_TIMEOUT_MS', default=5000)}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "amanah.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "amanah.auth.backends.NationalIdBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "amanah:sign_in"
LOGIN_REDIRECT_URL = "amanah:home"
LOGOUT_REDIRECT_URL = "amanah:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Riyadh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Case documents citizens upload: outside MEDIA_ROOT, served only through permission checks.
WORKFLOW_PRIVATE_ROOT = env.path("WORKFLOW_PRIVATE_ROOT", default=str(VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Uploads -------------------------------------------------------------------------
# The most one uploaded file may weigh, portal-wide. amanah.uploads.UploadLimitHandler holds
# every multipart request to it while the body streams in, so a larger file is never
# buffered in memory or written to the temp folder; each kind of document may allow less
# (amanah.uploads.UploadPolicy).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "amanah.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A file up to this size stays in memory while its request is handled; a larger one goes to a
# temporary file, removed when the request ends.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The non-file fields of one request, held in memory (files do not count against it, so it is
# never the thing to raise for bigger uploads).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# No form of the portal takes more than one file.
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# --- Redis, cache, Celery -------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Results are kept only for the few tasks that ask (benchmarks, checks); the rest ignore them.
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
# Without a broker every task runs in-process, right where it is dispatched (after commit).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# Three queues, each with workers of its own (docker-compose.yml, README), so that bulk work
# never stands between a citizen and money: a burst of receipt PDFs once kept new bills from
# becoming payable for two minutes because uploads waited behind them in the only queue.
# - money: SADAD uploads and the case moves payments ask for (short, latency matters);
# - bulk: PDFs and reconciliation (long, throughput matters);
# - default: routing, SLA sweeps, notifications, expiry.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "payments.outbox_send": {"queue": "money"},
    "payments.outbox_sweep": {"queue": "money"},
    "workflow.case_move_apply": {"queue": "money"},
    "workflow.case_move_sweep": {"queue": "money"},
    "payments.receipt_ensure": {"queue": "bulk"},
    "payments.receipt_sweep": {"queue": "bulk"},
    "payments.recon_run_process": {"queue": "bulk"},
    "payments.recon_inbox_sweep": {"queue": "bulk"},
}
# Time limits per kind of task (seconds): a stuck upload or move is cut short long before a
# reconciliation run would be (which resumes from its checkpoint when cut). The rest use the
# defaults above.
CELERY_TASK_ANNOTATIONS = {
    "payments.outbox_send": {"soft_time_limit": 40, "time_limit": 60},  # HTTP timeout 10 s
    "payments.outbox_sweep": {"soft_time_limit": 240, "time_limit": 300},
    "workflow.case_move_apply": {"soft_time_limit": 20, "time_limit": 30},
    "workflow.case_move_sweep": {"soft_time_limit": 110, "time_limit": 120},
    "workflow.case_route": {"soft_time_limit": 20, "time_limit": 30},
    "workflow.case_route_sweep": {"soft_time_limit": 110, "time_limit": 120},
    "payments.receipt_ensure": {"soft_time_limit": 60, "time_limit": 90},
    "payments.recon_run_process": {"soft_time_limit": env.int("RECON_SOFT_TIME_LIMIT",
                                                              default=240),
                                   "time_limit": env.int("RECON_TIME_LIMIT", default=300)},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# The periodic schedule lives in code (amanah/celery.py) so that it is reviewed and versioned;
# django-celery-beat's scheduler mirrors it into the admin where it can be paused or retimed.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Sign-in -------------------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A locked-out sign-in gets the sign-in page again, with the reason, in the page's language.
AXES_LOCKOUT_CALLABLE = "amanah.auth.views.lockout"
# `١٠٢…` and `102…` are one person to the lockout counter.
AXES_USERNAME_CALLABLE = "amanah.auth.backends.axes_username"

OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=300)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
SMS_BACKEND = env.str("SMS_BACKEND", default="amanah.notifications.LogSmsBackend")

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "amanah.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public_inquiry": "30/minute", "anon": "60/minute"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# --- API reference (/api/v1/schema/, /api/v1/docs/) ------------------------------------
SPECTACULAR_SETTINGS = {
    "TITLE": "Amanah Portal API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "REST API of the Amanah Portal for other government systems.\n\n"
        "**Authentication.** For now the case API uses the portal's *session* (sign in on the "
        "portal, send the `sessionid` cookie, and the `X-CSRFToken` header on POST). There is no "
        "token or client-certificate authentication yet. The public case status check and the "
        "public bill inquiry need no sign-in and are rate-limited per client address.\n\n"
        "**Errors.** Every refusal is a 4xx answer with the body `ApiError`: a stable `code` for "
        "machines and `detail` in the request's language; refusals by a business rule also carry "
        "`detail_ar`, `detail_en` and, when one form field is at fault, `field`; invalid input "
        "(`code` = `validation_error`) carries `errors`, the messages per field. Branch on "
        "`code`, never on the text.\n\n"
        "**SADAD.** The SADAD biller endpoints under `/sadad/` are XML, not part of this API; "
        "their protocol is the SADAD biller specification."
    ),
    # Only the integration API: the schema and docs endpoints themselves are not listed.
    "SERVE_INCLUDE_SCHEMA": False,
    # Integrators read the reference before they have an account.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    "PREPROCESSING_HOOKS": ["amanah.api_schema.only_api_v1"],
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "StatusCategoryEnum": "workflow.enums.StatusCategory",
        "SlaStatusEnum": "workflow.enums.SlaStatus",
        "BillStatusEnum": "payments.enums.BillStatus",
    },
}

# --- SADAD ---------------------------------------------------------------------------
SADAD_BILLER_ID = env.str("SADAD_BILLER_ID", default="090")
# Where the public reaches the portal: printed in receipt QR codes, which outlive any request.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
SADAD_BASE_URL = env.str("SADAD_BASE_URL", default="")
SADAD_INBOUND_KEYS = env.list("SADAD_INBOUND_KEYS", default=["demo-inbound-key"])
SADAD_OUTBOUND_KEY = env.str("SADAD_OUTBOUND_KEY", default="demo-outbound-key")
SADAD_RECON_INBOX = env.path("SADAD_RECON_INBOX", default=str(VAR_DIR / "sadad-inbox"))
# Files received on POST /sadad/reconciliation-files wait here for a worker (a shared folder).
SADAD_RECON_STORE = env.path("SADAD_RECON_STORE", default=str(VAR_DIR / "sadad-recon"))
# The simulated SADAD by default only in demo mode without a SADAD to talk to; it is refused at
# start-up where its app is not installed (see payments.gateway).
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY",
                           default="simulator" if DEMO_MODE and not SADAD_BASE_URL else "sadad")

# --- Logging -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "amanah.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain",
                    "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
