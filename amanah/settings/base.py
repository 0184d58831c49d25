"""Settings read from the environment, with an embedded default for every value.

With nothing set the portal runs on SQLite under var/, Celery tasks run in-process and
SADAD is simulated. With DATABASE_URL and REDIS_URL it runs on PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .deployment import DEMO_INBOUND_KEY, DEMO_OUTBOUND_KEY, DEMO_SIMULATOR_KEY

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-embedded-default-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A form whose security token is missing or stale gets the portal's page, not Django's English one.
CSRF_FAILURE_VIEW = "amanah.error_pages.csrf_failure"

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
    "csp",
    # Staff sign in with a second factor: TOTP (an authenticator app) or a recovery code.
    "django_otp",
    "django_otp.plugins.otp_totp",
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
    # First: SADAD's machine endpoints leave here for the machine stack below (amanah.machine).
    "amanah.machine.MachineEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "amanah.middleware.RequestIdMiddleware",
    "csp.middleware.CSPMiddleware",
    "amanah.headers.PrivacyHeadersMiddleware",
    # Under /api/, a 4xx Django answered before any API view (no such route) is the API's body.
    "amanah.api_errors.ApiErrorBodyMiddleware",
    # Before the session reads its cookie; refuses NUL and other control characters in any
    # path, query string, form or JSON body with a 400 before a view or query sees them.
    "amanah.input_guard.UnsafeInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A body that is not a form, over DATA_UPLOAD_MAX_MEMORY_SIZE, is refused before it is read.
    "amanah.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "amanah.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Limits pages by URL name (RATE_LIMITED_PAGES); after sessions and auth, which it reads.
    "amanah.ratelimits.RateLimitMiddleware",
    # After authentication and messages: a signed-in account that has not finished signing in
    # (mobile unconfirmed) reaches only the step it has left (amanah.auth.gate).
    "amanah.auth.gate.AccountGateMiddleware",
    # Axes must be last so that it sees the result of authentication.
    "axes.middleware.AxesMiddleware",
]
# Paths answered through MACHINE_MIDDLEWARE instead: servers posting signed XML, not people —
# no session, sign-in, language, CSRF (the views are csrf_exempt), messages or account gate.
# The same headers and guards as the stack above, in its order (tests/amanah/test_machine_stack).
MACHINE_PATH_PREFIXES = ("/sadad/",)
MACHINE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "amanah.middleware.RequestIdMiddleware",
    # The same policy as CSPMiddleware's, built once.
    "amanah.headers.FixedPolicyCSPMiddleware",
    "amanah.headers.PrivacyHeadersMiddleware",
    "amanah.input_guard.UnsafeInputMiddleware",
    "amanah.request_limits.RequestBodyLimitMiddleware",
    # ALLOWED_HOSTS (get_host) and Content-Length, which keep-alive clients need.
    "django.middleware.common.CommonMiddleware",
    "amanah.machine.NobodySignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# --- Security headers ----------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from the portal's
# own static files — no inline script or style anywhere (templates/ has none; a test checks),
# no CDN, no framing by anyone. Receipt and certificate PDFs keep their <style>: WeasyPrint
# renders them on the server and no browser ever gets them as pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    },
}
# Browser features the portal never uses are off; geolocation stays available to the portal's
# own pages for the permits location picker.
PERMISSIONS_POLICY = {
    "accelerometer": [], "camera": [], "display-capture": [], "geolocation": ["self"],
    "gyroscope": [], "magnetometer": [], "microphone": [], "midi": [], "payment": [],
    "usb": [], "xr-spatial-tracking": [],
}

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
# The Amanah's service hours, in Asia/Riyadh time: the one source for the footer, the SLA
# calendar (workflow/working_time.py) and the analytics' working hours. 08:00-15:00 is what the
# SLA calendar has always counted; days are Python weekdays (Monday 0 ... Sunday 6).
SERVICE_HOURS = {
    "days": tuple(env.list("SERVICE_HOURS_DAYS", cast=int, default=[6, 0, 1, 2, 3])),
    "opens": env.str("SERVICE_HOURS_OPENS", default="08:00"),
    "closes": env.str("SERVICE_HOURS_CLOSES", default="15:00"),
}
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
# never the thing to raise for bigger uploads); and the most a body that is not a form (JSON,
# XML) may weigh, refused from its Content-Length by amanah.request_limits.
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

# How long a process may use its copy of the holidays and departments before it asks the shared
# cache whether they changed; a writer waits as long after its commit (amanah/process_cache.py).
CONFIGURATION_CHECK_SECONDS = env.float("CONFIGURATION_CHECK_SECONDS", default=0.1)

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
    "permits.certificate_ensure": {"queue": "bulk"},
    "permits.certificate_sweep": {"queue": "bulk"},
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
    "permits.certificate_ensure": {"soft_time_limit": 60, "time_limit": 90},
    "payments.recon_run_process": {"soft_time_limit": env.int("RECON_SOFT_TIME_LIMIT",
                                                              default=240),
                                   "time_limit": env.int("RECON_TIME_LIMIT", default=300)},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Every broker key under a prefix (kombu's global_keyprefix), so two portals, or a benchmark's
# portal and a developer's, can share one Redis database without taking each other's tasks.
_broker_key_prefix = env.str("CELERY_BROKER_KEY_PREFIX", default="")
if _broker_key_prefix:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = _broker_key_prefix
# The periodic schedule lives in code (amanah/celery.py) so that it is reviewed and versioned;
# django-celery-beat's scheduler mirrors it into the admin where it can be paused or retimed.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Sign-in -------------------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Failures lock the (account, address) pair; amanah.lockout.LockoutHandler adds the address
# alone (spraying) and the account for unknown addresses (guessing spread over many), and says
# why only the pair is reset by a success.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "amanah.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "amanah.client_address.client_bucket"
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=10)
SIGN_IN_ACCOUNT_ADDRESS_LIMIT = env.int("SIGN_IN_ACCOUNT_ADDRESS_LIMIT", default=20)
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A locked-out sign-in gets the sign-in page again, with the reason, in the page's language.
AXES_LOCKOUT_CALLABLE = "amanah.auth.views.lockout"
# `١٠٢…` and `102…` are one person to the lockout counter.
AXES_USERNAME_CALLABLE = "amanah.auth.backends.axes_username"

# --- Sessions --------------------------------------------------------------------------
# A signed-in session ends after this long without a request (staff sooner: they open other
# people's records), and SESSION_MAX_HOURS after sign-in however active (amanah/sessions.py).
SESSION_IDLE_SECONDS_CITIZEN = env.int("SESSION_IDLE_MINUTES_CITIZEN", default=30) * 60
SESSION_IDLE_SECONDS_STAFF = env.int("SESSION_IDLE_MINUTES_STAFF", default=15) * 60
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=12) * 3600

OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=300)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
# SMS codes one account may be sent in 24 hours, all purposes together.
OTP_DAILY_LIMIT = env.int("OTP_DAILY_LIMIT", default=10)
# Password resets by SMS code one account may ask for in 24 hours.
PASSWORD_RESET_DAILY_LIMIT = env.int("PASSWORD_RESET_DAILY_LIMIT", default=5)
# How long a browser a citizen confirmed by SMS code stays known (no code at sign-in).
KNOWN_DEVICE_DAYS = env.int("KNOWN_DEVICE_DAYS", default=180)
# Staff second factor (django-otp): the name authenticator apps show for the portal's codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Amanah Portal")

# --- Identity provider (Nafath) ----------------------------------------------------------
# "nafath": the national service over HTTPS (NAFATH_* below); "nafath_simulator": a simulated
# Nafath whose approval page is part of the portal, for demo and training only.
IDENTITY_PROVIDER = env.str("IDENTITY_PROVIDER",
                            default="nafath_simulator" if DEMO_MODE else "nafath")
NAFATH_BASE_URL = env.str("NAFATH_BASE_URL", default="")
NAFATH_APP_ID = env.str("NAFATH_APP_ID", default="")
NAFATH_APP_KEY = env.str("NAFATH_APP_KEY", default="")
NAFATH_SERVICE = env.str("NAFATH_SERVICE", default="PortalSignUp")
NAFATH_TIMEOUT_SECONDS = env.float("NAFATH_TIMEOUT_SECONDS", default=10.0)
# How long a person has to approve in the Nafath app.
NAFATH_REQUEST_TTL_SECONDS = env.int("NAFATH_REQUEST_TTL_SECONDS", default=180)
# How long an approval may be used to finish a sign-up or password reset (once).
IDENTITY_PROOF_TTL_SECONDS = env.int("IDENTITY_PROOF_TTL_SECONDS", default=900)
# Verification requests for one ID in 24 hours, so nobody floods a person's Nafath app.
NAFATH_DAILY_REQUESTS_PER_ID = env.int("NAFATH_DAILY_REQUESTS_PER_ID", default=10)
SMS_BACKEND = env.str("SMS_BACKEND", default="amanah.notifications.LogSmsBackend")
# Notifications (amanah/notify.py): the email channel's backend (a class with send()); by
# default Django's send_mail through EMAIL_BACKEND, which logs to the console unless set.
EMAIL_NOTIFICATION_BACKEND = env.str("EMAIL_NOTIFICATION_BACKEND",
                                     default="amanah.notify.DjangoMailBackend")
EMAIL_BACKEND = env.str("EMAIL_BACKEND",
                        default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@amanah.gov.sa")
# The mail server, for EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
# Attempts to deliver one message before it is marked failed (retried with backoff).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
# Payers are reminded this many days before an unpaid bill expires.
BILL_EXPIRY_NOTICE_DAYS = env.int("BILL_EXPIRY_NOTICE_DAYS", default=3)
# The business days a pilot's figures are judged on before it may go live (amanah/rollout.py).
PILOT_GATE_DAYS = env.int("PILOT_GATE_DAYS", default=90)

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "amanah.auth.api.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "amanah.api.exception_handler",
    # Every throttle derives from amanah.throttles.PortalThrottle (the client address as our
    # trusted proxies saw it); the public look-ups use RATE_LIMITS through ScopeLimitThrottle.
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "user": "600/minute"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# --- Client address and rate limits ------------------------------------------------------
# How many proxies of ours stand in front of the portal, each appending to X-Forwarded-For the
# address it received the request from. 0: the header is ignored, REMOTE_ADDR is the client.
# Never more than there really are: the client writes the rest of the header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Rules per scope, "what to count by=count/period" (amanah.ratelimits): address, id (the ID
# number looked up), account (signed in, else the ID typed), mobile (where an SMS would go).
RATE_LIMITS = {
    "sign_in": env.str("RATE_LIMIT_SIGN_IN", default="address=60/10m"),
    # Sign-up's first step asks Nafath to verify an ID (NAFATH_DAILY_REQUESTS_PER_ID caps each
    # ID); its last step creates the account and sends an SMS to the mobile typed there.
    "identity_check": env.str("RATE_LIMIT_IDENTITY_CHECK", default="address=10/h"),
    "sign_up": env.str("RATE_LIMIT_SIGN_UP", default="address=5/h,mobile=3/d"),
    "code_send": env.str("RATE_LIMIT_CODE_SEND",
                         default="address=10/h,address=30/d,account=5/h"),
    "password_reset": env.str("RATE_LIMIT_PASSWORD_RESET",
                              default="address=10/h,address=30/d,account=5/h"),
    "bill_inquiry": env.str("RATE_LIMIT_BILL_INQUIRY", default="address=30/m,id=10/h"),
    "status_check": env.str("RATE_LIMIT_STATUS_CHECK", default="address=30/m,id=10/h"),
    # The public permit verification page (a QR code's target): every look-up counts.
    "permit_verify": env.str("RATE_LIMIT_PERMIT_VERIFY", default="address=30/m,address=300/h"),
}
# Pages limited by their URL name (a trailing * covers a family); the API views of the same
# look-ups use the same scopes (payments.throttles, workflow.api), so they share counters.
RATE_LIMITED_PAGES = {
    "amanah:sign_in": "sign_in",
    "amanah:sign_up": "identity_check",
    "amanah:sign_up_details": "sign_up",
    "amanah:resend_code": "code_send",
    "amanah:confirm_device_resend": "code_send",
    "amanah:password_reset*": "password_reset",
    "payments:bill_inquiry": "bill_inquiry",
    "workflow:status_check": "status_check",
}
# Prefix of the counters' keys in the cache (tests give each test its own).
RATE_LIMIT_NAMESPACE = "ratelimit"

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
        "ActorKindEnum": "workflow.enums.ActorKind",
        # A case answer's `viewer`, one value per audience's shape (workflow/serializers.py).
        "ApplicantViewerEnum": ["applicant"],
        "StaffViewerEnum": ["staff"],
        # Permit applications (permits/api_apply.py).
        "PermitApplicationStatusEnum": "permits.enums.ApplicationStatus",
        "PermitApplicationKindEnum": "permits.enums.ApplicationKind",
        "PermitFieldKindEnum": "permits.enums.FieldKind",
        "PermitFiledByEnum": "permits.enums.FiledBy",
        "PermitPartyRoleEnum": "permits.enums.PartyRole",
        "PermitConsentEnum": "permits.enums.ConsentStatus",
        "PermitDocumentSupplierEnum": "permits.enums.DocumentSupplier",
        "PermitFeeStageEnum": "permits.enums.FeeStage",
        # Issued permits (permits/api_permits.py).
        "PermitStatusEnum": "permits.enums.PermitStatus",
        # The field API of violations (violations/api_field.py).
        "ViolationsInspectionStatusEnum": "violations.enums.InspectionStatus",
        "ViolationsInspectionKindEnum": "violations.enums.InspectionKind",
        "ViolationsInspectionOpenKindEnum": ["complaint", "routine"],
        "ViolationsOffenderKindEnum": "violations.enums.OffenderKind",
        "ViolationsNoticeKindEnum": "violations.enums.NoticeKind",
        "ViolationsNoticeStatusEnum": "violations.enums.ViolationStatus",
        "ViolationsLineStatusEnum": "violations.enums.LineStatus",
        "ViolationsAnswerEnum": "violations.enums.Answer",
        "ViolationsPenaltyKindEnum": "violations.enums.PenaltyKind",
        "ViolationsPenaltyLiftEnum": "violations.enums.PenaltyLift",
        "ViolationsShareSizeEnum": "violations.enums.ShareSize",
    },
}

# --- SADAD ---------------------------------------------------------------------------
SADAD_BILLER_ID = env.str("SADAD_BILLER_ID", default="090")
# Where the public reaches the portal: printed in receipt QR codes, which outlive any request.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
SADAD_BASE_URL = env.str("SADAD_BASE_URL", default="")
SADAD_INBOUND_KEYS = env.list("SADAD_INBOUND_KEYS", default=[DEMO_INBOUND_KEY])
SADAD_OUTBOUND_KEY = env.str("SADAD_OUTBOUND_KEY", default=DEMO_OUTBOUND_KEY)
# The simulated SADAD signs its notifications and files with a key of its own, which the
# portal accepts only in demo mode (payments.sadad.signing.inbound_keys); never an inbound key.
SADAD_SIMULATOR_KEY = env.str("SADAD_SIMULATOR_KEY", default=DEMO_SIMULATOR_KEY)
SADAD_RECON_INBOX = env.path("SADAD_RECON_INBOX", default=str(VAR_DIR / "sadad-inbox"))
# Files received on POST /sadad/reconciliation-files wait here for a worker (a shared folder).
SADAD_RECON_STORE = env.path("SADAD_RECON_STORE", default=str(VAR_DIR / "sadad-recon"))
# The largest reconciliation file POST /sadad/reconciliation-files takes (spec §1: 512 MiB);
# larger is refused from its Content-Length, before any of it is read.
SADAD_RECON_MAX_BYTES = env.int("SADAD_RECON_MAX_BYTES", default=512 * 1024 * 1024)
# The simulated SADAD by default only in demo mode without a SADAD to talk to; it is refused at
# start-up where its app is not installed (see payments.gateway).
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY",
                           default="simulator" if DEMO_MODE and not SADAD_BASE_URL else "sadad")

# --- Permits -------------------------------------------------------------------------
# Who answers "what does deed N say?" (the Ministry of Justice's deed check). The default is the
# local stand-in (permits.LocalDeed rows, seeded with demo deeds); production names the class
# that calls the real service. Any class with `deed_lookup(*, deed_number)` will do.
PERMITS_DEED_REGISTRY = env.str("PERMITS_DEED_REGISTRY",
                                default="permits.deeds.LocalDeedRegistry")
# The registries a commercial licence is checked against (issue 10), the same way: the local
# stand-ins by default (permits.Local* rows), the real services' classes in production.
PERMITS_COMMERCIAL_REGISTRY = env.str(
    "PERMITS_COMMERCIAL_REGISTRY",
    default="permits.licences.registries.LocalCommercialRegistry")
PERMITS_LEASE_REGISTRY = env.str("PERMITS_LEASE_REGISTRY",
                                 default="permits.licences.registries.LocalLeaseRegistry")
PERMITS_CIVIL_DEFENCE_REGISTRY = env.str(
    "PERMITS_CIVIL_DEFENCE_REGISTRY",
    default="permits.licences.registries.LocalCivilDefenceRegistry")

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
