"""The Celery app. Periodic jobs are declared here, in code, next to the tasks they call."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amanah.settings.dev")

app = Celery("amanah")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each app adds its own entries in its AppConfig.ready() through `periodic_task_register`,
# so this module never imports the apps.
app.conf.beat_schedule = {}


def periodic_task_register(name: str, task: str, schedule, **options) -> None:
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule, **options}
