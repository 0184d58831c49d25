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
        from .views import inspections as inspection_pages

        inspection_pages.register()  # the inspectors' menu entry
        # Each part registers its own seams (payable kind, guards and effects, obligations,
        # sampling handler, periodic tasks, menus) in its `register()`.
