from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.schedules import crontab

        from amanah.celery import periodic_task_register

        from . import tasks  # noqa: F401 - registers the Celery tasks
        from .registry import register_builtin_kinds

        register_builtin_kinds()
        from .reconciliation.tasks import INBOX_SWEEP_SECONDS  # also registers its tasks
        periodic_task_register("payments-recon-inbox", "payments.recon_inbox_sweep",
                               INBOX_SWEEP_SECONDS)
        periodic_task_register("payments-outbox-sweep", "payments.outbox_sweep", 60.0)
        periodic_task_register("payments-receipt-sweep", "payments.receipt_sweep", 300.0)
        # Just after midnight Riyadh time (CELERY_TIMEZONE), bills whose expiry date passed.
        periodic_task_register("payments-bill-expire-due", "payments.bill_expire_due",
                               crontab(minute=5, hour=0))
