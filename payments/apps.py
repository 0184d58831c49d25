from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.schedules import crontab

        from amanah.celery import periodic_task_register
        from amanah.events import chain_register
        from amanah.obligations import obligation_provider_register
        from amanah.search import search_provider_register

        from . import tasks  # noqa: F401 - registers the Celery tasks
        from .models import BillEvent, PaymentEvent
        from .obligations import bill_obligations
        from .registry import register_builtin_kinds
        from .search import bill_search

        register_builtin_kinds()
        obligation_provider_register("payments", bill_obligations)
        search_provider_register("payments", bill_search)
        from amanah.scorecards import scorecard_provider_register

        from .scorecards import payments_scorecard

        scorecard_provider_register("payments", payments_scorecard)
        chain_register("bill", BillEvent)
        chain_register("payment", PaymentEvent)
        self._gateways_register()
        from .sadad.tasks import INBOX_SWEEP_SECONDS  # also registers the reconciliation tasks
        periodic_task_register("payments-recon-inbox", "payments.recon_inbox_sweep",
                               INBOX_SWEEP_SECONDS)
        periodic_task_register("payments-outbox-sweep", "payments.outbox_sweep", 60.0)
        periodic_task_register("payments-receipt-sweep", "payments.receipt_sweep", 300.0)
        # Just after midnight Riyadh time (CELERY_TIMEZONE), bills whose expiry date passed.
        periodic_task_register("payments-bill-expire-due", "payments.bill_expire_due",
                               crontab(minute=5, hour=0))
        # In the morning, when a reminder can still be acted on the same day.
        periodic_task_register("payments-bill-expiring-notify", "payments.bill_expiring_notify",
                               crontab(minute=0, hour=9))
        self._menu_register()

    @staticmethod
    def _gateways_register() -> None:
        """The composition root: the one place of the domain that knows its biller gateways.
        A PAYMENTS_GATEWAY naming none installed here stops the start-up."""
        from django.apps import apps
        from django.conf import settings

        from .gateway import gateway_absent_register, gateway_configured_check, gateway_register
        from .sadad.gateway import SadadHttpGateway

        gateway_register("sadad", SadadHttpGateway.from_settings)
        if apps.is_installed(settings.SADAD_SIMULATOR_APP):
            # Its models are loaded by now (ready() runs after every app's models).
            from .sadad.simulator.gateway import SimulatorGateway

            gateway_register("simulator", SimulatorGateway.from_settings)
        else:
            gateway_absent_register(
                "simulator",
                f"the simulated SADAD ({settings.SADAD_SIMULATOR_APP}) is installed only where "
                "demo mode is allowed: set AMANAH_DEMO_MODE=true for a training portal, or "
                "PAYMENTS_GATEWAY=sadad and SADAD_BASE_URL for the real SADAD")
        gateway_configured_check()

    @staticmethod
    def _menu_register() -> None:
        from amanah.navigation import nav_register
        from amanah.permissions import is_citizen, is_staff_member

        from .views.access import finance_scope

        nav_register(url_name="payments:my_bills", label=_("My bills"),
                     audience=lambda request: is_citizen(request.user), order=30)
        nav_register(url_name="payments:my_receipts", label=_("My receipts"),
                     audience=lambda request: is_citizen(request.user), order=35)
        nav_register(url_name="payments:bill_inquiry", label=_("Bill inquiry"),
                     audience=lambda request: not is_staff_member(request.user), order=45)
        nav_register(url_name="payments:finance_dashboard", label=_("Collections"),
                     audience=lambda request: finance_scope(request.user) is not None, order=70)
