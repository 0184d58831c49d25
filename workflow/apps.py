from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Transactions workflow")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amanah.celery import periodic_task_register
        from amanah.events import chain_register
        from amanah.search import search_provider_register

        from . import (
            registry,  # noqa: F401 - registers the generic guards and effects
            tasks,  # noqa: F401 - registers the Celery tasks in this process
        )
        from .models import CaseEvent
        from .search import case_search

        chain_register("case", CaseEvent)
        search_provider_register("workflow", case_search)
        from amanah.scorecards import scorecard_provider_register

        from .scorecards import workflow_scorecard

        scorecard_provider_register("workflow", workflow_scorecard)

        # Every 15 minutes: SLAs are counted in working hours, so finer gives nothing.
        periodic_task_register("workflow-sla-sweep", "workflow.sla_sweep", 15 * 60.0)
        # The sweepers behind the tasks a commit schedules: lost routing, lost moves.
        periodic_task_register("workflow-case-route-sweep", "workflow.case_route_sweep", 60.0)
        periodic_task_register("workflow-case-move-sweep", "workflow.case_move_sweep", 60.0)
        self._menu_register()

    @staticmethod
    def _menu_register() -> None:
        from amanah.navigation import nav_register
        from amanah.permissions import is_admin, is_citizen, is_staff_member

        nav_register(url_name="workflow:my_cases", label=_("My transactions"),
                     audience=lambda request: is_citizen(request.user), order=20)
        nav_register(url_name="workflow:status_check", label=_("Check a transaction"),
                     audience=lambda request: not is_staff_member(request.user), order=40)
        nav_register(url_name="workflow:analytics", label=_("Procedure analytics"),
                     audience=lambda request: request.user.is_superuser or is_admin(request.user),
                     order=80)
