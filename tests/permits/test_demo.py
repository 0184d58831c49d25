"""The permits demo: the catalogue offered where the issue says, offices and contractors whose
people sign in, deeds of the demo citizens, inspector slots, and demo drafts that a real form
would accept, moved through the real services to every state an application and a permit
can be in; a second seed writes nothing."""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from amanah import clock
from amanah.dates import RIYADH, business_date
from amanah.demo import DEMO_PASSWORD
from amanah.enums import RolloutState
from amanah.events import audit_verify
from amanah.models import EService, EServiceRollout, Person, User
from payments.models import Bill, Payment
from permits.demo import DEEDS, DEMO_APPLICATIONS
from permits.enums import FieldKind, OfficeKind, PartyRole, PermitStatus
from permits.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    District,
    Inspection,
    InspectionSlot,
    LocalDeed,
    Parcel,
    Permit,
    PermitEvent,
    RegisteredOffice,
    ZoneRule,
)
from permits.selectors import applications_visible_to
from workflow.models import Case, CaseEvent

pytestmark = pytest.mark.django_db

CODES = ["building_permit", "building_addition", "demolition_permit", "fence_permit",
         "occupancy_certificate", "excavation_permit"]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _seed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _states() -> dict[tuple[str, str], str]:
    return {(r.eservice.code, r.municipality.code): r.state for r in
            EServiceRollout.objects.filter(eservice__code__in=CODES)
            .select_related("eservice", "municipality")}


def test_building_excavation_and_certificate_are_live_in_the_pilots(seeded):
    live = {"building_permit", "excavation_permit", "occupancy_certificate"}
    expected = {}
    for code in CODES:
        for municipality in ("KHB", "DMM"):
            expected[code, municipality] = RolloutState.LIVE if code in live else \
                RolloutState.PILOT
        for municipality in ("QTF", "JBL"):
            expected[code, municipality] = RolloutState.OFF
    assert _states() == expected
    # and each service starts on the apply part's page
    assert dict(EService.objects.filter(code__in=CODES).values_list("code", "url_name")) == {
        code: "permits:apply_start" for code in CODES}


def test_a_reseed_never_undoes_an_admins_rollout(seeded):
    # given an admin who put the building service back to pilot in Khobar (through the admin,
    # which keeps history) and switched demolition live in Qatif
    for code, municipality, state in (("building_permit", "KHB", RolloutState.PILOT),
                                      ("demolition_permit", "QTF", RolloutState.LIVE)):
        rollout = EServiceRollout.objects.get(eservice__code=code,
                                              municipality__code=municipality)
        rollout.state = state
        rollout.save()
    # when the demo is seeded again
    output = _seed()
    # then both choices stand
    states = _states()
    assert states["building_permit", "KHB"] == RolloutState.PILOT
    assert states["demolition_permit", "QTF"] == RolloutState.LIVE
    assert "permit rollouts: 24 kept" in output


def _sign_in(username: str):
    return authenticate(RequestFactory().post("/"), username=username, password=DEMO_PASSWORD)


def test_offices_and_contractors_are_registered_and_their_people_sign_in(seeded):
    offices = list(RegisteredOffice.objects.select_related("establishment__municipality"))
    assert sorted((o.establishment.municipality.code, o.kind) for o in offices) == [
        ("DMM", OfficeKind.CONTRACTOR), ("DMM", OfficeKind.ENGINEERING_OFFICE),
        ("KHB", OfficeKind.CONTRACTOR), ("KHB", OfficeKind.ENGINEERING_OFFICE),
        ("KHB", OfficeKind.ENGINEERING_OFFICE)]
    today = business_date(clock.now())
    for office in offices:
        assert office.is_licensed_on(today)
        (person,) = office.establishment.representatives.all()
        assert person.mobile_confirmed_at is not None
        assert person.municipality_id == office.establishment.municipality_id
        assert _sign_in(person.national_id) == person.user
        assert not person.user.is_staff


def test_deeds_belong_to_demo_citizens_and_parcels_lie_in_their_district(seeded):
    # (the licensing demo's shop deeds are tested in tests/permits/licences/test_demo_*)
    deeds = list(LocalDeed.objects.filter(deed_number__in=[d[0] for d in DEEDS]))
    assert len(deeds) == 8
    owners = {p.national_id: p for p in Person.objects.filter(
        national_id__in=[d.owner_id for d in deeds])}
    for deed in deeds:
        owner = owners[deed.owner_id]
        assert owner.user is not None
        assert deed.owner_name_ar == owner.name_ar
        assert District.objects.filter(municipality__code=deed.municipality_code,
                                       code=deed.district_code).exists()
    for parcel in Parcel.objects.select_related("district"):
        assert parcel.district.contains(parcel.latitude, parcel.longitude), parcel.deed_number


