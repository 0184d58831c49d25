"""Reads of the inspector's side (issue 11, field part): the inspector's day, one inspection
with its checklist, answers, photos and notices, and the fine a "no" would propose — for the
field API and the inspector's pages alike. Each read runs a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from amanah import clock
from amanah.dates import business_date
from amanah.models import Municipality

from .access import inspector_municipalities
from .enums import Answer, InspectionStatus, NoticeKind
from .fines import COUNTED_LINE_STATUSES, FineQuote, fine_compute, item_in_force, occurrence_of
from .models import Checklist, EvidencePhoto, Finding, Inspection, Violation, ViolationLine

RECENT_DAYS = 7
RISK_LOOKBACK_DAYS = 365


def _inspections() -> QuerySet[Inspection]:
    return Inspection.objects.select_related("municipality", "checklist", "establishment",
                                             "person", "inspector")


def _earlier_fines(today: dt.date) -> Subquery:
    """How many fine lines the same offender had in the last year: the plan's risk order."""
    since = today - dt.timedelta(days=RISK_LOOKBACK_DAYS)
    lines = (ViolationLine.objects
             .filter(violation__offender_key=OuterRef("offender_key"),
                     violation__kind=NoticeKind.FINE, status__in=COUNTED_LINE_STATUSES,
                     violation__recorded_at__date__gte=since)
             .order_by().values("violation__offender_key")
             .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(lines, output_field=IntegerField()), Value(0))


def planned_for_inspector(user, *, today: dt.date | None = None) -> QuerySet[Inspection]:
    """Planned inspections due by `today` for `user` or unassigned in their municipalities,
    highest risk (most fines in the last year) first, then the oldest plan."""
    today = today or business_date(clock.now())
    return (_inspections()
            .filter(status=InspectionStatus.PLANNED,
                    municipality_id__in=inspector_municipalities(user),
                    planned_for__lte=today)
            .filter(Q(inspector=user) | Q(inspector__isnull=True))
            .annotate(earlier_fines=_earlier_fines(today))
            .order_by("-earlier_fines", "planned_for", "number"))


def drafts_of_inspector(user) -> QuerySet[Inspection]:
    return (_inspections()
            .filter(status=InspectionStatus.DRAFT, inspector=user,
                    municipality_id__in=inspector_municipalities(user))
            .order_by("-started_at", "-id"))


def submitted_recently(user, *, now: dt.datetime | None = None) -> QuerySet[Inspection]:
    since = (now or clock.now()) - dt.timedelta(days=RECENT_DAYS)
    return (_inspections()
            .filter(status=InspectionStatus.SUBMITTED, inspector=user,
                    submitted_at__gte=since)
            .prefetch_related(Prefetch("violations",
                                       queryset=Violation.objects.order_by("kind", "id")))
            .order_by("-submitted_at", "-id"))


@dataclass
class InspectorDay:
    today: dt.date
    planned: list[Inspection]
    drafts: list[Inspection]
    submitted: list[Inspection]


def inspector_day(user) -> InspectorDay | None:
    """The inspector's day page; None for anyone who inspects nowhere."""
    if not inspector_municipalities(user):
        return None
    today = business_date(clock.now())
    return InspectorDay(today=today, planned=list(planned_for_inspector(user, today=today)),
                        drafts=list(drafts_of_inspector(user)),
                        submitted=list(submitted_recently(user)))


def inspection_by_number(number: str) -> Inspection | None:
    """The inspection numbered `number`, or None; the caller checks who may see it."""
    return _inspections().filter(number=number[:40]).first()


def inspector_municipality_choices(user) -> list[Municipality]:
    return list(Municipality.objects.filter(pk__in=inspector_municipalities(user))
                .order_by("code"))


def checklists_active() -> list[Checklist]:
    return list(Checklist.objects.filter(is_active=True).order_by("-is_general", "code"))


def checklist_for_permit(permit_number: str) -> Checklist | None:
    """The checklist chosen by a licence's activities, when the licence is known."""
    from permits.public import permit_facts

    from .planning import checklist_for

    facts = permit_facts(permit_number.strip()) if permit_number.strip() else None
    return checklist_for(facts.activity_codes if facts else [])


# --- one inspection -----------------------------------------------------------------------


@dataclass
class QuestionRow:
    question: object
    finding: Finding | None
    photos: list[EvidencePhoto] = field(default_factory=list)
    quote: FineQuote | None = None
    warns_first_days: int | None = None
    quote_error: str = ""

    @property
    def answer(self) -> str:
        return self.finding.answer if self.finding else ""

    @property
    def note(self) -> str:
        return self.finding.note if self.finding else ""


@dataclass
class InspectionSheet:
    inspection: Inspection
    rows: list[QuestionRow]
    general_photos: list[EvidencePhoto]
    notices: list[Violation]

    @property
    def answered(self) -> int:
        return sum(1 for r in self.rows if r.finding is not None)


def inspection_sheet(inspection: Inspection, *, with_quotes: bool = False) -> InspectionSheet:
    """The checklist as the inspector fills it: each question (a re-inspection's only), its
    answer and photos; with `with_quotes`, what each "no" would cost (a preview)."""
    questions = list(inspection.checklist.questions.order_by("position", "id"))
    if inspection.only_item_codes:
        questions = [q for q in questions if q.item_code in inspection.only_item_codes]
    findings = {f.question_id: f for f in inspection.findings.all()}
    photos = list(inspection.photos.order_by("id"))
    rows = [QuestionRow(question=q, finding=findings.get(q.pk),
                        photos=[p for p in photos if p.item_code == q.item_code])
            for q in questions]
    codes = {q.item_code for q in questions}
    if with_quotes:
        for row in rows:
            if row.answer == Answer.NO:
                _quote_fill(inspection, row)
    notices = list(inspection.violations.prefetch_related(
        Prefetch("lines", queryset=ViolationLine.objects.order_by("id")))
        .order_by("kind", "id"))
    return InspectionSheet(inspection=inspection, rows=rows,
                           general_photos=[p for p in photos if p.item_code not in codes],
                           notices=notices)


def _quote_fill(inspection: Inspection, row: QuestionRow) -> None:
    from amanah.errors import DomainError

    on = business_date(clock.now())
    try:
        item = item_in_force(code=row.question.item_code, on=on)
        row.quote = fine_compute(
            item=item, municipality_class=inspection.municipality.municipality_class,
            size=inspection.size, on=on,
            occurrence=occurrence_of(offender_key=inspection.offender_key, item=item, on=on))
    except DomainError as refusal:
        row.quote_error = refusal.message
        return
    if not item.is_serious and item.correction_days:
        row.warns_first_days = item.correction_days

