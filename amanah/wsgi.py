"""gunicorn's entry point. A server that names no settings module runs production settings."""

import os

from django.core.wsgi import get_wsgi_application

import amanah

if not amanah.SETTINGS_MODULE_GIVEN:
    # The Celery app defaults to the dev settings for `celery -A amanah` on a laptop; a web
    # server must never inherit that default.
    os.environ["DJANGO_SETTINGS_MODULE"] = "amanah.settings.production"
application = get_wsgi_application()
