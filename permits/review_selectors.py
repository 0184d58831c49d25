"""Reads for the pages of an application's review: the staff page, the applicant's correction
and visit pages, the inspector's day. Each page reads a fixed number of queries however many
documents, events, visits or applications there are. Who may see what is decided through
`permits.selectors` (the one access rule), then narrowed: the staff page to the
municipality's staff, the applicant's pages to the application's parties."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from amanah.dates import business_date
from amanah.permissions import staff_memberships
from workflow.models import Case

from .enums import InspectionStatus
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationFee,
    ApplicationParty,
    CorrectionRequest,
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    InspectionSlot,
    PermitTypeDocument,
    PermitTypeField,
    PlanCheck,
    ZoneRule,
)
from .selectors import applications_visible_to, staff_municipality_ids
from .services.corrections import is_applicant_side
from .services.inspections import (
    RECORD_ROLES,
    inspection_department_for,
    inspection_slots_open,
    visit_day_bounds,
)
from .services.plan_check import zone_rule_for

# The newest events the staff page lists (the full chain is the audit's).
EVENTS_SHOWN = 30
SLOT_DAYS_SHOWN = 14

_APPLICATION_RELATED = ("permit_type", "municipality", "parcel__district", "owner_person",
                        "owner_establishment", "filing_office__establishment", "case__state",
                        "case__department")


@dataclass
class DocumentKindRow:
    """A document the type asks for, with its current version and the earlier ones."""

    kind: str
    spec: PermitTypeDocument | None
    current: ApplicationDocument | None
    earlier: list[ApplicationDocument] = field(default_factory=list)


@dataclass
class StaffApplicationPage:
    application: Application
    fields: list[PermitTypeField]
    type_documents: list[PermitTypeDocument]
    documents: list[DocumentKindRow]
    parties: list[ApplicationParty]
    events: list[ApplicationEvent]
    corrections: list[CorrectionRequest]
    plan_check: PlanCheck | None
    zone_rule: ZoneRule | None
    inspections: list[Inspection]
    fees: list[ApplicationFee]

    @property
    def open_correction(self) -> CorrectionRequest | None:
        return next((c for c in self.corrections if c.answered_at is None), None)

    @property
    def plan_check_is_current(self) -> bool:
        return (self.plan_check is not None
                and self.plan_check.answers_version == self.application.answers_version)


def _documents_by_kind(type_documents: list[PermitTypeDocument],
                       documents: list[ApplicationDocument]) -> list[DocumentKindRow]:
    rows = {spec.kind: DocumentKindRow(kind=spec.kind, spec=spec, current=None)
            for spec in type_documents}
    for document in sorted(documents, key=lambda d: (d.kind, -d.version)):
        row = rows.setdefault(document.kind, DocumentKindRow(kind=document.kind, spec=None,
                                                             current=None))
        if document.superseded_at is None and row.current is None:
            row.current = document
        else:
            row.earlier.append(document)
    return list(rows.values())


def _inspections(application_id: int) -> list[Inspection]:
    findings = (InspectionFinding.objects.select_related("item")
                .prefetch_related(Prefetch("photos",
                                           queryset=InspectionPhoto.objects.order_by("pk")))
                .order_by("item__order", "pk"))
    return list(Inspection.objects.filter(application_id=application_id)
                .select_related("slot", "checklist", "inspector")
                .prefetch_related(Prefetch("findings", queryset=findings))
                .order_by("-booked_at", "-pk"))


def application_staff_page(*, user, reference: str) -> StaffApplicationPage | None:
    """Everything the staff page shows of one application, for staff of its municipality
    only (None for anyone else: the page answers 404)."""
    municipalities = staff_municipality_ids(user)
    if not municipalities:
        return None
    application = (applications_visible_to(user).select_related(*_APPLICATION_RELATED)
                   .filter(reference=reference, municipality_id__in=municipalities).first())
    if application is None:
        return None
    permit_type = application.permit_type
    fields = list(PermitTypeField.objects.filter(permit_type=permit_type)
                  .order_by("step", "order", "pk"))
    type_documents = list(PermitTypeDocument.objects.filter(permit_type=permit_type)
                          .order_by("order", "pk"))
    documents = list(ApplicationDocument.objects.filter(application=application)
                     .select_related("uploaded_by"))
    parties = list(ApplicationParty.objects.filter(application=application)
                   .select_related("person", "office__establishment", "establishment")
                   .order_by("pk"))
    events = list(ApplicationEvent.objects.filter(application=application)
                  .select_related("actor").order_by("-seq")[:EVENTS_SHOWN])
    corrections = list(CorrectionRequest.objects.filter(application=application)
                       .select_related("requested_by", "answered_by")
                       .order_by("-requested_at", "-pk"))
    plan_check = (PlanCheck.objects.filter(application=application)
                  .order_by("-checked_at", "-pk").first())
    zone_rule = (zone_rule_for(municipality_id=application.municipality_id,
                               zone=application.parcel.zone)
                 if application.parcel_id else None)
    fees = list(ApplicationFee.objects.filter(application=application).select_related("bill")
                .order_by("billed_at", "pk"))
    return StaffApplicationPage(
        application=application, fields=fields, type_documents=type_documents,
        documents=_documents_by_kind(type_documents, documents), parties=parties,
        events=events, corrections=corrections, plan_check=plan_check, zone_rule=zone_rule,
        inspections=_inspections(application.pk), fees=fees)


def inspection_photo_for(*, user, photo_id: int) -> InspectionPhoto | None:
    """A visit's photo, for whoever may see the application."""
    return (InspectionPhoto.objects.filter(
        pk=photo_id,
        finding__inspection__application__in=applications_visible_to(user).values("pk"))
        .first())


