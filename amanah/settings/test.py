"""The test suite always runs on the real PostgreSQL and Redis (see Makefile and .ci/run)."""

from .base import *  # noqa: F403
from .deployment import TEST_INBOUND_KEYS, TEST_OUTBOUND_KEY, TEST_SIMULATOR_KEY

if not IS_POSTGRES or not REDIS_URL:  # noqa: F405
    raise RuntimeError(
        "Tests need DATABASE_URL (PostgreSQL) and REDIS_URL; `make test` sets both."
    )

# Tests dispatch to a real worker only where they start one; everything else runs in-process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEMO_MODE = True
# The simulated SADAD is always there in tests, whatever AMANAH_DEMO_MODE says.
if SADAD_SIMULATOR_APP not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append(SADAD_SIMULATOR_APP)  # noqa: F405
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default="simulator")  # noqa: F405
SADAD_INBOUND_KEYS = list(TEST_INBOUND_KEYS)
SADAD_OUTBOUND_KEY = TEST_OUTBOUND_KEY
SADAD_SIMULATOR_KEY = TEST_SIMULATOR_KEY
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
