"""Demo data for commercial licences (issue 10): the stand-in registries' rows (commercial
registrations, leases, a civil defence certificate), three establishments whose delegates are
demo people, their shops' deeds, and licences in every state a user meets:

- valid (a café in Khobar, with a sign and outdoor seating sub-permit),
- inside the renewal window (a barber in Dammam),
- expired, inside the late renewal window (a grocery in Dammam),
- suspended, with its sign sub-permit suspended with it (a restaurant in Khobar),
- cancelled (a mobile phone shop in Khobar),
- issued instantly a few days ago and chosen for a sample inspection (a stationery shop),
- an instant application awaiting its fees, declaration signed, bills issued (perfumes),
- a reviewed application in review, with its case on the health procedure (a pharmacy).

`licences_demo_seed(log=…)` is called by permits.demo.seed after the catalogue. Rows are found
by natural key (a licence by its type, establishment and shop deed); a second run writes
nothing. Licences are issued through permit_issue with the clock set to the day they were
issued, then moved through the lifecycle services (permit_suspend, permit_cancel) as staff
would; the instant application awaiting its fees is submitted with application_submit (its
declaration signed and its bills issued by the instant path), and the sampled licence's
inspection is queued by sampling.licence_sample.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from amanah import clock
from amanah.dates import RIYADH, business_date
from amanah.demo import PILOTS, _upsert, eservice_start_page_ensure
from amanah.enums import MunicipalityKind, RolloutState, StaffRole
from amanah.errors import DomainError
from amanah.identity import luhn_check_digit
from amanah.models import EServiceRollout, Establishment, Municipality, Person, User
from payments.services import outbox_flush
from workflow.services import case_route, case_submit

from ..catalogue import Log, _Tally
from ..enums import (
    ApplicationEventKind,
    ApplicationStatus,
    PartyRole,
    PermitEventKind,
    PermitStatus,
    RegistrationStatus,
)
from ..models import (
    Activity,
    ActivitySampleCounter,
    Application,
    ApplicationActivity,
    ApplicationParty,
    LocalCivilDefenceCertificate,
    LocalCommercialRegistration,
    LocalDeed,
    LocalLease,
    Permit,
    PermitType,
)
from ..services.applications import (
    application_event_append,
    application_lock,
    application_save,
    application_status_change,
)
from ..services.lifecycle import permit_cancel, permit_suspend
from ..services.parcels import parcel_confirm
from ..services.permits import (
    permit_issue,
    permit_status_change,
)
from ..services.submission import application_submit
from .catalogue import HEALTH_PROCEDURE, LICENCE_CODE, LICENCE_TYPE_CODES
from .sampling import licence_sample, sampling_activity

START_PAGE = "permits:apply_start"

# unified number, Arabic, English, municipality, delegate (a demo person's ID payload: README)
ESTABLISHMENTS = [
    ("7002000011", "مؤسسة مذاق الخليج للمأكولات", "Gulf Taste Foods Est.", "KHB", "201234567"),
    ("7002000029", "مؤسسة ركن المدينة التجارية", "City Corner Trading Est.", "DMM",
     "202345678"),
    ("7002000037", "شركة الدواء الشافي للصيدليات", "Al Dawaa Al Shafi Pharmacies Co.", "DMM",
     "102345678"),
]

# CR number, establishment, status, activity codes, expires on. One struck off: a registration
# the establishment closed, to try the check's refusal with.
REGISTRATIONS = [
    ("2051000011", "7002000011", RegistrationStatus.ACTIVE, ["563001", "561001", "474201"],
     dt.date(2031, 3, 31)),
    ("2050000029", "7002000029", RegistrationStatus.ACTIVE,
     ["960201", "471101", "476101", "477301", "477111"], dt.date(2030, 9, 30)),
    ("2050000037", "7002000037", RegistrationStatus.ACTIVE, ["477201"], dt.date(2032, 1, 31)),
    ("2050000045", "7002000029", RegistrationStatus.STRUCK_OFF, ["475901"],
     dt.date(2025, 6, 30)),
]

# Shops' deeds (landlords are demo citizens): number, date, owner payload, municipality,
# district, plan, parcel, area, zone, (latitude, longitude) inside the district.
SHOP_DEEDS = [
    ("410105001201", dt.date(2015, 4, 12), "101234567", "KHB", "olaya", "1207", "301",
     "320.00", "commercial", ("26.266000", "50.183000")),
    ("410105001202", dt.date(2016, 9, 3), "101234567", "KHB", "aqrabiyah", "1143", "88",
     "180.00", "commercial", ("26.296000", "50.206000")),
    ("410105001203", dt.date(2019, 2, 17), "101234567", "KHB", "thuqbah", "1188", "120",
     "90.00", "commercial", ("26.270000", "50.210000")),
    ("420105002301", dt.date(2013, 11, 20), "102345678", "DMM", "faisaliyah", "2051", "140",
     "120.00", "commercial", ("26.400000", "50.076000")),
    ("420105002302", dt.date(2018, 1, 8), "102345678", "DMM", "adamah", "2099", "150",
     "150.00", "commercial", ("26.430000", "50.105000")),
    ("420105002303", dt.date(2020, 7, 1), "102345678", "DMM", "manar", "2150", "12",
     "200.00", "commercial", ("26.390000", "50.110000")),
    ("420105002304", dt.date(2021, 3, 29), "102345678", "DMM", "shati", "2210", "77",
     "110.00", "commercial", ("26.455000", "50.120000")),
    ("420105002305", dt.date(2014, 6, 15), "202345678", "DMM", "faisaliyah", "2051", "166",
     "260.00", "commercial", ("26.405000", "50.085000")),
]

# Lease contract, lessee, shop deed (every lease runs 2024–2031).
LEASES = [
    ("LS-KHB-240101", "7002000011", "410105001201"),
    ("LS-KHB-240102", "7002000011", "410105001202"),
    ("LS-KHB-240103", "7002000011", "410105001203"),
    ("LS-DMM-240201", "7002000029", "420105002301"),
    ("LS-DMM-240202", "7002000029", "420105002302"),
    ("LS-DMM-240203", "7002000029", "420105002303"),
    ("LS-DMM-240204", "7002000029", "420105002304"),
    ("LS-DMM-240205", "7002000037", "420105002305"),
]
LEASE_FROM, LEASE_TO = dt.date(2024, 1, 1), dt.date(2031, 12, 31)

# Civil defence certificates: number, establishment, shop deed, valid until.
CIVIL_DEFENCE = [
    ("CD-KHB-20411", "7002000011", "410105001201", dt.date(2028, 6, 30)),
    ("CD-KHB-20418", "7002000011", "410105001202", dt.date(2028, 6, 30)),
]


def _answers(trade_name, cr, lease, area, signage="", civil_defence="") -> dict:
    answers = {"trade_name": trade_name, "cr_number": cr, "lease_contract_number": lease,
               "shop_area_m2": area, "validity_years": "1"}
    if signage:
        answers["signage_area_m2"] = signage
    if civil_defence:
        answers["civil_defence_number"] = civil_defence
    return answers


# (what it shows, establishment, shop deed, activities, answers, days ago it was issued (None:
# not issued), sub-permits (type, answers)).
LICENCES = [
    ("valid", "7002000011", "410105001201", ["563001"],
     _answers("مقهى شاطئ الخبر", "2051000011", "LS-KHB-240101", "140.00", "6.00",
              "CD-KHB-20411"), 60,
     [("signage_permit", {"sign_width_m": "6.00", "sign_height_m": "1.00",
                          "illuminated": True, "sign_text": "مقهى شاطئ الخبر"}),
      ("outdoor_seating", {"seating_area_m2": "24.00", "seats": 16})]),
    ("suspended", "7002000011", "410105001202", ["561001"],
     _answers("مطعم مذاق الخليج", "2051000011", "LS-KHB-240102", "160.00", "4.00",
              "CD-KHB-20418"), 180,
     [("signage_permit", {"sign_width_m": "4.00", "sign_height_m": "1.00",
                          "illuminated": False, "sign_text": "مطعم مذاق الخليج"})]),
    ("cancelled", "7002000011", "410105001203", ["474201"],
     _answers("جوالات الخليج", "2051000011", "LS-KHB-240103", "45.00"), 240, []),
    ("renewal_due", "7002000029", "420105002301", ["960201"],
     _answers("صالون ركن المدينة للحلاقة", "2050000029", "LS-DMM-240201", "36.00", "2.00"),
     330, []),
    ("expired", "7002000029", "420105002302", ["471101"],
     _answers("تموينات ركن المدينة", "2050000029", "LS-DMM-240202", "120.00", "3.00"), 420,
     []),
    ("sampled", "7002000029", "420105002303", ["476101"],
     _answers("مكتبة ركن المدينة", "2050000029", "LS-DMM-240203", "70.00"), 3, []),
    ("awaiting_fee", "7002000029", "420105002304", ["477301", "477111"],
     _answers("عطور وأزياء ركن المدينة", "2050000029", "LS-DMM-240204", "95.00", "2.50"),
     None, []),
    ("in_review", "7002000037", "420105002305", ["477201"],
     _answers("صيدلية الدواء الشافي", "2050000037", "LS-DMM-240205", "110.00", "3.00"),
     None, []),
]
SUSPEND_REASON = ("ضبط مخالفة اشتراطات صحية في المطبخ أثناء جولة رقابية؛ توقف الرخصة حتى "
                  "تصحيحها.")
CANCEL_REASON = "ألغيت بطلب المنشأة بعد إغلاق المحل."


def _national_id(payload: str) -> str:
    return payload + luhn_check_digit(payload)


def licences_demo_seed(*, log: Log) -> None:
    """The licensing demo; every part skips itself (and says so) when what it builds on is not
    seeded."""
    _rollouts_seed(log)
    for code in LICENCE_TYPE_CODES:
        eservice_start_page_ensure(code=code, url_name=START_PAGE, log=log)
    establishments = _establishments_seed(log)
    _registries_seed(log)
    _deeds_seed(log)
    _licences_seed(establishments, log)


def _rollouts_seed(log: Log) -> None:
    """Piloted in the pilots, off elsewhere, as every demo e-service is unless its issue says it
    is live (issue 10 does not, unlike the permits issue's building cards): the establishments'
    delegates are residents of their pilot municipality, so they can apply. Set only when a row
    is first made, never undone (an admin's choice stays)."""
    tally = _Tally()
    branches = list(Municipality.objects.filter(kind=MunicipalityKind.BRANCH).order_by("code"))
    for permit_type in PermitType.objects.filter(code__in=LICENCE_TYPE_CODES).select_related(
            "eservice").order_by("code"):
        for municipality in branches:
            wanted = RolloutState.PILOT if municipality.code in PILOTS else RolloutState.OFF
            _, created = EServiceRollout.objects.get_or_create(
                eservice=permit_type.eservice, municipality=municipality,
                defaults={"state": wanted})
            tally["created" if created else "kept"] += 1
    log(f"licence rollouts: {tally} (pilot in {' and '.join(PILOTS)}, off elsewhere)")


def _establishments_seed(log: Log) -> dict[str, Establishment]:
    tally = _Tally()
    found = {}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    for unified, name_ar, name_en, code, payload in ESTABLISHMENTS:
        delegate = Person.objects.filter(national_id=_national_id(payload)).first()
        if code not in municipalities or delegate is None:
            tally["skipped (not seeded)"] += 1
            continue
        establishment, outcome = _upsert(Establishment, {"unified_number": unified}, {
            "name_ar": name_ar, "name_en": name_en, "municipality": municipalities[code]})
        if not establishment.representatives.filter(pk=delegate.pk).exists():
            establishment.representatives.add(delegate)
        tally[outcome] += 1
        found[unified] = establishment
    log(f"licensed establishments: {tally}")
    return found


def _registries_seed(log: Log) -> None:
    registrations, leases, certificates = _Tally(), _Tally(), _Tally()
    names = dict(Establishment.objects.filter(
        unified_number__in=[e[0] for e in ESTABLISHMENTS]).values_list("unified_number",
                                                                       "name_ar"))
    for cr, unified, status, codes, expires in REGISTRATIONS:
        _, outcome = _upsert(LocalCommercialRegistration, {"cr_number": cr}, {
            "unified_number": unified, "name_ar": names.get(unified, unified), "status": status,
            "activity_codes": codes, "expires_on": expires})
        registrations[outcome] += 1
    for contract, lessee, deed in LEASES:
        _, outcome = _upsert(LocalLease, {"contract_number": contract}, {
            "lessee_id": lessee, "deed_number": deed, "starts_on": LEASE_FROM,
            "ends_on": LEASE_TO, "is_active": True})
        leases[outcome] += 1
    for number, unified, deed, until in CIVIL_DEFENCE:
        _, outcome = _upsert(LocalCivilDefenceCertificate, {"number": number}, {
            "unified_number": unified, "deed_number": deed, "valid_until": until,
            "is_active": True})
        certificates[outcome] += 1
    log(f"stand-in registries: commercial registrations {registrations}; leases {leases}; "
        f"civil defence certificates {certificates}")


def _deeds_seed(log: Log) -> None:
    tally = _Tally()
    owners = {p.national_id: p for p in Person.objects.filter(
        national_id__in=[_national_id(d[2]) for d in SHOP_DEEDS])}
    for number, date, payload, municipality, district, plan, parcel, area, zone, _ in \
            SHOP_DEEDS:
        owner = owners.get(_national_id(payload))
        if owner is None:
            tally["skipped (owner not seeded)"] += 1
            continue
        _, outcome = _upsert(LocalDeed, {"deed_number": number}, {
            "deed_date": date, "owner_id": owner.national_id, "owner_name_ar": owner.name_ar,
            "municipality_code": municipality, "district_code": district,
            "plan_number": plan, "parcel_number": parcel, "area_m2": Decimal(area),
            "zone": zone, "is_active": True})
        tally[outcome] += 1
    log(f"shop deeds in the local registry: {tally}")


# --- Licences ----------------------------------------------------------------------------


def _licensing_staff(municipality: Municipality, role: str):
    return (User.objects.filter(memberships__department__municipality=municipality,
                                memberships__department__code="licensing",
                                memberships__role=role, memberships__is_active=True)
            .order_by("pk").first())


def _at(day: dt.date) -> dt.datetime:
    """Ten in the morning, Riyadh time, of a day: when the demo's past events happened."""
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=RIYADH)


def _draft(*, permit_type: PermitType, establishment: Establishment, delegate: Person,
           municipality: Municipality, deed_number: str, answers: dict, activities=(),
           licence: Permit | None = None) -> Application:
    """A draft as the establishment's delegate leaves it: parties, the shop's parcel (confirmed
    by the deed registry), answers and activities."""
    deed = LocalDeed.objects.get(deed_number=deed_number)
    coordinates = next(d[9] for d in SHOP_DEEDS if d[0] == deed_number)
    parcel = parcel_confirm(municipality=municipality, deed_number=deed_number,
                            deed_date=deed.deed_date, district_code=deed.district_code,
                            latitude=coordinates[0], longitude=coordinates[1])
    application = Application(permit_type=permit_type, municipality=municipality,
                              parcel=parcel, answers=dict(answers),
                              owner_establishment=establishment, created_by=delegate.user,
                              permit=licence, last_step=1)
    created = application_event_append(application, kind=ApplicationEventKind.CREATED,
                                       actor=delegate.user, payload={"source": "demo"})
    application.save()
    created.application = application
    created.save()
    ApplicationParty.objects.create(application=application, role=PartyRole.OWNER,
                                    establishment=establishment)
    ApplicationParty.objects.create(application=application, role=PartyRole.DELEGATE,
                                    person=delegate, establishment=establishment)
    for order, activity in enumerate(activities, start=1):
        ApplicationActivity.objects.create(application=application, activity=activity,
                                           order=order)
    return application


def _issue(application: Application, *, activity_codes=(), parent: Permit | None = None,
           actor=None) -> Permit:
    """Issue a drafted application at once (the clock set by the caller): in review, awaiting
    its fee, issued. A licence's details name its activities; a sub-permit hangs from its
    licence and ends with it (until permit_issue does both itself, part B)."""
    locked = application_lock(application.pk)
    for status in (ApplicationStatus.IN_REVIEW, ApplicationStatus.AWAITING_FEE):
        application_status_change(application=locked, to_status=status, actor=actor)
    permit = permit_issue(application=locked, actor=actor)
    application_status_change(application=locked, to_status=ApplicationStatus.ISSUED,
                              actor=actor, payload={"permit": permit.number})
    changes = {}
    if activity_codes and "activities" not in permit.details:
        changes["details"] = {**permit.details, "activities": list(activity_codes)}
    if parent is not None and permit.parent_id is None:
        changes["parent"] = parent
        if parent.valid_until and (permit.valid_until is None
                                   or permit.valid_until > parent.valid_until):
            changes["valid_until"] = parent.valid_until
    if changes:
        Permit.objects.filter(pk=permit.pk).update(**changes)
    return Permit.objects.get(pk=permit.pk)


def _licences_seed(establishments: dict[str, Establishment], log: Log) -> None:
    made, skipped = _Tally(), _Tally()
    types = {t.code: t for t in PermitType.objects.filter(code__in=LICENCE_TYPE_CODES)}
    activities = {a.code: a for a in Activity.objects.all()}
    licence_type = types.get(LICENCE_CODE)
    for shows, unified, deed_number, codes, answers, days_ago, subs in LICENCES:
        establishment = establishments.get(unified)
        if licence_type is None or establishment is None or not all(
                c in activities for c in codes) or not LocalDeed.objects.filter(
                deed_number=deed_number).exists():
            skipped["(not seeded)"] += 1
            continue
        if Application.objects.filter(permit_type=licence_type,
                                      owner_establishment=establishment,
                                      parcel__deed_number=deed_number).exists():
            made["kept"] += 1
            continue
        try:
            with transaction.atomic():
                _licence_make(shows, establishment, deed_number, [activities[c] for c in codes],
                              answers, days_ago, subs, types)
        except DomainError as refused:
            reasons = [r.code for r in getattr(refused, "refusals", ())]
            skipped[f"{refused.code} ({', '.join(reasons)})" if reasons else refused.code] += 1
            continue
        made[shows] += 1
    log(f"demo licences: {made}; skipped: {skipped}")
    if settings.PAYMENTS_GATEWAY == "simulator":
        # The awaiting application's bills go to the simulated SADAD now (the permits demo
        # flushed before them): payable at once, and a second run finds nothing left to send.
        log(f"demo licence bills sent to the simulated SADAD: {outbox_flush()['accepted']}")


def _licence_make(shows, establishment, deed_number, activities, answers, days_ago, subs,
                  types) -> None:
    licence_type = types[LICENCE_CODE]
    municipality = establishment.municipality
    delegate = establishment.representatives.order_by("national_id").first()
    codes = [a.code for a in activities]
    today = business_date(clock.now())
    if days_ago is None:
        application = _draft(permit_type=licence_type, establishment=establishment,
                             delegate=delegate, municipality=municipality,
                             deed_number=deed_number, answers=answers, activities=activities)
        if shows == "awaiting_fee":
            _instant_awaiting_fee(application, activities, delegate)
        else:
            _reviewed_in_review(application, delegate)
        return
    issued_on = today - dt.timedelta(days=days_ago)
    clock.freeze(_at(issued_on))
    try:
        application = _draft(permit_type=licence_type, establishment=establishment,
                             delegate=delegate, municipality=municipality,
                             deed_number=deed_number, answers=answers, activities=activities)
        licence = _issue(application, activity_codes=codes)
        children = []
        for sub_code, sub_answers in subs:
            sub = _draft(permit_type=types[sub_code], establishment=establishment,
                         delegate=delegate, municipality=municipality,
                         deed_number=deed_number, answers=sub_answers, licence=licence)
            children.append(_issue(sub, parent=licence))
    finally:
        clock.freeze(None)
    reviewer = _licensing_staff(municipality, StaffRole.REVIEWER)
    if shows == "suspended":
        permit_suspend(permit_id=licence.pk, actor=reviewer, reason=SUSPEND_REASON)
    elif shows == "cancelled":
        permit_cancel(permit_id=licence.pk, actor=reviewer, reason=CANCEL_REASON)
    elif shows == "expired":
        # As the nightly expiry does, for this licence only.
        for permit in Permit.objects.select_for_update().filter(
                pk__in=[licence.pk, *(c.pk for c in children)], valid_until__lt=today):
            permit_status_change(permit=permit, to_status=PermitStatus.EXPIRED,
                                 kind=PermitEventKind.EXPIRED,
                                 payload={"valid_until": str(permit.valid_until)})
    elif shows == "sampled":
        _sample_queue(licence, activities)


def _sample_queue(licence: Permit, activities) -> None:
    """Queue the stationery shop's sample inspection through the sampling service: it is the
    tenth instant licence counted on its activity (rate 10 %: the tenth is chosen), the nine
    before it issued before the demo's records begin. Counters already there are left alone,
    and the sampling decides."""
    activity = sampling_activity(list(activities))
    if activity is None or activity.sample_inspection_percent <= 0:
        return
    turn = 100 // activity.sample_inspection_percent
    ActivitySampleCounter.objects.get_or_create(activity=activity,
                                                defaults={"issued": turn - 1, "sampled": 0})
    locked = Permit.objects.select_for_update().get(pk=licence.pk)
    licence_sample(permit=locked, activities=list(activities))


def _instant_awaiting_fee(application: Application, activities, delegate: Person) -> None:
    """Submitted by the delegate as a filer does, the self-declaration accepted: the instant
    path signs it and bills issuance and signage at once (no case); it waits for payment."""
    from ..demo import _demo_documents_upload  # the permits demo's blank plans and deeds

    _demo_documents_upload(application, delegate.user)
    application_submit(application_id=application.pk, user=delegate.user,
                       declaration_accepted=True)


def _reviewed_in_review(application: Application, delegate: Person) -> None:
    """Submitted on the reviewed path: a case on the health procedure, routed to licensing."""
    locked = application_lock(application.pk)
    permit_type = locked.permit_type
    case = case_submit(kind=HEALTH_PROCEDURE, municipality=locked.municipality,
                       subject=f"{permit_type.name_ar} — {locked.reference}",
                       description=f"{permit_type.name_ar} / {permit_type.name_en} — "
                                   f"{locked.reference}",
                       submitted_by=delegate.user,
                       applicant_establishment=locked.owner_establishment)
    locked.case = case
    application_save(locked, ["case"])
    application_status_change(application=locked, to_status=ApplicationStatus.IN_REVIEW,
                              actor=delegate.user, payload={"case": case.number})
    case_route(case_id=case.pk)
