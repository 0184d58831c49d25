"""Reads of the payments app, each a fixed number of queries."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from amanah.enums import IdType
from amanah.errors import NotFound
from amanah.identity import PERSON_ID_TYPES, official_id_type
from amanah.models import EService, Establishment, Municipality, Person
from amanah.rollout import eservice_rollouts_startable

from .enums import (
    BillEventKind,
    BillStatus,
    FeeComponent,
    PaymentStatus,
    ResolutionKind,
    ResolutionStatus,
)
from .models import Bill, FeeSchedule, InboundMessage, Payment, Receipt, SuspenseResolution
from .services.bills import OPEN_STATUSES

_BILL_RELATED = ("municipality", "eservice", "payer_person", "payer_establishment")


def bill_get(*, pk: int | None = None, billing_account: str | None = None) -> Bill:
    qs = Bill.objects.select_related(*_BILL_RELATED)
    bill = (qs.filter(pk=pk) if pk is not None else qs.filter(billing_account=billing_account)
            ).first()
    if bill is None:
        raise NotFound("bill.not_found", "الفاتورة غير موجودة.", "No such bill.")
    return bill


def _payer_is(person: Person, prefix: str = "") -> Q:
    """Bills `person` pays or whose establishment they represent. The establishments' ids are
    read first (one small query): a subquery inside the OR would make PostgreSQL scan every
    bill, where plain conditions on indexed columns are read through their indexes."""
    establishment_ids = list(person.establishments.values_list("pk", flat=True))
    return (Q(**{f"{prefix}payer_person": person})
            | Q(**{f"{prefix}payer_establishment_id__in": establishment_ids}))


def bill_list_for_person(*, person: Person) -> QuerySet[Bill]:
    """A citizen's bills and those of establishments they represent, newest first.
    Bills still waiting for SADAD's acceptance are included (shown as not yet payable)."""
    return (Bill.objects.select_related(*_BILL_RELATED).filter(_payer_is(person))
            .order_by("-created_at", "-pk"))


def bill_list_payable_for_person(*, person: Person) -> QuerySet[Bill]:
    return (Bill.objects.select_related(*_BILL_RELATED)
            .filter(payer_person=person, status=BillStatus.UNPAID,
                    cancel_requested_at__isnull=True)
            .order_by("due_date", "pk"))


def bill_list_overdue_for_payer(*, person: Person | None = None,
                                establishment: Establishment | None = None,
                                categories: Iterable[str] | None = None,
                                today: dt.date) -> QuerySet[Bill]:
    """Bills the person or the establishment (either given) pays that are still open — not
    paid, expired, cancelled or being cancelled — and whose due date is before `today`,
    oldest due first; only of `categories` (BillCategory values) when given. One query, no
    related rows."""
    payer = Q(pk__in=[])
    if person is not None:
        payer |= Q(payer_person=person)
    if establishment is not None:
        payer |= Q(payer_establishment=establishment)
    bills = Bill.objects.filter(payer, status__in=OPEN_STATUSES, cancel_requested_at__isnull=True,
                                due_date__lt=today)
    if categories is not None:
        bills = bills.filter(category__in=list(categories))
    return bills.order_by("due_date", "pk")


def bill_find(*, billing_account: str) -> Bill | None:
    """The bill with this number, or None. One query, no related rows."""
    return Bill.objects.filter(billing_account=billing_account).first()


def misc_fee_eservice_list(*, user=None,
                           municipalities: QuerySet[Municipality] | None = None,
                           ) -> QuerySet[EService]:
    """E-services a fee can be issued for: those with a main fee schedule and, when
    `municipalities` is given, whose rollout lets `user` start them in at least one of those.
    One query."""
    # A service priced only by stages (a permit's application, issuance…) is billed by its own
    # app, never as a miscellaneous fee, which bills the main fee.
    priced = FeeSchedule.objects.filter(eservice=OuterRef("pk"), component=FeeComponent.MAIN)
    eservices = EService.objects.filter(Exists(priced))
    if municipalities is not None:
        eservices = eservices.filter(Exists(eservice_rollouts_startable(user=user).filter(
            eservice=OuterRef("pk"), municipality__in=municipalities)))
    return eservices.order_by("display_order", "code")


