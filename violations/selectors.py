"""Reads of violations for pages and the API: the offender's notices ("my violations", one
notice with its lines, photos, bill, objections and penalties), the evidence photo an
offender may be served, and the staff reports. Each read runs a fixed number of queries,
whatever the number of notices, lines or photos.

Who sees a notice: its offender (the person, or a representative of the establishment) and
staff of its municipality (`access.staff_may_see`); anyone else gets None (→ 404, not 403, so
notice numbers cannot be probed). An offender sees warnings, and fines once approved (a fine
awaiting approval or not confirmed is internal: no bill exists for it yet). An offender is
served only the photos marked `visible_to_offender`.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from amanah import clock
from amanah.dates import RIYADH, business_date
from amanah.models import Establishment
from amanah.permissions import is_admin, person_for_user
from payments.enums import BillStatus
from payments.models import Bill

from .access import offender_may_see, staff_may_see, staff_municipalities, violations_of_user
from .enums import LineStatus, NoticeKind, ViolationStatus
from .models import (
    EvidencePhoto,
    ObjectionLine,
    Penalty,
    Violation,
    ViolationItem,
    ViolationLine,
)
from .payables import PAYABLE_KIND

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
# What an offender may see of fines: approved ones (a bill may exist) and their outcome.
FINE_STATUSES_SHOWN = (ViolationStatus.ISSUED, ViolationStatus.SETTLED)
OPEN_BILL_STATUSES = (BillStatus.PENDING_REGISTRATION, BillStatus.UNPAID)


def offender_visible(queryset: QuerySet[Violation]) -> QuerySet[Violation]:
    return queryset.filter(Q(kind=NoticeKind.WARNING)
                           | Q(kind=NoticeKind.FINE, status__in=FINE_STATUSES_SHOWN))


# --- my violations ---------------------------------------------------------------------------


def _payable_lines():
    return ViolationLine.objects.filter(violation=OuterRef("pk"), status=LineStatus.PAYABLE)


def violation_list_for_user(*, user, establishment_id: int | None = None,
                            person_only: bool = False) -> QuerySet[Violation]:
    """The caller's notices, newest first; narrowed to one establishment they represent, or to
    those against them as a person. Each row carries `amount_due` (its payable lines),
    `pay_account` (the billing account of an open bill asking for them; "" when none) and
    `object_until` (the last day an objection may still be filed for one of its lines; None
    when none may be): the page and API read them without a query per row."""
    today = business_date(clock.now())
    rows = offender_visible(violations_of_user(user))
    if establishment_id is not None:
        rows = rows.filter(establishment_id=establishment_id)
    elif person_only:
        person = person_for_user(user)
        rows = rows.filter(person=person, establishment__isnull=True)
    payable = _payable_lines()
    return (rows.select_related("municipality", "establishment")
            .annotate(
                amount_due=Coalesce(
                    Subquery(payable.order_by().values("violation")
                             .annotate(total=Sum("amount")).values("total")[:1],
                             output_field=MONEY_FIELD),
                    Value(ZERO), output_field=MONEY_FIELD),
                pay_account=Coalesce(
                    Subquery(payable.filter(bill__status=BillStatus.UNPAID)
                             .order_by("bill_id").values("bill__billing_account")[:1]),
                    Value("")),
                object_until=Subquery(
                    payable.filter(Q(bill__isnull=True) | Q(bill__amount_paid=0),
                                   item__objectionable=True, objection_due__gte=today)
                    .order_by("-objection_due").values("objection_due")[:1]))
            .order_by("-recorded_at", "-id"))


def establishments_of_user(user) -> list[Establishment]:
    person = person_for_user(user)
    if person is None:
        return []
    return list(person.establishments.order_by("name_ar", "unified_number"))


# --- one notice ------------------------------------------------------------------------------


@dataclass
class NoticeDetail:
    violation: Violation
    viewer: str  # "offender" | "staff"
    lines: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    bills: list = field(default_factory=list)
    objections: list = field(default_factory=list)
    amount_due: Decimal = ZERO
    pay_account: str = ""
    object_until: dt.date | None = None
    has_pdf: bool = False


def _notice_get(number: str) -> Violation | None:
    return (Violation.objects.select_related("municipality", "establishment", "person",
                                             "inspection")
            .filter(number=number).first())


def _viewer(user, violation: Violation) -> str | None:
    if offender_may_see(user, violation):
        shown = (violation.kind == NoticeKind.WARNING
                 or violation.status in FINE_STATUSES_SHOWN)
        return "offender" if shown else None
    if staff_may_see(user, violation):
        return "staff"
    return None


def violation_detail_for_user(*, user, number: str) -> NoticeDetail | None:
    """One notice as its offender or staff of its municipality see it; None for anyone else.
    Nine queries whatever the number of lines, photos, bills and objections."""
    violation = _notice_get(number[:40])
    if violation is None:
        return None
    viewer = _viewer(user, violation)
    if viewer is None:
        return None
    today = business_date(clock.now())
    lines = list(violation.lines.select_related("item", "finding__question", "bill", "penalty")
                 .order_by("id"))
    # A line without a penalty raises on `.penalty`; read them once, here.
    for line in lines:
        line.penalty_shown = getattr(line, "penalty", None) if _has_penalty(line) else None
    photos = EvidencePhoto.objects.filter(inspection_id=violation.inspection_id)
    if viewer == "offender":
        photos = photos.filter(visible_to_offender=True)
    bills = {line.bill_id: line.bill for line in lines if line.bill_id}
    objections = list(violation.objections.prefetch_related(
        Prefetch("lines", queryset=ObjectionLine.objects.select_related("line")
                 .order_by("id"))).order_by("filed_at", "id"))
    payable = [x for x in lines if x.status == LineStatus.PAYABLE]
    open_bills = [x.bill for x in payable if x.bill_id and x.bill.status == BillStatus.UNPAID]
    objectable = [x.objection_due for x in payable
                  if x.item.objectionable and x.objection_due and x.objection_due >= today
                  and not (x.bill_id and x.bill.amount_paid)]
    return NoticeDetail(
        violation=violation, viewer=viewer, lines=lines,
        photos=list(photos.order_by("id")),
        bills=sorted(bills.values(), key=lambda b: b.pk), objections=objections,
        amount_due=sum((x.amount for x in payable), ZERO),
        pay_account=open_bills[0].billing_account if open_bills else "",
        object_until=max(objectable) if objectable else None,
        has_pdf=bool(violation.notice_pdf))


def _has_penalty(line: ViolationLine) -> bool:
    try:
        line.penalty  # noqa: B018 - prefetched: no query
    except Penalty.DoesNotExist:
        return False
    return True


def evidence_photo_for_user(*, user, number: str, photo_id: int) -> EvidencePhoto | None:
    """A photo of the notice's inspection that the caller may be served: staff of the
    municipality any, the offender only those marked visible to them; None otherwise."""
    violation = _notice_get(number[:40])
    if violation is None:
        return None
    viewer = _viewer(user, violation)
    if viewer is None:
        return None
    photos = EvidencePhoto.objects.filter(inspection_id=violation.inspection_id, pk=photo_id)
    if viewer == "offender":
        photos = photos.filter(visible_to_offender=True)
    return photos.first()


# --- catalogue (API) -------------------------------------------------------------------------


def items_in_force(on: dt.date) -> list[ViolationItem]:
    """The catalogue's items in force on `on`, with their group and fine ranges (3 queries)."""
    return list(ViolationItem.objects
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on),
                        effective_from__lte=on)
                .select_related("group").prefetch_related("fines")
                .order_by("group__display_order", "code"))


