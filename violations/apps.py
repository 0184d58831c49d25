from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ViolationsConfig(AppConfig):
    name = "violations"
    verbose_name = _("المخالفات")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amanah.events import chain_register
        from amanah.search import search_provider_register

        from . import payables
        from .evidence import evidence_content_check
        from .models import InspectionEvent, ViolationEvent
        from .search import violation_search

        chain_register("violation", ViolationEvent)
        # An inspection's evidence (answers, photos' bytes) is sealed in its SUBMITTED event;
        # audit_verify recomputes it, so a changed photo or finding names the inspection.
        chain_register("inspection", InspectionEvent, content_check=evidence_content_check)
        payables.register()
        search_provider_register("violations", violation_search)
        # Each part registers its own seams (guards and effects, obligations, the sampling
        # handler, periodic tasks, menus).
        self._inspections_register()
        self._approval_register()
        self._objections_register()
        self._offender_register()

    @staticmethod
    def _inspections_register() -> None:
        """The sample handler, the re-inspection and routine plans' tasks, the inspectors'
        menu entry."""
        from . import tasks_inspections
        from .views import inspections as inspection_pages

        tasks_inspections.register()
        inspection_pages.register()

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

    @staticmethod
    def _objections_register() -> None:
        """The objection case's guard and effect, the settle task and its sweeper, the link
        from a case to its objection, the legal department's menu entry."""
        from amanah.celery import periodic_task_register
        from amanah.navigation import nav_register
        from workflow.registry import case_link_register

        from . import objection_hooks, tasks_objections  # noqa: F401 - guard, effect, tasks

        case_link_register(objection_hooks.case_link)
        nav_register(url_name="violations:legal_objections", label=_("Objections to violations"),
                     audience=_legal, order=38)
        periodic_task_register("violations-objections-settle-sweep",
                               "violations.objections_settle_sweep", 600.0)

    @staticmethod
    def _offender_register() -> None:
        """Menu entries of the offender and reports part."""
        from amanah.navigation import nav_register
        from amanah.permissions import is_admin, is_citizen

        from .access import staff_municipalities

        nav_register(url_name="violations:mine", label=_("My violations"),
                     audience=lambda request: is_citizen(request.user), order=30)
        nav_register(url_name="violations:reports", label=_("Violation reports"),
                     audience=lambda request: is_admin(request.user)
                     or bool(staff_municipalities(request.user)), order=80)


def _approver(request) -> bool:
    from .access import approver_municipalities

    return request.user.is_authenticated and bool(approver_municipalities(request.user))


def _legal(request) -> bool:
    from .access import legal_municipalities

    return request.user.is_authenticated and bool(legal_municipalities(request.user))