@dataclass(frozen=True)
class MiscFeeIssuable:
    """What a cashier's fee form offers. `eservices`: every e-service with a fee (so that the
    service can say why one is refused); `offered`: those its rollout lets the cashier start in
    one of `municipalities`, the only ones the form lists. Querysets, run when the form is."""

    municipalities: QuerySet[Municipality]
    eservices: QuerySet[EService]
    offered: QuerySet[EService]


def misc_fee_issuable(*, user, municipality_ids: frozenset[int] | None) -> MiscFeeIssuable:
    """The active municipalities the cashier may bill in (`municipality_ids` None: all) and the
    e-services they may bill there. Three queries once evaluated."""
    municipalities = Municipality.objects.filter(is_active=True).order_by("code")
    if municipality_ids is not None:
        municipalities = municipalities.filter(pk__in=municipality_ids)
    return MiscFeeIssuable(
        municipalities=municipalities, eservices=misc_fee_eservice_list(),
        offered=misc_fee_eservice_list(user=user, municipalities=municipalities))


def payer_find(*, official_id: str) -> tuple[Person | None, Establishment | None]:
    """Who an official number belongs to, as (person, establishment) with at most one of them:
    a national ID or iqama names a person, a unified number an establishment. One query, none
    for a number of neither kind."""
    kind = official_id_type(official_id)
    if kind == IdType.UNIFIED_NUMBER:
        return None, Establishment.objects.filter(unified_number=official_id).first()
    if kind in PERSON_ID_TYPES:
        return Person.objects.filter(national_id=official_id).first(), None
    return None, None


def payment_get(*, pk: int | None = None, sptn: str | None = None) -> Payment:
    qs = Payment.objects.select_related("bill")
    payment = (qs.filter(pk=pk) if pk is not None else qs.filter(sptn=sptn)).first()
    if payment is None:
        raise NotFound("payment.not_found", "الدفعة غير موجودة.", "No such payment.")
    return payment


def payment_list_suspense() -> QuerySet[Payment]:
    """The staff queue: every payment still in suspense, oldest first."""
    return (Payment.objects.select_related("bill__municipality")
            .filter(status=PaymentStatus.SUSPENSE).order_by("processed_at", "pk"))


def refund_list_awaiting_approval() -> QuerySet[SuspenseResolution]:
    return (SuspenseResolution.objects.select_related("payment", "requested_by")
            .filter(status=ResolutionStatus.REQUESTED).order_by("requested_at", "pk"))


def receipt_get(*, pk: int | None = None, number: str | None = None,
                verify_token: str | None = None) -> Receipt:
    qs = Receipt.objects.select_related("bill__eservice", "bill__municipality", "payment")
    if pk is not None:
        qs = qs.filter(pk=pk)
    elif number is not None:
        qs = qs.filter(number=number)
    else:
        qs = qs.filter(verify_token=verify_token)
    receipt = qs.first()
    if receipt is None:
        raise NotFound("receipt.not_found", "الإيصال غير موجود.", "No such receipt.")
    return receipt


# --- Pages: citizens, finance staff, the public -------------------------------------------

_RECEIPT_RELATED = ("bill__eservice", "bill__municipality", "bill__payer_person",
                    "bill__payer_establishment", "payment")


def bill_is_payers(*, bill: Bill, person: Person | None) -> bool:
    """The person pays this bill themselves or represents the establishment that does."""
    if person is None:
        return False
    if bill.payer_person_id is not None:
        return bill.payer_person_id == person.pk
    return person.establishments.filter(pk=bill.payer_establishment_id).exists()


