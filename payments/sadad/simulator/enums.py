from django.db import models
from django.utils.translation import gettext_lazy as _


class SimulatedBillStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")
