from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmanahConfig(AppConfig):
    name = "amanah"
    verbose_name = _("Amanah and municipalities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the start-up check that refuses a mistyped limit (manage.py check, deploy).
        from . import ratelimits  # noqa: F401