def bill_list_for_person_page(*, person: Person) -> QuerySet[Bill]:
    """`bill_list_for_person` with each bill's receipts fetched in one more query."""
    return bill_list_for_person(person=person).prefetch_related("receipts")


def bill_get_for_page(*, billing_account: str) -> Bill | None:
    return (Bill.objects.select_related(*_BILL_RELATED)
            .prefetch_related("receipts__payment").filter(billing_account=billing_account)
            .first())


def bill_get_for_inquiry(*, billing_account: str, official_id: str) -> Bill | None:
    """The bill only when the payer's official ID matches, so unknown and wrong look alike."""
    bill = (Bill.objects.select_related("payer_person", "payer_establishment")
            .prefetch_related("receipts").filter(billing_account=billing_account).first())
    if bill is None or bill.payer_official_id != official_id:
        return None
    return bill


def receipt_list_for_person(*, person: Person) -> QuerySet[Receipt]:
    return (Receipt.objects.select_related(*_RECEIPT_RELATED)
            .filter(_payer_is(person, "bill__"))
            .order_by("-issued_at", "-pk"))


def receipt_get_for_page(*, number: str) -> Receipt | None:
    return Receipt.objects.select_related(*_RECEIPT_RELATED).filter(number=number).first()


class HeldState:
    """Where money held for a bill stands, as its payer is told."""

    HELD = "held"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"
    APPLIED_HERE = "applied_here"
    APPLIED_TO_PAYERS_BILL = "applied_to_payers_bill"
    APPLIED_ELSEWHERE = "applied_elsewhere"
    CLOSED = "closed"


@dataclass(frozen=True)
class HeldMoney:
    """One payment received for a bill that could not simply pay it (see payment_disposition):
    what arrived, why it was held, and what finance staff have done with it since. Staff notes
    (reasons) are not part of it: they are written for colleagues."""

    amount: Decimal
    received_at: dt.datetime
    reason: str  # SuspenseReason it was held for; "" once applied
    state: str  # HeldState
    decided_at: dt.datetime | None = None
    refund_account_ending: str = ""
    applied_to: str = ""  # the BillingAcct it paid, only when that bill is the same payer's

    @property
    def is_held(self) -> bool:
        return self.state in (HeldState.HELD, HeldState.REFUND_PENDING)


@dataclass(frozen=True)
class BillHeldMoney:
    items: list[HeldMoney]
    held_total: Decimal  # what is still held (not yet refunded, applied or closed)


def _same_payer(a: Bill, b: Bill) -> bool:
    return (a.payer_person_id, a.payer_establishment_id) == (
        b.payer_person_id, b.payer_establishment_id)


def _held_money(payment: Payment, bill: Bill) -> HeldMoney:
    resolutions = list(payment.resolutions.all())  # prefetched, oldest first
    done = next((r for r in reversed(resolutions) if r.status == ResolutionStatus.DONE), None)
    facts = {"amount": payment.amount, "received_at": payment.processed_at,
             "reason": payment.suspense_reason}
    if payment.status == PaymentStatus.SUSPENSE:
        pending = any(r.status == ResolutionStatus.REQUESTED for r in resolutions)
        return HeldMoney(**facts, state=HeldState.REFUND_PENDING if pending else HeldState.HELD)
    decided_at = done.decided_at if done else None
    if payment.status == PaymentStatus.REFUNDED:
        return HeldMoney(**facts, state=HeldState.REFUNDED, decided_at=decided_at,
                         refund_account_ending=done.refund_iban[-4:] if done else "")
    if payment.status == PaymentStatus.WRITTEN_OFF:
        return HeldMoney(**facts, state=HeldState.CLOSED, decided_at=decided_at)
    target = done.target_bill if done else None
    if target is not None and target.pk == bill.pk:
        return HeldMoney(**facts, state=HeldState.APPLIED_HERE, decided_at=decided_at)
    if target is not None and _same_payer(target, bill):
        return HeldMoney(**facts, state=HeldState.APPLIED_TO_PAYERS_BILL, decided_at=decided_at,
                         applied_to=target.billing_account)
    return HeldMoney(**facts, state=HeldState.APPLIED_ELSEWHERE, decided_at=decided_at)


