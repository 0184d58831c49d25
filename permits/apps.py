from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("الرخص والتصاريح")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amanah.celery import periodic_task_register
        from amanah.events import chain_register
        from amanah.search import search_provider_register

        from .models import ApplicationEvent, PermitEvent
        from .search import permit_search

        chain_register("permit_application", ApplicationEvent)
        chain_register("permit", PermitEvent)
        search_provider_register("permits", permit_search)
        from . import (
            certificate_tasks,  # noqa: F401 - registers the certificate's tasks
            party_tasks,  # noqa: F401 - registers the consent SMS tasks
            workflow_hooks,  # noqa: F401 - registers the procedures' guards and effects
        )
        from .notify import party_sms_send  # noqa: F401 - registers the parties' SMS task
        from .payables import permit_fee_register
        from .penalties import register as penalties_register
        from .review_hooks import register as review_register
        from .views.apply import apply_menu_register

        permit_fee_register()
        penalties_register()
        apply_menu_register()
        periodic_task_register("permits-certificate-sweep", "permits.certificate_sweep", 300.0)
        review_register()
        self._lifecycle_register()
        self._licences_register()

    @staticmethod
    def _licences_register() -> None:
        from amanah.celery import periodic_task_register

        from .licences import (  # noqa: F401 - register the checks, the settlers, the tasks
            checks,
            instant,
            lifecycle,
            tasks,
        )

        periodic_task_register("permits-sample-inspections-sweep",
                               "permits.sample_inspections_sweep", 300.0)

    @staticmethod
    def _lifecycle_register() -> None:
        from celery.schedules import crontab

        from amanah.celery import periodic_task_register
        from amanah.navigation import nav_register
        from amanah.permissions import is_citizen

        from . import lifecycle_tasks  # noqa: F401 - registers the Celery tasks

        # Just after midnight Riyadh time (CELERY_TIMEZONE): permits whose validity ended.
        periodic_task_register("permits-expire-due", "permits.permits_expire_due",
                               crontab(minute=15, hour=0))
        periodic_task_register("permits-lifecycle-sweep", "permits.application_lifecycle_sweep",
                               300.0)
        nav_register(url_name="permits:my_permits", label=_("My permits"),
                     audience=lambda request: is_citizen(request.user), order=25)
