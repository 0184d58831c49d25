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
        self._approval_register()

    @staticmethod
    def _approval_register() -> None:
        """Approval, bills, notices, penalties: hooks, tasks, sweepers, obligations."""
        from celery.schedules import crontab

        from amanah.celery import periodic_task_register
        from amanah.navigation import nav_register

        from . import obligations, tasks_approval, workflow_hooks  # noqa: F401 - registers

        obligations.register()
        nav_register(url_name="violations:approvals", label=_("Fines awaiting approval"),
                     audience=_approver, order=37)
        for name, every in (("approval_case_sweep", 300.0), ("approval_decided_sweep", 300.0),
                            ("notice_sweep", 300.0), ("warning_sweep", 300.0),
                            ("fine_paid_sweep", 300.0),
                            ("penalty_lift_due", 3600.0)):
            periodic_task_register(f"violations-{name.replace('_', '-')}",
                                   f"violations.{name}", every)
        # Served penalties end at the start of the business day (Riyadh, CELERY_TIMEZONE).
        periodic_task_register("violations-penalty-lift-daily", "violations.penalty_lift_due",
                               crontab(minute=5, hour=0))

    def _objections_register(self) -> None:
        from amanah.celery import periodic_task_register
        from amanah.navigation import nav_register
        from workflow.registry import case_link_register

        from . import objection_hooks, tasks_objections  # noqa: F401 - guard, effect, tasks

        case_link_register(objection_hooks.case_link)

        nav_register(url_name="violations:legal_objections", label=_("Objections to violations"),
                     audience=_legal, order=38)
        periodic_task_register("violations-objections-settle-sweep",
                               "violations.objections_settle_sweep", 600.0)


def _approver(request) -> bool:
    from .access import approver_municipalities

    return request.user.is_authenticated and bool(approver_municipalities(request.user))


def _legal(request) -> bool:
    from .access import legal_municipalities

    return request.user.is_authenticated and bool(legal_municipalities(request.user))
