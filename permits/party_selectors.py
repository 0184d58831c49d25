"""Reads for the parcel, parties and consent pages and the office workspace: each page asks a
fixed number of queries however many applications, parties or answers there are."""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import get_language

from amanah.permissions import person_for_user

from .enums import ApplicationEventKind, ApplicationStatus, FieldKind, PartyRole
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationParty,
    District,
    PermitTypeParty,
    RegisteredOffice,
)

S = ApplicationStatus
WORKSPACE_PAGE_SIZE = 25

# The office workspace's tabs: what the office works on, what waits for someone else (the
# owner's consent, a correction the municipality asked for, the fee), what the municipality
# holds, and what is over.
WORKSPACE_TABS: dict[str, tuple[str, ...]] = {
    "drafts": (S.DRAFT, S.CONSENT_DECLINED),
    "waiting": (S.AWAITING_CONSENT, S.AWAITING_CORRECTION, S.AWAITING_FEE),
    "submitted": (S.IN_REVIEW,),
    "closed": (S.ISSUED, S.REJECTED, S.WITHDRAWN),
}


def _english() -> bool:
    return (get_language() or "ar").startswith("en")


# --- Parties and places --------------------------------------------------------------------


def application_parties_list(application: Application) -> list[ApplicationParty]:
    return list(application.parties.select_related("person", "office__establishment",
                                                   "establishment").order_by("id"))


def permit_type_party_roles(application: Application) -> list[PermitTypeParty]:
    """The roles the application's type names, in the order PartyRole lists them."""
    order = {role: index for index, role in enumerate(PartyRole.values)}
    return sorted(application.permit_type.parties.all(), key=lambda p: order.get(p.role, 99))


def districts_of(municipality) -> list[District]:
    return list(District.objects.filter(municipality=municipality).order_by("code"))


@dataclass(frozen=True)
class MapBox:
    code: str
    name: str
    x: float
    y: float
    width: float
    height: float
    is_selected: bool
    label_x: float
    label_y: float


@dataclass(frozen=True)
class DistrictMap:
    """The municipality's districts as boxes in an SVG, north up; drawn on the server, so the
    page needs no map service and no script."""

    width: int
    height: int
    boxes: list[MapBox]
    point: tuple[float, float] | None


MAP_WIDTH = 320
MAP_MARGIN = 8


def district_map(districts: list[District], *, selected: str | None = None,
                 latitude: Decimal | None = None,
                 longitude: Decimal | None = None) -> DistrictMap | None:
    if not districts:
        return None
    south = min(d.south for d in districts)
    north = max(d.north for d in districts)
    west = min(d.west for d in districts)
    east = max(d.east for d in districts)
    # A degree of longitude is shorter than one of latitude away from the equator.
    squeeze = math.cos(math.radians(float(south + north) / 2))
    span_x = float(east - west) * squeeze or 1.0
    span_y = float(north - south) or 1.0
    scale = (MAP_WIDTH - 2 * MAP_MARGIN) / span_x
    height = round(span_y * scale + 2 * MAP_MARGIN)

    def at(lat, lng) -> tuple[float, float]:
        return (round(MAP_MARGIN + float(lng - west) * squeeze * scale, 1),
                round(MAP_MARGIN + float(north - lat) * scale, 1))

    boxes = []
    for district in districts:
        x1, y1 = at(district.north, district.west)
        x2, y2 = at(district.south, district.east)
        boxes.append(MapBox(code=district.code, name=district.name("en" if _english() else "ar"),
                            x=x1, y=y1, width=round(x2 - x1, 1), height=round(y2 - y1, 1),
                            is_selected=district.code == selected,
                            label_x=round((x1 + x2) / 2, 1), label_y=round((y1 + y2) / 2, 1)))
    point = None
    if latitude is not None and longitude is not None and south <= latitude <= north \
            and west <= longitude <= east:
        point = at(latitude, longitude)
    return DistrictMap(width=MAP_WIDTH, height=height, boxes=boxes, point=point)


# --- What the owner consents to ------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    label: str
    value: str
    unit: str = ""