def test_inspectors_offer_three_visits_a_day_on_the_next_thirty_working_days(seeded):
    slots = list(InspectionSlot.objects.select_related("department__municipality",
                                                       "inspector"))
    assert len(slots) == 2 * 30 * 3
    assert {s.department.municipality.code for s in slots} == {"KHB", "DMM"}
    assert {(s.department.code, s.inspector.username) for s in slots} == {
        ("inspection", "khb.inspection.inspector"), ("inspection", "dmm.inspection.inspector")}
    days = sorted({s.starts_at.astimezone(RIYADH).date() for s in slots})
    assert len(days) == 30
    assert days[0] > business_date(clock.now())
    assert not [d for d in days if d.weekday() in (4, 5)]      # never on Friday or Saturday
    # two of them booked by the demo's building permits that had their site visit
    assert Counter((s.capacity, s.booked) for s in slots) == {(2, 0): 178, (2, 1): 2}
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=90) for s in slots)


def _problems(application) -> list[str]:
    """What the type's form would refuse in the draft's answers (as its fields say)."""
    answers, problems = application.answers, []
    fields = {f.key: f for f in application.permit_type.fields.all()}
    problems += [f"unknown {key}" for key in set(answers) - set(fields)]
    for key, field in fields.items():
        condition = field.shown_when
        if condition and answers.get(condition["field"]) not in condition["in"]:
            if key in answers:
                problems.append(f"{key} answered but not shown")
            continue
        value = answers.get(key)
        if value in (None, ""):
            if field.required:
                problems.append(f"{key} missing")
            continue
        if field.kind == FieldKind.BOOLEAN:
            ok = isinstance(value, bool) and (value or not field.required)
        elif field.kind == FieldKind.CHOICE:
            ok = value in [c["value"] for c in field.choices]
        elif field.kind == FieldKind.DATE:
            ok = bool(dt.date.fromisoformat(value))
        elif field.kind in (FieldKind.INTEGER, FieldKind.DECIMAL):
            number = Decimal(str(value))
            ok = (field.kind == FieldKind.DECIMAL or isinstance(value, int)) and (
                field.min_value is None or number >= field.min_value) and (
                field.max_value is None or number <= field.max_value)
        else:
            ok = (field.max_length is None or len(value) <= field.max_length) and (
                not field.pattern or re.fullmatch(field.pattern, value) is not None)
        if not ok:
            problems.append(f"{key}={value!r}")
    return problems


def _zone_breaches(application, zone) -> list[str]:
    answers, area = application.answers, application.parcel.area_m2
    breaches = []
    if answers["floors"] > zone.max_floors:
        breaches.append("floors")
    if Decimal(answers["footprint_m2"]) * 100 > zone.max_coverage_percent * area:
        breaches.append("coverage")
    for side in ("front", "side", "rear"):
        if Decimal(answers[f"{side}_setback_m"]) < getattr(zone, f"min_{side}_setback_m"):
            breaches.append(side)
    return breaches


STATES = {"draft": 1, "awaiting_consent": 1, "consent_declined": 1, "in_review": 2,
          "awaiting_correction": 1, "awaiting_fee": 1, "issued": 2, "rejected": 1,
          "withdrawn": 1}