def shares_in_force(on: dt.date) -> dict[str, Decimal]:
    """The share of the maximum fine per size in force on `on` (one query)."""
    from .models import SizeShare

    shares: dict[str, Decimal] = {}
    for size, percent in (SizeShare.objects.filter(effective_from__lte=on)
                          .order_by("size", "-effective_from").values_list("size", "percent")):
        shares.setdefault(size, percent)
    return shares


# --- staff reports ---------------------------------------------------------------------------


@dataclass
class Report:
    municipality_ids: set[int] | None  # None: every municipality (admins)
    date_from: dt.date
    date_to: dt.date
    by_item: list = field(default_factory=list)
    by_district: list = field(default_factory=list)
    by_inspector: list = field(default_factory=list)
    by_status: list = field(default_factory=list)
    per_month: list = field(default_factory=list)  # MonthCollection
    billed: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def collection_rate(self) -> Decimal | None:
        return _rate(self.paid, self.billed)


@dataclass(frozen=True)
class MonthCollection:
    month: dt.date
    billed: Decimal
    paid: Decimal

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.paid, self.billed)


def _rate(paid: Decimal, billed: Decimal) -> Decimal | None:
    if not billed:
        return None
    return (paid * 100 / billed).quantize(Decimal("0.1"))


def reports_municipalities(user) -> set[int] | None:
    """Whose violations the user may report on: None for admins (all), else the municipalities
    where they are staff of violations (possibly empty → 404)."""
    if is_admin(user):
        return None
    return staff_municipalities(user)


