"""The licensing demo (issue 10): stand-in registry rows, three establishments whose delegates
are demo people, and licences in every state, built through permit_issue and the lifecycle
services; a second seed writes nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from amanah import clock
from amanah.dates import business_date
from amanah.enums import RolloutState
from amanah.models import EServiceRollout, Establishment
from payments.models import Bill
from permits.enums import ApplicationStatus, FeeStage, PermitStatus, RegistrationStatus
from permits.models import (
    Application,
    LicenceDeclaration,
    LocalCivilDefenceCertificate,
    LocalCommercialRegistration,
    LocalLease,
    Permit,
    PermitEvent,
    SampleInspection,
)

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _seed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _licences() -> dict[str, Permit]:
    return {p.details["trade_name"]: p for p in Permit.objects.filter(
        permit_type__code="commercial_license").select_related("holder_establishment")}


def test_the_licence_services_are_piloted_in_the_pilots(seeded):
    states = {(r.eservice.code, r.municipality.code): r.state for r in
              EServiceRollout.objects.filter(eservice__code="commercial_license")
              .select_related("eservice", "municipality")}
    assert states == {("commercial_license", "KHB"): RolloutState.PILOT,
                      ("commercial_license", "DMM"): RolloutState.PILOT,
                      ("commercial_license", "QTF"): RolloutState.OFF,
                      ("commercial_license", "JBL"): RolloutState.OFF}


def test_establishments_are_represented_by_demo_people(seeded):
    delegates = {e.unified_number: sorted(p.national_id for p in e.representatives.all())
                 for e in Establishment.objects.filter(
                     unified_number__in=["7002000011", "7002000029", "7002000037"])}
    assert delegates == {"7002000011": ["2012345670"], "7002000029": ["2023456789"],
                         "7002000037": ["1023456781"]}


def test_registries_hold_active_and_struck_off_registrations(seeded):
    assert dict(LocalCommercialRegistration.objects.filter(
        unified_number__startswith="700200").values_list("cr_number", "status")) == {
        "2051000011": RegistrationStatus.ACTIVE, "2050000029": RegistrationStatus.ACTIVE,
        "2050000037": RegistrationStatus.ACTIVE, "2050000045": RegistrationStatus.STRUCK_OFF}
    assert LocalLease.objects.filter(contract_number__startswith="LS-").count() == 8
    assert LocalCivilDefenceCertificate.objects.filter(
        number__in=["CD-KHB-20411", "CD-KHB-20418"]).count() == 2


def test_licences_are_in_every_state(seeded):
    today = business_date(clock.now())
    licences = _licences()
    assert {name: p.status for name, p in licences.items()} == {
        "مقهى شاطئ الخبر": PermitStatus.VALID,
        "مطعم مذاق الخليج": PermitStatus.SUSPENDED,
        "جوالات الخليج": PermitStatus.CANCELLED,
        "صالون ركن المدينة للحلاقة": PermitStatus.VALID,
        "تموينات ركن المدينة": PermitStatus.EXPIRED,
        "مكتبة ركن المدينة": PermitStatus.VALID,
    }
    # the barber's is inside its 90-day renewal window; the grocery's expired within 180 days
    barber = licences["صالون ركن المدينة للحلاقة"]
    assert today < barber.valid_until <= today + dt.timedelta(days=90)
    grocery = licences["تموينات ركن المدينة"]
    assert today - dt.timedelta(days=180) <= grocery.valid_until < today
    # every licence names its activities and its establishment holds it
    assert licences["مقهى شاطئ الخبر"].details["activities"] == ["563001"]
    assert licences["مقهى شاطئ الخبر"].holder_establishment.unified_number == "7002000011"
    assert all(p.number.startswith("CL-") for p in licences.values())


def test_sub_permits_hang_from_their_licence_and_follow_its_suspension(seeded):
    licences = _licences()
    cafe, restaurant = licences["مقهى شاطئ الخبر"], licences["مطعم مذاق الخليج"]
    assert sorted((p.permit_type.code, p.status) for p in Permit.objects.filter(parent=cafe)) \
        == [("outdoor_seating", PermitStatus.VALID), ("signage_permit", PermitStatus.VALID)]
    assert all(p.valid_until <= cafe.valid_until for p in Permit.objects.filter(parent=cafe))
    assert [(p.permit_type.code, p.status) for p in Permit.objects.filter(
        parent=restaurant)] == [("signage_permit", PermitStatus.SUSPENDED)]


def test_a_sample_inspection_is_chosen_for_the_new_instant_licence_and_handed_over(seeded):
    stationery = _licences()["مكتبة ركن المدينة"]
    sample = SampleInspection.objects.get(permit=stationery)
    assert (sample.activity.code, sample.rate_percent, sample.status,
            sample.due_by) == ("476101", 10, "handed_over",
                               stationery.issued_on + dt.timedelta(days=30))
    assert PermitEvent.objects.filter(permit=stationery, kind="sample_queued").count() == 1
    # violations (seeded after the licences, "violation" in pilot in Dammam) took it: the
    # reference is the planned inspection's number
    assert sample.reference.startswith("INS-DMM-")


def test_an_instant_application_awaits_its_fees_and_a_reviewed_one_is_in_review(seeded):
    instant = Application.objects.get(answers__trade_name="عطور وأزياء ركن المدينة")
    assert (instant.status, instant.case_id) == (ApplicationStatus.AWAITING_FEE, None)
    assert sorted(instant.fees.values_list("stage", flat=True)) == [FeeStage.ISSUANCE,
                                                                    FeeStage.SIGNAGE]
    assert Bill.objects.filter(pk__in=instant.fees.values("bill")).count() == 2
    assert LicenceDeclaration.objects.get(application=instant).signed_by.national_id == \
        "2023456789"
    reviewed = Application.objects.select_related("case__definition").get(
        answers__trade_name="صيدلية الدواء الشافي")
    assert reviewed.status == ApplicationStatus.IN_REVIEW
    assert reviewed.case.definition.code == "commercial_license_health"


def test_a_second_seed_writes_nothing(seeded):
    before = (Permit.objects.count(), Application.objects.count(),
              PermitEvent.objects.count(), Bill.objects.count())
    output = _seed()
    assert (Permit.objects.count(), Application.objects.count(),
            PermitEvent.objects.count(), Bill.objects.count()) == before
    assert "demo licences: 8 kept; skipped: none" in output
    assert "licensed establishments: 3 unchanged" in output