# --- The applicant's side -------------------------------------------------------------------


def application_for_applicant_side(*, user, reference: str) -> Application | None:
    """The application by reference if the user is one of its parties (staff are not)."""
    application = (applications_visible_to(user).select_related(*_APPLICATION_RELATED)
                   .filter(reference=reference).first())
    if application is None or not is_applicant_side(user, application):
        return None
    return application


@dataclass
class CorrectionPage:
    application: Application
    correction: CorrectionRequest | None
    fields: list[PermitTypeField]  # only the ones asked for
    documents: list[DocumentKindRow]  # only the ones asked for
    last_answered: CorrectionRequest | None
    field_keys: list[str] = field(default_factory=list)  # every answer of the type's form


def correction_page(*, user, reference: str) -> CorrectionPage | None:
    application = application_for_applicant_side(user=user, reference=reference)
    if application is None:
        return None
    corrections = list(CorrectionRequest.objects.filter(application=application)
                       .order_by("-requested_at", "-pk")[:2])
    correction = next((c for c in corrections if c.answered_at is None), None)
    last_answered = next((c for c in corrections if c.answered_at is not None), None)
    if correction is None:
        return CorrectionPage(application=application, correction=None, fields=[],
                              documents=[], last_answered=last_answered)
    all_fields = list(PermitTypeField.objects.filter(permit_type=application.permit_type)
                      .order_by("step", "order", "pk"))
    fields = [f for f in all_fields if f.key in correction.fields]
    type_documents = [d for d in PermitTypeDocument.objects.filter(
        permit_type=application.permit_type).order_by("order", "pk")
        if d.kind in correction.documents]
    documents = _documents_by_kind(type_documents, list(ApplicationDocument.objects.filter(
        application=application, kind__in=correction.documents)))
    return CorrectionPage(application=application, correction=correction, fields=fields,
                          documents=[row for row in documents if row.spec is not None],
                          last_answered=last_answered, field_keys=[f.key for f in all_fields])


@dataclass
class BookingPage:
    application: Application
    case: Case | None
    booked: Inspection | None
    done: list[Inspection]
    slots: list[InspectionSlot]
    purpose: str


def booking_page(*, user, reference: str, now: dt.datetime) -> BookingPage | None:
    application = application_for_applicant_side(user=user, reference=reference)
    if application is None:
        return None
    case = application.case
    purpose = application.permit_type.inspection_purpose
    inspections = list(Inspection.objects.filter(application=application)
                       .select_related("slot").order_by("-booked_at", "-pk"))
    booked = next((i for i in inspections if i.status == InspectionStatus.BOOKED), None)
    department = inspection_department_for(application, case)
    slots = (inspection_slots_open(department=department, from_=now, days=SLOT_DAYS_SHOWN)
             if department is not None else [])
    return BookingPage(application=application, case=case, booked=booked,
                       done=[i for i in inspections if i.status == InspectionStatus.DONE],
                       slots=[s for s in slots if booked is None or s.pk != booked.slot_id],
                       purpose=booked.purpose if booked else purpose)


# --- The inspector ----------------------------------------------------------------------------


def inspector_department_ids(user) -> list[int]:
    return sorted({m.department_id for m in staff_memberships(user) if m.role in RECORD_ROLES})


def _inspector_visits():
    return (Inspection.objects.exclude(status=InspectionStatus.CANCELLED)
            .select_related("application__permit_type", "application__parcel__district",
                            "application__owner_person", "application__owner_establishment",
                            "slot", "checklist"))


def inspector_visits_on(*, user, day: dt.date) -> list[Inspection]:
    """The visits booked in the user's departments on a business day, in time order."""
    departments = inspector_department_ids(user)
    if not departments:
        return []
    start, end = visit_day_bounds(day)
    return list(_inspector_visits().filter(slot__department_id__in=departments,
                                           slot__starts_at__gte=start, slot__starts_at__lt=end)
                .order_by("slot__starts_at", "pk"))


def inspector_visit(*, user, inspection_id: int) -> Inspection | None:
    """One visit of the user's departments, with its checklist's items (None: not theirs)."""
    departments = inspector_department_ids(user)
    if not departments:
        return None
    return (_inspector_visits().filter(pk=inspection_id, slot__department_id__in=departments)
            .prefetch_related("checklist__items",
                              Prefetch("findings", queryset=InspectionFinding.objects
                                       .select_related("item").prefetch_related("photos")))
            .first())


def today() -> dt.date:
    from amanah import clock

    return business_date(clock.now())
