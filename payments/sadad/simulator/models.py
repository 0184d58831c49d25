"""What the simulated SADAD knows. The tables were the payments app's until the simulator
became an app of its own; its first migration adopts them, rows and names included."""

from django.db import models

from payments.enums import AccessChannel, PaymentMethod

from .enums import SimulatedBillStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class SimulatedSadadBill(models.Model):
    """What the simulated SADAD knows about an uploaded bill (PAYMENTS_GATEWAY=simulator)."""

    biller_id = models.CharField(max_length=8)
    billing_account = models.CharField(max_length=15)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=SimulatedBillStatus.choices)
    official_id = models.CharField(max_length=10)
    official_id_type = models.CharField(max_length=3)
    category = models.CharField(max_length=4)
    service_type = models.CharField(max_length=32)
    amount_due = models.DecimalField(**MONEY)
    due_date = models.DateField()
    expiry_date = models.DateField()
    reference = models.CharField(max_length=64, blank=True)
    last_rq_uid = models.CharField(max_length=64)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            # The name it had as a payments table, which the adopted table still carries.
            models.UniqueConstraint(fields=["biller_id", "billing_account"],
                                    name="simulated_bill_unique"),
        ]

    def __str__(self) -> str:
        return self.billing_account


class SimulatedSadadPayment(models.Model):
    """A payment the simulated bank made; the day's reconciliation file is built from these."""

    sptn = models.CharField(max_length=40, unique=True)
    bnkptn = models.CharField(max_length=40, blank=True)
    biller_id = models.CharField(max_length=8)
    billing_account = models.CharField(max_length=32)
    amount = models.DecimalField(**MONEY)
    bank_id = models.CharField(max_length=16)
    channel = models.CharField(max_length=8, choices=AccessChannel.choices)
    method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    processed_at = models.DateTimeField()
    business_date = models.DateField(db_index=True)
    notified_rq_uid = models.CharField(max_length=64, blank=True)
    notified_status = models.PositiveSmallIntegerField(null=True, blank=True)
    notified_result = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["processed_at", "id"]

    def __str__(self) -> str:
        return self.sptn