@dataclass
class ConsentSummary:
    answers: list[AnswerLine] = field(default_factory=list)
    documents: list[ApplicationDocument] = field(default_factory=list)
    parties: list[ApplicationParty] = field(default_factory=list)


def _shown(field_row, answers: dict) -> bool:
    condition = field_row.shown_when or {}
    if not condition.get("field"):
        return True
    return answers.get(condition["field"]) in (condition.get("in") or [])


def _answer_text(field_row, value, english: bool) -> str:
    if value is None or value == "":
        return ""
    if field_row.kind == FieldKind.CHOICE:
        for choice in field_row.choices or []:
            if str(choice.get("value")) == str(value):
                return str(choice.get("en" if english else "ar") or choice.get("ar") or value)
    if field_row.kind == FieldKind.BOOLEAN:
        yes, no = ("Yes", "No") if english else ("نعم", "لا")
        return yes if value in (True, "true", "True", "1", 1) else no
    return str(value)


def consent_summary(application: Application) -> ConsentSummary:
    """The answers (as the type labels them, only those shown), the current documents and the
    parties: what the owner reads before consenting. Three queries."""
    english = _english()
    answers = application.answers or {}
    lines = []
    for field_row in application.permit_type.fields.all():
        if not _shown(field_row, answers):
            continue
        value = _answer_text(field_row, answers.get(field_row.key), english)
        if value:
            lines.append(AnswerLine(label=field_row.label("en" if english else "ar"),
                                    value=value,
                                    unit=field_row.unit_en if english else field_row.unit_ar))
    documents = list(application.documents.filter(superseded_at__isnull=True)
                     .order_by("kind"))
    return ConsentSummary(answers=lines, documents=documents,
                          parties=application_parties_list(application))


# --- The office workspace ------------------------------------------------------------------


def offices_of(user) -> list[RegisteredOffice]:
    """The registered offices and contractors `user` works for (is one of the people of)."""
    person = person_for_user(user)
    if person is None:
        return []
    return list(RegisteredOffice.objects.select_related("establishment")
                .filter(establishment__representatives=person).order_by("licence_number"))


def _office_applications(office: RegisteredOffice) -> QuerySet[Application]:
    """The applications the office files, or is named on (a contractor, a supervisor)."""
    named = ApplicationParty.objects.filter(application_id=OuterRef("pk"), office_id=office.pk)
    return Application.objects.filter(Q(filing_office_id=office.pk) | Q(Exists(named)))


@dataclass(frozen=True)
class Workspace:
    office: RegisteredOffice
    tab: str
    counts: dict[str, int]
    page: Page


def office_workspace(*, office: RegisteredOffice, tab: str, page_number) -> Workspace:
    """Counts per tab (one query) and a page of the tab's applications (a count and a page),
    each with what the page shows: type, parcel, owner, the role the office plays, and the
    owner's reason when they declined."""
    applications = _office_applications(office)
    counts = applications.aggregate(**{
        name: Count("pk", filter=Q(status__in=statuses))
        for name, statuses in WORKSPACE_TABS.items()})
    declined = (ApplicationEvent.objects
                .filter(application_id=OuterRef("pk"), kind=ApplicationEventKind.STATUS_CHANGED,
                        to_status=S.CONSENT_DECLINED).order_by("-seq").values("reason")[:1])
    role = (ApplicationParty.objects.filter(application_id=OuterRef("pk"), office_id=office.pk)
            .order_by("id").values("role")[:1])
    rows = (applications.filter(status__in=WORKSPACE_TABS[tab])
            .select_related("permit_type", "parcel__district", "owner_person",
                            "owner_establishment")
            .annotate(decline_reason=Subquery(declined), office_role=Subquery(role))
            .order_by("-updated_at", "-id"))
    paginator = Paginator(rows, WORKSPACE_PAGE_SIZE)
    # The count is the tab's figure above: asking the database again would give the same.
    paginator.count = counts[tab]
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    labels = dict(PartyRole.choices)
    for application in page.object_list:
        application.office_role_label = labels.get(application.office_role, "")
    return Workspace(office=office, tab=tab, counts=counts, page=page)
