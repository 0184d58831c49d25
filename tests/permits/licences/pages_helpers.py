"""Helpers of the licence page tests (part C): bills of an establishment, a sub-permit of a
licence, a queued sample inspection, and rows in bulk for the query-count tests."""

import datetime as dt
import uuid
from decimal import Decimal

from payments.enums import BillStatus
from payments.models import Bill
from payments.services import bill_issue
from permits.enums import SampleInspectionStatus
from permits.models import Permit, SampleInspection

from .factories import GROCERY


def establishment_bill_make(world, establishment=None, *, amount="450.00") -> Bill:
    """A licence fee bill the establishment owes (issued through bill_issue)."""
    return bill_issue(payable_kind="misc_fee", payable_ref=f"REF-{uuid.uuid4().hex[:8]}",
                      municipality=world.municipality, eservice=world.licence_type.eservice,
                      payer_establishment=establishment or world.establishment,
                      amount=amount, description_ar="رسوم رخصة", description_en="Licence fee")


def sub_permit_make(world, licence: Permit, *, number: str | None = None) -> Permit:
    """A signage permit hanging from `licence` (written directly: its issue is part B's)."""
    return Permit.objects.create(
        number=number or f"SG-{uuid.uuid4().hex[:10]}", permit_type=world.signage_type,
        municipality=world.municipality, holder_establishment=licence.holder_establishment,
        parcel=licence.parcel, parent=licence, details={"sign_area_m2": "3.00"},
        issued_on=licence.issued_on, valid_from=licence.valid_from,
        valid_until=licence.valid_until)


def sample_queue(world, licence: Permit, *, due_by=None) -> SampleInspection:
    return SampleInspection.objects.create(
        permit=licence, activity=world.activities[GROCERY], rate_percent=20,
        status=SampleInspectionStatus.QUEUED,
        due_by=due_by or licence.issued_on + dt.timedelta(days=30))


def licences_bulk(world, template: Permit, count: int, *, start: int) -> list[Permit]:
    """`count` licences like `template`, each with one signage sub-permit and one unpaid
    bill of the establishment: four INSERTs of up to 500 rows each."""
    licences = Permit.objects.bulk_create([
        Permit(number=f"CL-BULK-{start + i:06d}", permit_type=template.permit_type,
               municipality=template.municipality,
               holder_establishment=template.holder_establishment, parcel=template.parcel,
               details=dict(template.details), issued_on=template.issued_on,
               valid_from=template.valid_from,
               valid_until=template.valid_until + dt.timedelta(days=i % 300))
        for i in range(count)], batch_size=500)
    Permit.objects.bulk_create([
        Permit(number=f"SG-BULK-{start + i:06d}", permit_type=world.signage_type,
               municipality=licence.municipality,
               holder_establishment=licence.holder_establishment, parcel=licence.parcel,
               parent=licence, details={"sign_area_m2": "2.00"}, issued_on=licence.issued_on,
               valid_from=licence.valid_from, valid_until=licence.valid_until)
        for i, licence in enumerate(licences)], batch_size=500)
    today = template.issued_on
    Bill.objects.bulk_create([
        Bill(billing_account=f"9{start + i:010d}", municipality=world.municipality,
             eservice=world.licence_type.eservice, category="FEE",
             payer_establishment=template.holder_establishment, amount=Decimal("300.00"),
             due_date=today + dt.timedelta(days=30), expiry_date=today + dt.timedelta(days=60),
             status=BillStatus.UNPAID, payable_kind="misc_fee", payable_ref=f"BULK-{start + i}",
             description_ar="رسوم", description_en="Fee")
        for i in range(count)], batch_size=500)
    return licences
