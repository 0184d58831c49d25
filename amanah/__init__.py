import os

# Read before the Celery app sets its laptop default, so that wsgi.py can tell a server that
# named no settings module (→ production) from one that did.
SETTINGS_MODULE_GIVEN = "DJANGO_SETTINGS_MODULE" in os.environ

from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