def reports_summary(*, municipality_ids: set[int] | None, date_from: dt.date,
                    date_to: dt.date) -> Report:
    """Notices recorded between the dates (inclusive, Riyadh days) in the municipalities:
    counts and amounts by item, district, inspector and status; and, per month of recording,
    what the fines' bills ask (cancelled bills aside) and what was paid of them (the
    collection rate). Five queries."""
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=RIYADH)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=RIYADH)
    notices = Violation.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
    if municipality_ids is not None:
        notices = notices.filter(municipality_id__in=municipality_ids)
    lines = ViolationLine.objects.filter(violation__in=notices.values("pk"))
    report = Report(municipality_ids=municipality_ids, date_from=date_from, date_to=date_to)
    fined = Q(violation__kind=NoticeKind.FINE)
    report.by_item = list(
        lines.values("item_code").annotate(
            name_ar=Min("item__name_ar"), name_en=Min("item__name_en"),
            warnings=Count("pk", filter=Q(violation__kind=NoticeKind.WARNING)),
            fines=Count("pk", filter=fined),
            amount=Coalesce(Sum("amount", filter=fined & ~Q(status__in=(
                LineStatus.PROPOSED, LineStatus.NOT_CONFIRMED, LineStatus.CANCELLED))),
                Value(ZERO), output_field=MONEY_FIELD))
        .order_by("-fines", "-warnings", "item_code"))
    issued = Q(kind=NoticeKind.FINE, status__in=FINE_STATUSES_SHOWN)
    amounts = {"notices": Count("pk"),
               "warnings": Count("pk", filter=Q(kind=NoticeKind.WARNING)),
               "fines": Count("pk", filter=Q(kind=NoticeKind.FINE)),
               "amount": Coalesce(Sum("total", filter=issued), Value(ZERO),
                                  output_field=MONEY_FIELD)}
    report.by_district = list(notices.values("district").annotate(**amounts)
                              .order_by("-notices", "district"))
    report.by_inspector = list(
        notices.values("inspector_id").annotate(
            first_name=Min("inspector__first_name"), last_name=Min("inspector__last_name"),
            username=Min("inspector__username"), **amounts)
        .order_by("-notices", "inspector_id"))
    report.by_status = list(notices.values("kind", "status").annotate(
        notices=Count("pk"), amount=Coalesce(Sum("total"), Value(ZERO),
                                             output_field=MONEY_FIELD))
        .order_by("kind", "status"))
    # Fines are counted in the month their notice was recorded (the bill's own creation time is
    # the database's clock; the notice's is the business clock every report uses).
    month_of_notice = Subquery(
        Violation.objects.filter(number=OuterRef("payable_ref"))
        .annotate(month=TruncMonth("recorded_at", tzinfo=RIYADH)).values("month")[:1])
    months = (Bill.objects.filter(payable_kind=PAYABLE_KIND, payable_ref__in=notices.filter(
        kind=NoticeKind.FINE).values("number")).exclude(status=BillStatus.CANCELLED)
        .annotate(month=month_of_notice).values("month")
        .annotate(billed=Sum("amount"), paid=Sum("amount_paid")).order_by("month"))
    report.per_month = [MonthCollection(month=row["month"].date() if isinstance(
        row["month"], dt.datetime) else row["month"], billed=row["billed"], paid=row["paid"])
        for row in months]
    report.billed = sum((m.billed for m in report.per_month), ZERO)
    report.paid = sum((m.paid for m in report.per_month), ZERO)
    return report


