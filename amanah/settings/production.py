"""Production: everything secret or host-specific must come from the environment.

Nothing here falls back to the embedded defaults of base.py: without a database, a broker,
a secret key or the SADAD keys the process refuses to start rather than run half-configured.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .deployment import DEPLOYMENTS, PRODUCTION, TRAINING, sadad_key_problems

DEBUG = False

SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # noqa: F405  (no default: refuse to start without one)
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a long random value (50+ characters), e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")  # noqa: F405
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the portal's host names")

# The embedded SQLite and in-process tasks are for a laptop; production needs both services.
env.str("DATABASE_URL")  # noqa: F405  (read only to refuse to start without it)
REDIS_URL = env.str("REDIS_URL")  # noqa: F405
if not IS_POSTGRES:  # noqa: F405
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production")
CELERY_TASK_ALWAYS_EAGER = False
# A connection per request costs a TCP connect and an authentication before every answer; a
# gunicorn worker keeps its connection a minute, checked before reuse so a restarted database
# costs one failed check, not one failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# --- Deployment kind, demo mode and SADAD keys (issue 8) ----------------------------------
# A production deployment never plays the bank: demo mode, the simulated SADAD and its key are
# refused here, at import, which stops gunicorn, Celery and manage.py alike (see deployment.py).
# A training copy says so (AMANAH_DEPLOYMENT=training), always runs in demo mode with its
# banner, and signs with training keys only, never with a production key.
DEPLOYMENT = env.str("AMANAH_DEPLOYMENT", default=PRODUCTION)  # noqa: F405
if DEPLOYMENT not in DEPLOYMENTS:
    raise ImproperlyConfigured(
        f"AMANAH_DEPLOYMENT must be production or training, not {DEPLOYMENT!r}")
IS_TRAINING = DEPLOYMENT == TRAINING
DEMO_MODE = env.bool("AMANAH_DEMO_MODE", default=IS_TRAINING)  # noqa: F405
if DEMO_MODE and not IS_TRAINING:
    raise ImproperlyConfigured(
        "AMANAH_DEMO_MODE=true is refused in a production deployment: demo mode plays the bank. "
        "For a training portal set AMANAH_DEPLOYMENT=training, with SADAD keys of its own")
if IS_TRAINING and not DEMO_MODE:
    raise ImproperlyConfigured(
        "AMANAH_DEPLOYMENT=training always runs in demo mode, with its banner: remove "
        "AMANAH_DEMO_MODE=false")
# base.py decided these by its own default (demo on): the simulated SADAD is installed only in
# a training deployment, and otherwise the portal talks to the real SADAD.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != SADAD_SIMULATOR_APP] + (  # noqa: F405
    [SADAD_SIMULATOR_APP] if DEMO_MODE else [])  # noqa: F405
PAYMENTS_GATEWAY = env.str(  # noqa: F405
    "PAYMENTS_GATEWAY",
    default="simulator" if DEMO_MODE and not SADAD_BASE_URL else "sadad")  # noqa: F405
if PAYMENTS_GATEWAY == "simulator" and not IS_TRAINING:
    raise ImproperlyConfigured(
        "PAYMENTS_GATEWAY=simulator is refused in a production deployment: the simulated SADAD "
        "takes no money. Use PAYMENTS_GATEWAY=sadad and SADAD_BASE_URL, or "
        "AMANAH_DEPLOYMENT=training for a training portal")

# No defaults: the keys in base.py are public, and a portal that accepted them would accept
# forged payments.
SADAD_INBOUND_KEYS = env.list("SADAD_INBOUND_KEYS")  # noqa: F405
SADAD_OUTBOUND_KEY = env.str("SADAD_OUTBOUND_KEY")  # noqa: F405
SADAD_SIMULATOR_KEY = env.str("SADAD_SIMULATOR_KEY", default="")  # noqa: F405
if SADAD_SIMULATOR_KEY and not IS_TRAINING:
    raise ImproperlyConfigured("SADAD_SIMULATOR_KEY is set in a production deployment, which "
                               "has no simulated SADAD: remove it")
if IS_TRAINING and not SADAD_SIMULATOR_KEY:
    raise ImproperlyConfigured(
        "SADAD_SIMULATOR_KEY is required with AMANAH_DEPLOYMENT=training: the simulated SADAD "
        "signs with a key of its own, never with SADAD_INBOUND_KEYS")
if not SADAD_INBOUND_KEYS or not SADAD_OUTBOUND_KEY:
    raise ImproperlyConfigured("SADAD_INBOUND_KEYS and SADAD_OUTBOUND_KEY must be real keys")
_sadad_key_problems = sadad_key_problems(
    roles={"SADAD_INBOUND_KEYS": SADAD_INBOUND_KEYS, "SADAD_OUTBOUND_KEY": [SADAD_OUTBOUND_KEY],
           **({"SADAD_SIMULATOR_KEY": [SADAD_SIMULATOR_KEY]} if SADAD_SIMULATOR_KEY else {})},
    deployment=DEPLOYMENT, secret_key=SECRET_KEY)
if _sadad_key_problems:
    raise ImproperlyConfigured("SADAD keys refused: " + " | ".join(_sadad_key_problems))

# Without an identity provider nobody could sign up, and a simulated one would let anyone claim
# any ID: production needs the real Nafath, or an explicitly training deployment.
IDENTITY_PROVIDER = env.str(  # noqa: F405
    "IDENTITY_PROVIDER", default="nafath_simulator" if IS_TRAINING else "nafath")
if IDENTITY_PROVIDER == "nafath":
    _nafath_settings = (NAFATH_BASE_URL, NAFATH_APP_ID, NAFATH_APP_KEY)  # noqa: F405
    if not _nafath_settings[0].startswith("https://") or not all(_nafath_settings):
        raise ImproperlyConfigured(
            "IDENTITY_PROVIDER=nafath needs NAFATH_BASE_URL (https://…), NAFATH_APP_ID and "
            "NAFATH_APP_KEY")
elif IDENTITY_PROVIDER == "nafath_simulator":
    if not IS_TRAINING:
        raise ImproperlyConfigured(
            "IDENTITY_PROVIDER=nafath_simulator lets anyone claim any ID; it is allowed only "
            "with AMANAH_DEPLOYMENT=training")
else:
    raise ImproperlyConfigured("IDENTITY_PROVIDER must be nafath (or nafath_simulator in a "
                               "training deployment)")

# TLS ends at the reverse proxy in front of gunicorn, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)  # noqa: F405
# Health probes come over plain HTTP from inside the container network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# gunicorn serves the static files itself (compressed, cache-busted names); no CDN, no extra server.
# Right after SecurityMiddleware, as whitenoise asks (its answers get the security headers).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1  # noqa: F405
MIDDLEWARE = [*MIDDLEWARE[:_security], "whitenoise.middleware.WhiteNoiseMiddleware",  # noqa: F405
              *MIDDLEWARE[_security:]]  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
