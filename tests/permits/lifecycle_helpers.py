"""Helpers for the tests of a permit's life after issue: issued permits, their lifecycle fee
schedules, sub-permits, the objection procedure, and sent SMS."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from amanah import clock
from payments.enums import FeeRuleKind
from payments.services.fees import fee_schedule_create
from permits.enums import ApplicationStatus, FeeStage
from permits.models import Permit, PermitFeeRule
from permits.procedures import objection_procedure
from permits.services.applications import application_lock, application_status_change
from permits.services.permits import permit_issue
from tests.permits.factories import application_draft_make
from workflow.services.definitions import definition_import

# Renewal: 1.00 per m² built (at least 300.00); the late renewal fine: a fixed 1,000.00; a
# replacement certificate: a fixed 150.00.
RENEWAL_RATE = Decimal("1.00")
LATE_RENEWAL_FINE = Decimal("1000.00")
REPLACEMENT_FEE = Decimal("150.00")


@transaction.atomic
def permit_make(world, *, answers: dict | None = None, parent: Permit | None = None) -> Permit:
    """A permit issued today on an application of the world's owner (issued, as REVIEW's
    issue task leaves it)."""
    application = application_draft_make(world, answers=answers)
    application = application_lock(application.pk)
    application_status_change(application=application, to_status=ApplicationStatus.IN_REVIEW)
    permit = permit_issue(application=application)
    application_status_change(application=application, to_status=ApplicationStatus.ISSUED)
    if parent is not None:
        Permit.objects.filter(pk=permit.pk).update(parent=parent)
        permit.parent = parent
    return permit


@transaction.atomic
def application_rejected_make(world):
    application = application_lock(application_draft_make(world).pk)
    application_status_change(application=application, to_status=ApplicationStatus.IN_REVIEW)
    application_status_change(application=application, to_status=ApplicationStatus.REJECTED,
                              reason="المخطط لا يطابق الاشتراطات")
    return application


def lifecycle_fees_make(world, *, stages=(FeeStage.RENEWAL, FeeStage.LATE_RENEWAL,
                                          FeeStage.REPLACEMENT)) -> None:
    """The type's renewal, late renewal and replacement stages, billed from its schedules."""
    permit_type = world.permit_type
    eservice, klass = permit_type.eservice, world.municipality.municipality_class
    since = dt.date(2020, 1, 1)
    if FeeStage.RENEWAL in stages:
        PermitFeeRule.objects.create(permit_type=permit_type, stage=FeeStage.RENEWAL,
                                     quantity_field="built_area_m2")
        fee_schedule_create(eservice=eservice, municipality_class=klass, kind=FeeRuleKind.RATE,
                            amount=RENEWAL_RATE, minimum=Decimal("300.00"), unit_ar="م²",
                            unit_en="m²", effective_from=since, component=FeeStage.RENEWAL)
    if FeeStage.LATE_RENEWAL in stages:
        PermitFeeRule.objects.create(permit_type=permit_type, stage=FeeStage.LATE_RENEWAL)
        fee_schedule_create(eservice=eservice, municipality_class=klass,
                            kind=FeeRuleKind.FIXED, amount=LATE_RENEWAL_FINE,
                            effective_from=since, component=FeeStage.LATE_RENEWAL)
    if FeeStage.REPLACEMENT in stages:
        PermitFeeRule.objects.create(permit_type=permit_type, stage=FeeStage.REPLACEMENT)
        fee_schedule_create(eservice=eservice, municipality_class=klass,
                            kind=FeeRuleKind.FIXED, amount=REPLACEMENT_FEE,
                            effective_from=since, component=FeeStage.REPLACEMENT)


def objection_procedure_publish(world) -> None:
    definition_import(data=objection_procedure(), municipality=world.municipality, publish=True)


def day(year: int, month: int, day_of_month: int, hour: int = 9) -> dt.datetime:
    """A moment on a Riyadh business day (09:00 there by default)."""
    from amanah.dates import RIYADH

    return dt.datetime(year, month, day_of_month, hour, 0, tzinfo=RIYADH)


def on_day(clock_fixture, when: dt.date) -> None:
    clock_fixture.set(day(when.year, when.month, when.day))


def now_date() -> dt.date:
    from amanah.dates import business_date

    return business_date(clock.now())