def bill_held_money(*, bill: Bill) -> BillHeldMoney:
    """Money received under this bill's number that did not simply pay it — held in suspense,
    or held and then refunded, applied (here or elsewhere) or closed by staff — oldest first.
    Two queries, however many payments."""
    allocated = SuspenseResolution.objects.filter(payment=OuterRef("pk"),
                                                  kind=ResolutionKind.ALLOCATE)
    payments = (Payment.objects.filter(billing_account=bill.billing_account)
                .annotate(was_allocated=Exists(allocated))
                # the bill's own payment, applied on arrival, is its receipt, not held money
                .exclude(status=PaymentStatus.APPLIED, was_allocated=False)
                .prefetch_related(Prefetch(
                    "resolutions", queryset=SuspenseResolution.objects
                    .select_related("target_bill").order_by("requested_at", "pk")))
                .order_by("processed_at", "pk"))
    items = [_held_money(payment, bill) for payment in payments]
    return BillHeldMoney(items=items,
                         held_total=sum((i.amount for i in items if i.is_held), Decimal("0")))


# What secrets.token_urlsafe makes (models._receipt_verify_token); anything else was never
# issued and is not worth a query (a NUL byte would not even reach PostgreSQL intact).
_VERIFY_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,32}", re.ASCII)


def receipt_get_for_verification(*, token: str) -> Receipt | None:
    """The receipt a QR code points to, or None for a token that is malformed or unknown:
    the two look alike to the caller."""
    if not _VERIFY_TOKEN.fullmatch(token):
        return None
    return (Receipt.objects.select_related("payment", "bill__eservice", "bill__municipality")
            .filter(verify_token=token).first())


def _in_scope(qs: QuerySet, municipality_ids, field: str) -> QuerySet:
    """`municipality_ids` None means every municipality (Amanah-level finance, admins)."""
    if municipality_ids is None:
        return qs
    return qs.filter(**{f"{field}__in": list(municipality_ids)})


def bill_list_for_staff(*, municipality_ids, status: str = "", query: str = "",
                        fee_schedule_id: int | None = None) -> QuerySet[Bill]:
    qs = _in_scope(Bill.objects.select_related(*_BILL_RELATED), municipality_ids, "municipality")
    if fee_schedule_id is not None:
        qs = qs.filter(fee_schedule_id=fee_schedule_id)
    if status:
        qs = qs.filter(status=status)
    if query:
        # The payer is looked up first (one query, none for a number of neither kind): a
        # join inside the OR would walk every bill of the municipality testing each, where
        # plain conditions on indexed columns find the few matches through their indexes.
        person, establishment = payer_find(official_id=query)
        matches = Q(billing_account=query) | Q(payable_ref=query)
        if person is not None:
            matches |= Q(payer_person=person)
        if establishment is not None:
            matches |= Q(payer_establishment=establishment)
        qs = qs.filter(matches)
    return qs.order_by("-created_at", "-pk")


def payment_list_for_staff(*, municipality_ids, status: str = "",
                           query: str = "") -> QuerySet[Payment]:
    qs = Payment.objects.select_related("bill__municipality", "bill__eservice")
    if municipality_ids is not None:
        # A payment for no known bill belongs to nobody yet: every finance desk sees it.
        qs = qs.filter(Q(bill__municipality__in=list(municipality_ids)) | Q(bill__isnull=True))
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(sptn=query) | Q(billing_account=query) | Q(bnkptn=query))
    return qs.order_by("-processed_at", "-pk")