def test_demo_applications_show_every_state_through_the_services(seeded):
    applications = list(Application.objects.filter(permit_type__code__in=CODES).select_related(
        "permit_type", "owner_person__user", "filing_office", "created_by", "case__state")
        .prefetch_related("parties", "permit_type__fields", "fees__bill"))
    # then each application is in the state it is meant to show, and the log says so
    assert len(applications) == len(DEMO_APPLICATIONS) == 11
    assert Counter(a.status for a in applications) == STATES
    assert ("demo applications: made 1 awaiting_consent, 1 awaiting_correction, 1 awaiting_fee,"
            " 1 consent_declined, 1 draft, 2 in_review, 2 issued, 1 rejected, 1 withdrawn, "
            "0 kept, skipped: none") in seeded
    reviewer = User.objects.get(username="khb.engineering.reviewer")
    for application in applications:
        assert _problems(application) == [], application.permit_type.code
        assert applications_visible_to(application.created_by).filter(
            pk=application.pk).exists()
        # the municipality sees exactly those submitted to it
        submitted = application.status not in ("draft", "awaiting_consent", "consent_declined",
                                               "withdrawn")
        assert (application.submitted_at is not None) == submitted, application.status
        assert applications_visible_to(reviewer).filter(pk=application.pk).exists() == (
            submitted and application.municipality.code == "KHB")
        roles = {p.role for p in application.parties.all()}
        assert PartyRole.OWNER in roles
        if application.filing_office is not None:
            assert roles & {PartyRole.DESIGN_OFFICE, PartyRole.CONTRACTOR}
        else:
            assert application.created_by == application.owner_person.user
        # every application sits on a deed-checked parcel (an excavation on its owner's)
        assert application.parcel.deed_number
    # the plans of the buildings meet their zone's limits (staff may still ask for changes)
    zones = {z.zone: z for z in ZoneRule.objects.filter(municipality=None)}
    for application in applications:
        if application.permit_type.plan_check:
            assert _zone_breaches(application, zones[application.parcel.zone]) == [], \
                application.parcel.deed_number
    by_status = {}
    for application in applications:
        by_status.setdefault(application.status, []).append(application)
    # the case of each stands where its application says
    assert sorted((a.status, a.case.state.code) for a in applications if a.case_id) == [
        ("awaiting_correction", "awaiting_applicant"), ("awaiting_fee", "awaiting_fee"),
        ("in_review", "review"), ("in_review", "review"), ("issued", "issued"),
        ("issued", "issued"), ("rejected", "rejected")]
    # fees: what was paid went through the simulated bank (a payment on the bill)
    fees = {(a.permit_type.code, a.status, f.stage, f.amount, f.paid_at is not None,
             f.bill.status) for a in applications for f in a.fees.all()}
    assert fees == {
        ("building_permit", "in_review", "application", Decimal("300.00"), True, "paid"),
        ("building_permit", "awaiting_correction", "application", Decimal("300.00"), True,
         "paid"),
        ("building_permit", "awaiting_fee", "application", Decimal("300.00"), True, "paid"),
        # 3.00 × 560 m² and 3.00 × 1350 m² (Khobar and Dammam are class 1)
        ("building_permit", "awaiting_fee", "issuance", Decimal("1680.00"), False, "unpaid"),
        ("building_permit", "issued", "application", Decimal("300.00"), True, "paid"),
        ("building_permit", "issued", "issuance", Decimal("4050.00"), True, "paid"),
        ("fence_permit", "issued", "issuance", Decimal("200.00"), True, "paid"),
        ("excavation_permit", "in_review", "application", Decimal("300.00"), True, "paid"),
        ("excavation_permit", "rejected", "application", Decimal("300.00"), False, "unpaid"),
    }
    assert Payment.objects.count() == 7
    assert "demo application bills sent to the simulated SADAD: 1" in seeded
    # the declined one says why; the rejected one gives staff's reason
    (declined,) = by_status["consent_declined"]
    assert declined.events.filter(to_status="consent_declined").get().reason.startswith(
        "لم أتفق مع المكتب")
    (rejected,) = by_status["rejected"]
    assert rejected.events.filter(to_status="rejected").get().reason.startswith("المسار يمر")
    # the issued ones hold their permits, valid, on the owner and the parcel
    issued = Permit.objects.filter(application__in=by_status["issued"])
    assert sorted((p.permit_type.code, p.status, p.holder_person_id, p.parcel_id)
                  for p in issued) == sorted(
        (a.permit_type.code, PermitStatus.VALID, a.owner_person_id, a.parcel_id)
        for a in by_status["issued"])
    # every chain of events holds
    assert {r.ok for r in audit_verify(chain="permit_application")} == {True}
    assert {r.ok for r in audit_verify(chain="permit")} == {True}


def test_paper_era_permits_are_imported_expired_suspended_and_cancelled(seeded):
    imported = {p.paper_reference: p for p in Permit.objects.filter(is_imported=True)
                .select_related("municipality")}
    assert {ref: (p.municipality.code, p.status) for ref, p in imported.items()} == {
        "1438/4471": ("KHB", PermitStatus.EXPIRED),
        "1445/2093": ("DMM", PermitStatus.SUSPENDED),
        "1446/0815": ("KHB", PermitStatus.CANCELLED)}
    assert "paper-era permits imported: 1 cancelled, 1 expired, 1 suspended" in seeded
    # with a valid permit from the applications, every permit status is shown
    assert set(Permit.objects.values_list("status", flat=True)) == {
        PermitStatus.VALID, PermitStatus.EXPIRED, PermitStatus.SUSPENDED,
        PermitStatus.CANCELLED}
    # a reviewer of the municipality decided, with the reason
    suspended = imported["1445/2093"].events.get(to_status=PermitStatus.SUSPENDED)
    assert (suspended.actor.username, suspended.reason[:10]) == (
        "dmm.engineering.reviewer", "أعمال بناء")


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (
        Application, ApplicationEvent, ApplicationDocument, Permit, PermitEvent, Bill, Payment,
        Case, CaseEvent, Inspection, LocalDeed, RegisteredOffice)} | {
        "booked": sum(InspectionSlot.objects.values_list("booked", flat=True))}


def test_a_second_seed_writes_nothing(seeded):
    # given the demo seeded once
    before = _counts()
    # when it is seeded again
    output = _seed()
    # then nothing new is made, and the log says every row was kept
    assert _counts() == before
    assert "demo applications: made none, 11 kept, skipped: none" in output
    assert "paper-era permits imported: 3 kept" in output
    assert "demo application bills sent to the simulated SADAD: 0" in output
