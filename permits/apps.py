from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("الرخص والتصاريح")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amanah.celery import periodic_task_register
        from amanah.events import chain_register

        from .models import ApplicationEvent, PermitEvent

        chain_register("permit_application", ApplicationEvent)
        chain_register("permit", PermitEvent)
        from . import (
            certificate_tasks,  # noqa: F401 - registers the certificate's tasks
            party_tasks,  # noqa: F401 - registers the consent SMS tasks
            workflow_hooks,  # noqa: F401 - registers the procedures' guards and effects
        )
        from .notify import party_sms_send  # noqa: F401 - registers the parties' SMS task
        from .payables import permit_fee_register
        from .review_hooks import register as review_register
        from .views.apply import apply_menu_register

        permit_fee_register()
        apply_menu_register()
        periodic_task_register("permits-certificate-sweep", "permits.certificate_sweep", 300.0)
        review_register()