def suspense_list_for_staff(*, municipality_ids) -> QuerySet[Payment]:
    return (payment_list_for_staff(municipality_ids=municipality_ids,
                                   status=PaymentStatus.SUSPENSE)
            .prefetch_related("resolutions")
            .order_by("processed_at", "pk"))


def suspense_get_for_staff(*, payment_id: int, municipality_ids) -> Payment | None:
    qs = payment_list_for_staff(municipality_ids=municipality_ids).select_related(
        "bill__payer_person", "bill__payer_establishment")
    return qs.prefetch_related("resolutions__requested_by", "resolutions__decided_by",
                               "resolutions__target_bill", "events").filter(pk=payment_id).first()


@dataclass(frozen=True)
class CollectionRow:
    key: str
    label_ar: str
    label_en: str
    count: int
    total: Decimal

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_ar


@dataclass(frozen=True)
class Collections:
    date_from: dt.date
    date_to: dt.date
    total: Decimal
    count: int
    suspense_total: Decimal
    suspense_count: int
    per_day: list[CollectionRow]
    per_service: list[CollectionRow]
    per_municipality: list[CollectionRow]
    per_channel: list[CollectionRow]


def collections_summary(*, municipality_ids, date_from: dt.date,
                        date_to: dt.date) -> Collections:
    """Money applied to bills per business day, service, municipality and channel (5 queries).

    Suspense money is counted apart: until staff resolve it, it belongs to no service.
    """
    applied = _in_scope(Payment.objects.filter(status=PaymentStatus.APPLIED,
                                               business_date__gte=date_from,
                                               business_date__lte=date_to),
                        municipality_ids, "bill__municipality")
    zero = Decimal("0.00")
    per_day = {row["business_date"]: row for row in
               applied.values("business_date").annotate(n=Count("pk"), s=Sum("amount"))}
    days = []
    day = date_from
    while day <= date_to:
        row = per_day.get(day)
        days.append(CollectionRow(key=day.isoformat(), label_ar=day.isoformat(),
                                  label_en=day.isoformat(), count=row["n"] if row else 0,
                                  total=row["s"] if row else zero))
        day += dt.timedelta(days=1)
    per_service = [CollectionRow(key=r["bill__eservice__code"],
                                 label_ar=r["bill__eservice__name_ar"],
                                 label_en=r["bill__eservice__name_en"], count=r["n"], total=r["s"])
                   for r in applied.values("bill__eservice__code", "bill__eservice__name_ar",
                                           "bill__eservice__name_en")
                   .annotate(n=Count("pk"), s=Sum("amount")).order_by("-s", "bill__eservice__code")]
    per_municipality = [
        CollectionRow(key=r["bill__municipality__code"], label_ar=r["bill__municipality__name_ar"],
                      label_en=r["bill__municipality__name_en"], count=r["n"], total=r["s"])
        for r in applied.values("bill__municipality__code", "bill__municipality__name_ar",
                                "bill__municipality__name_en")
        .annotate(n=Count("pk"), s=Sum("amount")).order_by("-s", "bill__municipality__code")]
    per_channel = [CollectionRow(key=r["channel"], label_ar=r["channel"], label_en=r["channel"],
                                 count=r["n"], total=r["s"])
                   for r in applied.values("channel").annotate(n=Count("pk"), s=Sum("amount"))
                   .order_by("-s", "channel")]
    suspense = payment_list_for_staff(municipality_ids=municipality_ids,
                                      status=PaymentStatus.SUSPENSE).filter(
        business_date__gte=date_from, business_date__lte=date_to).aggregate(
        n=Count("pk"), s=Sum("amount"))
    return Collections(
        date_from=date_from, date_to=date_to,
        total=sum((r.total for r in days), zero), count=sum(r.count for r in days),
        suspense_total=suspense["s"] or zero, suspense_count=suspense["n"],
        per_day=days, per_service=per_service, per_municipality=per_municipality,
        per_channel=per_channel)


# --- Reconciliation runs (spec §4), for the finance pages ---------------------------------

