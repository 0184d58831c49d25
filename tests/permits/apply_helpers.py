"""Helpers for the applying tests (part APPLY): a complete draft made through the services, an
owner-filed type with every kind of question, an overdue fine, and what to compare to prove a
refused action changed nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from amanah import clock
from amanah.enums import RolloutState
from payments.enums import BillCategory, FeeRuleKind
from payments.models import Bill, BillEvent
from payments.services.fees import fee_schedule_create
from permits.enums import ConsentStatus, FeeStage, FieldKind, FiledBy, PartyRole
from permits.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationFee,
    ApplicationParty,
    PermitFeeRule,
    PermitType,
    PermitTypeDocument,
    PermitTypeField,
    PermitTypeParty,
)
from permits.services.drafts import (
    application_answers_save,
    application_document_upload,
    application_draft_create,
)
from tests.factories import EServiceFactory, EServiceRolloutFactory
from tests.permits.factories import GOOD_ANSWERS
from tests.samples import pdf, upload
from workflow.models import Case

STEP_1 = {k: GOOD_ANSWERS[k] for k in ("floors", "built_area_m2", "footprint_m2", "use")}
STEP_2 = {k: GOOD_ANSWERS[k] for k in ("front_setback_m", "side_setback_m", "rear_setback_m",
                                       "notes")}


@pytest.fixture
def private_files(settings, tmp_path):
    """Documents are written under a folder of the test's own."""
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    return tmp_path / "private"


def plans_pdf(name: str = "plans.pdf"):
    return upload(name, pdf(), "application/pdf")


def draft_start(world, *, user=None, owner=None):
    """A draft of the building type the office's person starts for the owner."""
    return application_draft_create(
        user=(user or world.office_worker.user), permit_type_code=world.permit_type.code,
        municipality=world.municipality,
        on_behalf_of_owner_id=(owner or world.owner).national_id)


def draft_complete(world, *, answers: tuple[dict, dict] = (STEP_1, STEP_2), parcel=True,
                   documents=True):
    """A draft with every answer, the parcel and the plans: ready to submit. The parcel is
    written directly (setting it through the deed registry is part PARTIES')."""
    application = draft_start(world)
    user = world.office_worker.user
    for step, data in enumerate(answers, start=1):
        if not data:
            continue  # a step left unanswered
        application_answers_save(application_id=application.pk, user=user, step=step,
                                 data=data)
    if parcel:
        Application.objects.filter(pk=application.pk).update(parcel=world.parcel)
    if documents:
        application_document_upload(application_id=application.pk, user=user,
                                    kind="architectural_plans", file=plans_pdf())
    return Application.objects.get(pk=application.pk)


def overdue_fine(world, *, amount: str = "500.00", person=None):
    """An unpaid fine of the owner, due yesterday (what payments reports as an obligation)."""
    from payments.services import bill_issue
    from tests.payments.factories import misc_fee_service

    today = clock.now().date()
    bill = bill_issue(payable_kind="misc_fee", payable_ref="FINE-1",
                      municipality=world.municipality, eservice=misc_fee_service(),
                      category=BillCategory.FINE, payer_person=person or world.owner,
                      amount=amount, description_ar="مخالفة بناء", description_en="Building "
                      "violation", due_date=today + dt.timedelta(days=1),
                      expiry_date=today + dt.timedelta(days=90))
    # Due yesterday: written by hand, as no service issues a bill already past due.
    Bill.objects.filter(pk=bill.pk).update(due_date=today - dt.timedelta(days=1))
    bill.refresh_from_db()
    return bill