# --- plain words -----------------------------------------------------------------------------


def computation_words(computation: dict, language: str = "ar") -> list[str]:
    """How a line's fine was reached, in plain sentences, from `ViolationLine.computation`
    (as `fines.fine_compute` froze it); empty for a line with no computation (a warning)."""
    from django.utils.translation import gettext as _

    from amanah.money import sar_format

    from .enums import ShareSize

    if not computation or "amount" not in computation:
        return []

    def money(key):
        return sar_format(Decimal(str(computation[key])), language)

    size = dict(ShareSize.choices).get(computation.get("size"), computation.get("size", ""))
    words = [
        _("The fine for this item in a class %(klass)s municipality is between %(min)s and "
          "%(max)s.") % {"klass": computation.get("class"), "min": money("min"),
                         "max": money("max")},
        _("%(size)s: %(share)s%% of the maximum, and never below the minimum: %(base)s.")
        % {"size": size, "share": computation.get("share"), "base": money("base")},
        _("Occurrence number %(n)s within the look-back period: multiplied by %(multiplier)s.")
        % {"n": computation.get("occurrence", 1), "multiplier": computation.get("multiplier")},
    ]
    if computation.get("capped"):
        words.append(_("That is above the cap of %(cap)s, so the cap applies.")
                     % {"cap": money("cap")})
    else:
        words.append(_("The cap for repeated fines is %(cap)s; it was not reached.")
                     % {"cap": money("cap")})
    words.append(_("Fine: %(amount)s.") % {"amount": money("amount")})
    return words


def penalty_words(penalty: Penalty, language: str = "ar") -> str:
    """What a penalty does and until when, in one plain sentence."""
    from django.utils.translation import gettext as _

    from amanah.dates import dual_date_format

    from .enums import PenaltyKind, PenaltyLift, PenaltyStatus

    what = dict(PenaltyKind.choices).get(penalty.kind, penalty.kind)
    if penalty.target_ref and penalty.kind in (PenaltyKind.CLOSURE,
                                               PenaltyKind.LICENCE_SUSPENSION):
        what = _("%(what)s (licence or permit %(number)s)") % {
            "what": what, "number": penalty.target_ref}
    if penalty.status == PenaltyStatus.LIFTED:
        return _("%(what)s: lifted.") % {"what": what}
    if penalty.status == PenaltyStatus.CANCELLED:
        return _("%(what)s: cancelled.") % {"what": what}
    parts = []
    if penalty.starts_on and penalty.ends_on and penalty.ends_on > penalty.starts_on:
        parts.append(_("from %(start)s until the end of %(end)s") % {
            "start": dual_date_format(penalty.starts_on, language),
            "end": dual_date_format(penalty.ends_on - dt.timedelta(days=1), language)})
    elif penalty.starts_on:
        # No served period (it lasts until the fine is paid): a start, and no "end" that
        # would fall the day before it.
        parts.append(_("from %(start)s") % {
            "start": dual_date_format(penalty.starts_on, language)})
    elif penalty.days:
        parts.append(_("for %(days)s days") % {"days": penalty.days})
    if penalty.lifts_on in (PenaltyLift.PAID, PenaltyLift.SERVED_AND_PAID):
        parts.append(_("until the fine is paid"))
    state = (_("In force") if penalty.status == PenaltyStatus.ACTIVE
             else _("Not yet in force"))
    # Only the parts are words to translate; the sentence is their order.
    separator = "، " if language == "ar" else ", "
    return f"{what} {separator.join(str(p) for p in parts)} ({state})."
