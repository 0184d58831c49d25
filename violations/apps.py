from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ViolationsConfig(AppConfig):
    name = "violations"
    verbose_name = _("المخالفات")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amanah.events import chain_register

        from .models import InspectionEvent, ViolationEvent

        chain_register("violation", ViolationEvent)
        chain_register("inspection", InspectionEvent)
        from . import payables

        payables.register()
        self._objections_register()
        # Each part registers its own seams (payable kind, guards and effects, obligations,
        # sampling handler, periodic tasks, menus) in its `register()`.

    def _objections_register(self) -> None:
        from amanah.celery import periodic_task_register

        from . import objection_hooks, tasks_objections  # noqa: F401 - guard, effect, tasks

        periodic_task_register("violations-objections-settle-sweep",
                               "violations.objections_settle_sweep", 600.0)