def recon_run_list_for_staff() -> QuerySet:
    """Every delivered file, newest first; a run's report figures are stored on the run."""
    from .reconciliation.models import ReconRun

    return ReconRun.objects.select_related("duplicate_of", "superseded_by").order_by(
        "-received_at", "-pk")


def recon_run_get_for_staff(*, pk: int):
    return recon_run_list_for_staff().filter(pk=pk).first()


def recon_run_exception_items(*, run) -> QuerySet:
    """A run's items other than MATCHED (few, and read through their partial index)."""
    from .reconciliation.models import ReconItem

    return (ReconItem.objects.select_related("payment__bill", "reviewed_by")
            .filter(run=run).exclude(category="MATCHED").order_by("position", "pk"))


def recon_run_exception_item_get(*, run, item_id: int):
    """One exception item of this run, or None (a MATCHED item, or another run's, is none)."""
    return recon_run_exception_items(run=run).filter(pk=item_id).first()


def recon_exception_open_count() -> int:
    """How many reconciliation exceptions wait for review. One query."""
    return recon_exception_queue_for_staff().count()


def recon_exception_queue_for_staff() -> QuerySet:
    """Open reconciliation exceptions of runs that still stand."""
    from .reconciliation.enums import ReconRunStatus, ReviewStatus
    from .reconciliation.models import ReconItem

    return (ReconItem.objects.select_related("run", "payment__bill")
            .filter(review_status=ReviewStatus.OPEN)
            .exclude(run__status=ReconRunStatus.SUPERSEDED)
            .order_by("run__business_date", "position", "pk"))


def bill_list_rejected_by_sadad(*, municipality_ids: frozenset[int] | None = None,
                                ) -> QuerySet[Bill]:
    """Bills SADAD refused to register: not payable until staff fix and re-issue them.
    `municipality_ids` None: every municipality."""
    qs = (Bill.objects.select_related(*_BILL_RELATED)
          .exclude(sadad_rejection="").filter(registered_at__isnull=True))
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    return qs.order_by("-created_at", "-pk")


def outbox_list_failing(*, min_attempts: int = 3,
                        municipality_ids: frozenset[int] | None = None) -> QuerySet:
    """Uploads still pending after several failed attempts (SADAD or the network is down)."""
    from .enums import OutboxStatus
    from .models import SadadOutbox

    qs = (SadadOutbox.objects.select_related("bill", "bill__municipality")
          .filter(status=OutboxStatus.PENDING, attempts__gte=min_attempts))
    if municipality_ids is not None:
        qs = qs.filter(bill__municipality_id__in=municipality_ids)
    return qs.order_by("created_at", "pk")


@dataclass(frozen=True)
class StoredAnswer:
    """What a recorded delivery was answered, kept to be given again to its retries."""

    body_sha256: str
    status: int
    body: bytes


def inbound_answer_get(*, rq_uid: str) -> StoredAnswer | None:
    """The answer stored for a delivery's RqUID; None when no delivery of it was recorded."""
    stored = (InboundMessage.objects.filter(rq_uid=rq_uid)
              .values_list("body_sha256", "response_status", "response_body").first())
    if stored is None:
        return None
    digest, status, body = stored
    return StoredAnswer(body_sha256=digest, status=status, body=bytes(body))


def bill_get_issued_at_counter(*, billing_account: str, clerk) -> Bill:
    """A bill as the clerk who issued it at the counter sees it (its SADAD number to hand
    over): only that clerk. NotFound alike for any other. One query."""
    bill = (Bill.objects.select_related("payer_person", "eservice", "municipality")
            .filter(billing_account=billing_account, issued_by_id=getattr(clerk, "pk", None),
                    events__kind=BillEventKind.ISSUED,
                    events__payload__channel="counter").first())
    if bill is None:
        raise NotFound("bill.not_found", "الفاتورة غير موجودة.", "No such bill.")
    return bill
