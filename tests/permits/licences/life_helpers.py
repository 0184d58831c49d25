"""Helpers of the licence lifecycle tests (part B): paying a lifecycle application's bills at
the simulated bank, reading its fees, and sub-permits drafted or issued on a licence."""

from decimal import Decimal

from django.db import transaction

from payments.sadad.simulator.bank import simulated_bank_pay
from payments.services.outbox import outbox_flush
from permits.enums import ApplicationStatus, PartyRole
from permits.models import Application, ApplicationFee, ApplicationParty, Permit
from permits.services.applications import application_lock, application_status_change
from permits.services.permits import permit_issue

from .factories import LicenceWorld

SIGN_ANSWERS = {"sign_area_m2": "2.50"}


def pay(application, capture, *, stages=None) -> None:
    """Pay the application's bills at the simulated bank; on_paid's task runs after commit."""
    outbox_flush()
    for fee in ApplicationFee.objects.filter(application=application).select_related("bill"):
        if stages is None or fee.stage in stages:
            with capture(execute=True):
                simulated_bank_pay(billing_account=fee.bill.billing_account,
                                   amount=fee.bill.amount)


def fees(application) -> list[tuple[str, Decimal]]:
    return list(ApplicationFee.objects.filter(application=application).order_by("id")
                .values_list("stage", "amount"))


def sub_permit_draft_make(world: LicenceWorld, licence: Permit, *, permit_type=None,
                          answers: dict | None = None) -> Application:
    """A sub-permit draft (the signage permit by default) the delegate started on `licence`
    (rows written directly, as licence_draft_make does)."""
    application = Application.objects.create(
        permit_type=permit_type or world.signage_type, municipality=world.municipality,
        parcel=licence.parcel, permit=licence,
        answers=dict(SIGN_ANSWERS if answers is None else answers),
        owner_establishment=licence.holder_establishment, created_by=world.delegate.user,
        status=ApplicationStatus.DRAFT)
    ApplicationParty.objects.create(application=application, role=PartyRole.OWNER,
                                    establishment=licence.holder_establishment)
    return application


@transaction.atomic
def sub_permit_issue(application: Application) -> Permit:
    """Issue an approved sub-permit application through permit_issue (as REVIEW's issue task
    does, holding its lock)."""
    locked = application_lock(application.pk)
    if locked.status == ApplicationStatus.DRAFT:
        application_status_change(application=locked, to_status=ApplicationStatus.IN_REVIEW)
    permit = permit_issue(application=locked)
    application_status_change(application=locked, to_status=ApplicationStatus.ISSUED)
    return permit


def sub_permit_make(world: LicenceWorld, licence: Permit, **kwargs) -> Permit:
    return sub_permit_issue(sub_permit_draft_make(world, licence, **kwargs))
