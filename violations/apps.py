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
        self._offender_register()
        # Each part registers its own seams (payable kind, guards and effects, obligations,
        # sampling handler, periodic tasks, menus) in its `register()`.

    def _inspections_register(self) -> None:
        # Part "inspect": the sample handler, the re-inspection and routine plans' tasks.
        from . import tasks_inspections

        tasks_inspections.register()

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
