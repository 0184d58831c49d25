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
        from .evidence import evidence_content_check

        chain_register("inspection", InspectionEvent, content_check=evidence_content_check)
        from . import payables

        payables.register()
        self._inspections_register()
        from .views import inspections as inspection_pages

        inspection_pages.register()  # the inspectors' menu entry
        # Each part registers its own seams (payable kind, guards and effects, obligations,
        # sampling handler, periodic tasks, menus) in its `register()`.

    def _inspections_register(self) -> None:
        # Part "inspect": the sample handler, the re-inspection and routine plans' tasks.
        from . import tasks_inspections

        tasks_inspections.register()