def fence_type_make(municipality, *, code: str = "fence", consent: bool = False,
                    rollout: str = RolloutState.LIVE):
    """An owner-filed type with every kind of question: a date, a yes/no, a patterned text,
    and a question shown by an answer on an earlier step."""
    eservice = EServiceFactory(code=code, name_ar="رخصة تسوير", name_en="Fence permit")
    EServiceRolloutFactory(eservice=eservice, municipality=municipality, state=rollout)
    permit_type = PermitType.objects.create(
        code=code, eservice=eservice, name_ar="رخصة تسوير", name_en="Fence permit",
        workflow_code="building_new", number_prefix="FN", filed_by=FiledBy.OWNER,
        owner_consent_required=consent, validity_months=12)
    rows = [
        ("length_m", 1, FieldKind.DECIMAL, "طول السور", "Fence length",
         {"min_value": Decimal("1"), "max_value": Decimal("500"), "unit_ar": "م",
          "unit_en": "m"}),
        ("start_on", 1, FieldKind.DATE, "تاريخ البدء", "Start date", {}),
        ("has_gate", 1, FieldKind.BOOLEAN, "يوجد بوابة", "Has a gate", {}),
        ("plate", 1, FieldKind.TEXT, "رقم اللوحة", "Plate number",
         {"required": False, "pattern": r"[A-Z]{2}-\d{3}", "max_length": 6}),
        ("gate_width_m", 2, FieldKind.DECIMAL, "عرض البوابة", "Gate width",
         {"shown_when": {"field": "has_gate", "in": [True]}}),
    ]
    for order, (key, step, kind, ar, en, extra) in enumerate(rows):
        PermitTypeField.objects.create(permit_type=permit_type, key=key, step=step,
                                       order=order * 10, kind=kind, label_ar=ar, label_en=en,
                                       **{"required": True, **extra})
    PermitTypeParty.objects.create(permit_type=permit_type, role=PartyRole.OWNER)
    PermitTypeDocument.objects.create(
        permit_type=permit_type, kind="site_photo", name_ar="صورة الموقع",
        name_en="Site photo", content_types=["image/jpeg", "image/png"], max_bytes=200_000,
        required=False)
    PermitFeeRule.objects.create(permit_type=permit_type, stage=FeeStage.APPLICATION)
    fee_schedule_create(eservice=eservice, municipality_class=municipality.municipality_class,
                        kind=FeeRuleKind.FIXED, amount=Decimal("100.00"),
                        effective_from=dt.date(2020, 1, 1), component=FeeStage.APPLICATION)
    return permit_type


FENCE_STEP_1 = {"length_m": "40", "start_on": "2027-01-10", "has_gate": "true",
                "plate": ""}


def nothing_changed_snapshot(application_id: int) -> dict:
    """What a refused action must leave as it was."""
    application = Application.objects.get(pk=application_id)
    return {
        "application": (application.status, application.row_version, application.answers,
                        application.answers_version, application.case_id,
                        application.last_event_seq),
        "events": ApplicationEvent.objects.filter(application_id=application_id).count(),
        "parties": list(ApplicationParty.objects.filter(application_id=application_id)
                        .order_by("pk").values_list("role", "consent")),
        "documents": list(ApplicationDocument.objects.filter(application_id=application_id)
                          .order_by("pk").values_list("kind", "version", "superseded_at")),
        "fees": ApplicationFee.objects.filter(application_id=application_id).count(),
        "cases": Case.objects.count(),
        "bills": Bill.objects.exclude(payable_kind="misc_fee").count(),
        "bill_events": BillEvent.objects.count(),
    }


@transaction.atomic
def consent_record(application) -> None:
    """The owner's consent recorded on its party through part PARTIES' one writer, without
    continuing the submission (what PARTIES' consent service writes before it continues)."""
    from permits.services.applications import application_lock
    from permits.services.parties import application_owner_party, party_consent_change

    locked = application_lock(application.pk)
    party_consent_change(application=locked, party=application_owner_party(locked),
                         to_consent=ConsentStatus.GIVEN)


def application_in_review(world):
    """A complete draft the office submitted and the owner consented to in the portal (part
    PARTIES' service, which continues the submission): with the municipality, its case open
    and its application fee billed."""
    from permits.services.parties import application_consent_give
    from permits.services.submission import application_submit

    application = draft_complete(world)
    application_submit(application_id=application.pk, user=world.office_worker.user)
    application_consent_give(application_id=application.pk, user=world.owner.user)
    return Application.objects.select_related("case").get(pk=application.pk)


def pay(bill, *, amount=None, sptn: str | None = None):
    """SADAD reports the bill paid in full (the payment recorded as a notification would)."""
    import uuid

    from payments.services import payment_record

    return payment_record(sptn=sptn or f"SP{uuid.uuid4().int % 10**16:016d}",
                          amount=bill.amount if amount is None else Decimal(amount),
                          billing_account=bill.billing_account, bank_id="RJHISARI",
                          channel="INTERNET", method="ACTDEB", processed_at=clock.now())
