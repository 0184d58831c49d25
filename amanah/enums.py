from django.db import models
from django.utils.translation import gettext_lazy as _


class MunicipalityKind(models.TextChoices):
    AMANAH = "amanah", _("أمانة")
    BRANCH = "branch", _("بلدية فرعية")


class StaffRole(models.TextChoices):
    CLERK = "clerk", _("موظف استقبال ومعاملات")
    REVIEWER = "reviewer", _("مراجع")
    INSPECTOR = "inspector", _("مراقب ميداني")
    HEAD = "head", _("رئيس القسم")
    CASHIER = "cashier", _("أمين صندوق")
    ADMIN = "admin", _("مسؤول النظام")


class IdType(models.TextChoices):
    NATIONAL_ID = "NAT", _("هوية وطنية")
    IQAMA = "IQA", _("إقامة")


class OwningApp(models.TextChoices):
    WORKFLOW = "workflow", _("المعاملات")
    PAYMENTS = "payments", _("المدفوعات")
    PERMITS = "permits", _("الرخص والتصاريح")
    VIOLATIONS = "violations", _("المخالفات")


class RolloutState(models.TextChoices):
    OFF = "off", _("متوقفة")
    PILOT = "pilot", _("تجريبية")
    LIVE = "live", _("مفعلة")


class OneTimeCodePurpose(models.TextChoices):
    MOBILE_CONFIRM = "mobile_confirm", _("تأكيد رقم الجوال")
