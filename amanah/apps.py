from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmanahConfig(AppConfig):
    name = "amanah"
    verbose_name = _("Amanah and municipalities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The start-up check that refuses a mistyped limit (manage.py check, deploy), and the
        # notification tasks, registered in the web process too: a commit queues them by name.
        from . import notify_tasks, ratelimits  # noqa: F401
        from .celery import periodic_task_register

        # The sweeper behind amanah.notification_send: messages whose task was lost.
        periodic_task_register("amanah-notification-sweep", "amanah.notification_sweep", 120.0)
