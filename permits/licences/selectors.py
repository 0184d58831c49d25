"""Reads of commercial licences for pages (issue 10): the establishment workspace and the
licence parts of the permit page. Each read runs a fixed number of queries, whatever the
number of licences, sub-permits, applications and bills: lists are sliced or paginated here.

Who may read: the workspace is for the representatives of the establishment (an ?e= they do
not represent is None → 404); the licence parts are read only after permit_get_for allowed the
permit itself."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import F, Max, Prefetch

from amanah import clock
from amanah.dates import business_date
from amanah.models import Establishment
from amanah.permissions import person_for_user
from payments.models import Bill

from ..enums import (
    APPLICATION_OPEN,
    ApplicationStatus,
    InspectionStatus,
    PermitStatus,
    SampleInspectionStatus,
)
from ..models import (
    Activity,
    Application,
    ApplicationFee,
    Inspection,
    Permit,
    PermitType,
    SampleInspection,
)
from ..permit_selectors import masked_id, permit_status_today

LICENCES_PER_PAGE = 20
LIST_LIMIT = 20  # open applications, bills and deadlines: the nearest first, the rest counted


def establishments_represented(person) -> list[Establishment]:
    """The establishments the person may act for, by name."""
    if person is None:
        return []
    return list(person.establishments.order_by("name_ar", "unified_number"))


@dataclass(frozen=True)
class LicenceRow:
    permit: Permit
    status: str
    activities: list
    sub_permits: list  # (Permit, status today)
    days_to_expiry: int | None


@dataclass(frozen=True)
class Deadline:
    kind: str  # "renewal" | "late_renewal" | "sample" | "inspection"
    permit_number: str
    on: dt.date | dt.datetime | None
    reference: str = ""


@dataclass
class Workspace:
    establishments: list
    establishment: Establishment | None
    licences: Page | None = None
    licence_rows: list = field(default_factory=list)
    open_applications: list = field(default_factory=list)
    open_applications_count: int = 0
    bills: list = field(default_factory=list)
    bills_count: int = 0
    deadlines: list = field(default_factory=list)
    representatives: list = field(default_factory=list)  # (name_ar, name_en, masked id)


def _activities_by_code(codes) -> dict[str, Activity]:
    return {a.code: a for a in Activity.objects.filter(code__in=set(codes))}


def establishment_workspace_get(*, user, unified_number: str = "",
                                page_number=None) -> Workspace | None:
    """What the establishment holds and owes, for one of its representatives; None when
    `unified_number` names an establishment the user does not represent (→ 404). With no
    establishment at all the workspace is empty (the page says so)."""
    person = person_for_user(user)
    establishments = establishments_represented(person)
    if not establishments:
        return None if unified_number else Workspace(establishments=[], establishment=None)
    if unified_number:
        chosen = next((e for e in establishments if e.unified_number == unified_number), None)
        if chosen is None:
            return None
    else:
        chosen = establishments[0]
    today = business_date(clock.now())
    workspace = Workspace(establishments=establishments, establishment=chosen)

    licences = (Permit.objects.filter(holder_establishment=chosen, parent__isnull=True,
                                      permit_type__uses_activities=True)
                .select_related("permit_type", "parcel__district")
                .prefetch_related(Prefetch("sub_permits", queryset=Permit.objects
                                           .select_related("permit_type").order_by("number")))
                .order_by("valid_until", "number"))
    workspace.licences = Paginator(licences, LICENCES_PER_PAGE).get_page(page_number)
    permits = list(workspace.licences.object_list)
    activities = _activities_by_code(
        code for p in permits for code in (p.details or {}).get("activities", []))
    workspace.licence_rows = [
        LicenceRow(permit=p, status=permit_status_today(p, today),
                   activities=[activities[c] for c in (p.details or {}).get("activities", [])
                               if c in activities],
                   sub_permits=[(s, permit_status_today(s, today)) for s in p.sub_permits.all()],
                   days_to_expiry=(p.valid_until - today).days if p.valid_until else None)
        for p in permits]

    open_applications = (
        Application.objects.filter(owner_establishment=chosen,
                                   status__in=[ApplicationStatus.DRAFT, *APPLICATION_OPEN])
        .select_related("permit_type", "case", "permit")
        .prefetch_related(Prefetch("fees", queryset=ApplicationFee.objects
                                   .select_related("bill").order_by("billed_at", "id")))
        .order_by("-created_at", "-id"))
    workspace.open_applications = list(open_applications[:LIST_LIMIT])
    workspace.open_applications_count = open_applications.count()

    bills = (Bill.objects.filter(payer_establishment=chosen)
             .order_by(F("paid_at").asc(nulls_first=True), "-created_at", "-id"))
    workspace.bills = list(bills[:LIST_LIMIT])
    workspace.bills_count = bills.count()

    workspace.deadlines = _deadlines(chosen, today)
    workspace.representatives = [
        (p.name_ar, p.name_en, masked_id(p.national_id))
        for p in chosen.representatives.order_by("name_ar", "pk")]
    return workspace


def _deadlines(establishment: Establishment, today: dt.date) -> list[Deadline]:
    """Renewals due (inside the window, or late inside the late window), sample inspections
    waiting, visits booked: the nearest LIST_LIMIT of each."""
    windows = PermitType.objects.filter(uses_activities=True).aggregate(
        window=Max("renewal_window_days"), late=Max("late_renewal_days"))
    deadlines = []
    if windows["window"] is not None:
        near = (Permit.objects.filter(
            holder_establishment=establishment, parent__isnull=True,
            permit_type__uses_activities=True,
            status__in=[PermitStatus.VALID, PermitStatus.EXPIRED],
            valid_until__lte=today + dt.timedelta(days=windows["window"]),
            valid_until__gte=today - dt.timedelta(days=windows["late"] or 0))
            .select_related("permit_type").order_by("valid_until", "number")[:LIST_LIMIT])
        for permit in near:
            kind = "renewal" if permit.valid_until >= today else "late_renewal"
            opens = permit.valid_until - dt.timedelta(days=permit.permit_type.renewal_window_days)
            late_until = permit.valid_until + dt.timedelta(
                days=permit.permit_type.late_renewal_days)
            if opens <= today <= late_until:
                deadlines.append(Deadline(kind, permit.number,
                                          permit.valid_until if kind == "renewal"
                                          else late_until))
    for sample in (SampleInspection.objects
                   .filter(permit__holder_establishment=establishment,
                           status=SampleInspectionStatus.QUEUED)
                   .select_related("permit").order_by("due_by", "id")[:LIST_LIMIT]):
        deadlines.append(Deadline("sample", sample.permit.number, sample.due_by))
    for visit in (Inspection.objects
                  .filter(application__owner_establishment=establishment,
                          status=InspectionStatus.BOOKED)
                  .select_related("slot", "application").order_by("booked_at", "id")
                  [:LIST_LIMIT]):
        deadlines.append(Deadline("inspection", "", visit.slot.starts_at if visit.slot
                                  else None, visit.application.reference))
    return deadlines


# --- The licence parts of the permit page ----------------------------------------------------


@dataclass(frozen=True)
class LicenceParts:
    activities: list
    trade_name: str
    sub_permits: list  # (Permit, status today)
    sub_permit_types_allowed: list
    parent: Permit | None
    parent_status: str = ""


def licence_parts_get(permit: Permit) -> LicenceParts | None:
    """The licence's activities, sub-permits and the sub-permits it may still get, or a
    sub-permit's parent licence; None for other permits. A fixed number of queries."""
    permit_type = permit.permit_type
    if not (permit_type.uses_activities or permit_type.is_sub_permit):
        return None
    today = business_date(clock.now())
    parent = None
    if permit.parent_id is not None:
        parent = Permit.objects.select_related("permit_type").get(pk=permit.parent_id)
    codes = (permit.details or {}).get("activities", [])
    activities = list(Activity.objects.filter(code__in=codes)
                      .prefetch_related("sub_permit_types").order_by("display_order", "code"))
    sub_permits = list(Permit.objects.filter(parent=permit).select_related("permit_type")
                       .order_by("number")[:LIST_LIMIT]) if permit_type.uses_activities else []
    allowed = {}
    if permit_type.uses_activities and permit_status_today(permit, today) == PermitStatus.VALID:
        # A sub-permit type is allowed when one of the licence's activities lists it.
        for activity in activities:
            for sub_type in activity.sub_permit_types.all():
                allowed.setdefault(sub_type.code, sub_type)
    return LicenceParts(
        activities=activities, trade_name=str((permit.details or {}).get("trade_name", "")),
        sub_permits=[(s, permit_status_today(s, today)) for s in sub_permits],
        sub_permit_types_allowed=sorted(allowed.values(), key=lambda t: t.code),
        parent=parent, parent_status=permit_status_today(parent, today) if parent else "")


def sample_inspections_waiting_for_staff(*, user):
    """The queued sample inspections of the user's municipalities, soonest due first; None
    for someone who is no staff (→ 404)."""
    from ..selectors import staff_municipality_ids

    municipalities = staff_municipality_ids(user)
    if not municipalities:
        return None
    return (SampleInspection.objects
            .filter(permit__municipality_id__in=municipalities,
                    status=SampleInspectionStatus.QUEUED)
            .select_related("permit__holder_establishment", "permit__parcel__district",
                            "activity")
            .order_by("due_by", "id"))


def activity_catalogue() -> list[Activity]:
    """The activities a licence may be asked for, in the catalogue's order."""
    return list(Activity.objects.filter(is_active=True).order_by("display_order", "code"))


def renewal_year_totals(permit: Permit, fees) -> list[tuple[int, object]]:
    """(years, total) for renewing 1 to 3 years: stages billed per year are multiplied by the
    years, the others (the late renewal fine) counted once. `fees` are the renew action's
    (stage, one-year amount)."""
    per_year = {rule.stage for rule in permit.permit_type.fee_rules.all() if rule.per_year}
    return [(years, sum((amount * years if stage in per_year else amount
                         for stage, amount in fees), start=0))
            for years in (1, 2, 3)]
