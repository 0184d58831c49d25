from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SadadSimulatorConfig(AppConfig):
    name = "payments.sadad.simulator"
    label = "sadad_simulator"
    verbose_name = _("Simulated SADAD")
    default_auto_field = "django.db.models.BigAutoField"
