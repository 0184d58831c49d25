from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Transactions workflow")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amanah.celery import periodic_task_register

        from . import registry  # noqa: F401 - registers the generic guards and effects

        # Every 15 minutes: SLAs are counted in working hours, so finer gives nothing.
        periodic_task_register("workflow-sla-sweep", "workflow.sla_sweep", 15 * 60.0)
