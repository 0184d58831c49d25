"""Objections to a fine, item by item, heard by the municipality's legal department.

Filing freezes the objected lines (OBJECTED) and takes their amount off their open bill in
the same transaction: SADAD gets a BillUpdated for what is left, or a BillExpired when nothing
is. The objection is a "violation_objection" workflow case; legal staff decide each line, the
case's "decide" step schedules `objection_settle`, which cancels, reduces or makes the lines
payable again and bills them again (billing.lines_rebill).

Lock order is the bill before the notice, as a payment does (it locks the bill, then its
`on_paid` locks the notice), so an objection and a payment never wait on each other in a cycle.
"""

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from amanah import clock
from amanah.dates import business_date, dual_date_format
from amanah.dispatch import task_on_commit
from amanah.errors import Conflict, DomainError, NotFound
from amanah.money import sar
from amanah.permissions import person_for_user
from amanah.rollout import eservice_start_check
from amanah.uploads import CASE_DOCUMENT_POLICY, upload_check, upload_store
from payments.enums import BillStatus
from payments.locks import bill_qs_for_update, locked_all
from payments.services.bills import OPEN_STATUSES, bill_cancel, bill_update_amount
from workflow.enums import StatusCategory
from workflow.services.cases import case_submit

from ..access import legal_check, offender_may_see
from ..enums import (
    LineStatus,
    NoticeKind,
    ObjectionDecision,
    ObjectionStatus,
    ViolationEventKind,
)
from ..models import Objection, ObjectionDocument, ObjectionLine, Violation, ViolationLine
from .billing import lines_rebill, open_bill_of, violation_settle_check
from .penalties import penalties_on_line_cancelled, penalties_on_line_paid
from .records import (
    line_status_change,
    number_next,
    objection_status_change,
    violation_event_append,
    violation_lock,
    violation_save,
)

logger = logging.getLogger(__name__)

OBJECTION_KIND = "violation_objection"  # the workflow procedure and the e-service
REASON_MAX = 2000
DOCUMENTS_MAX = 10
DECISIONS = (ObjectionDecision.ACCEPTED, ObjectionDecision.REDUCED, ObjectionDecision.REJECTED)


def _today() -> dt.date:
    return business_date(clock.now())


def _not_found() -> NotFound:
    return NotFound("violations.not_found", "المخالفة غير موجودة.", "No such violation.")


def objection_due_text(day: dt.date) -> tuple[str, str]:
    return dual_date_format(day, "ar"), dual_date_format(day, "en")


def line_objection_refusal(line: ViolationLine, *, today: dt.date) -> DomainError | None:
    """Why this line cannot be objected to now (None: it can). Read by the pages too."""
    if line.status == LineStatus.OBJECTED:
        return Conflict("violations.objection_open",
                        f"يوجد اعتراض قيد الدراسة على البند {line.item_code}.",
                        f"An objection to item {line.item_code} is already being heard.",
                        field="lines")
    if line.status != LineStatus.PAYABLE or (line.bill_id and line.bill.status == BillStatus.PAID):
        return Conflict("violations.line_not_objectable",
                        f"لا يمكن الاعتراض على البند {line.item_code}: ليس مستحق السداد.",
                        f"Item {line.item_code} cannot be objected to: it is not payable.",
                        field="lines")
    if not line.item.objectionable:
        return DomainError("violations.not_objectionable",
                           f"البند {line.item_code} لا يقبل الاعتراض.",
                           f"Item {line.item_code} may not be objected to.", field="lines")
    if line.objection_due is None or today > line.objection_due:
        due = line.objection_due or today
        ar, en = objection_due_text(due)
        return DomainError("violations.objection_late",
                           f"انتهت مهلة الاعتراض على البند {line.item_code} في {ar}.",
                           f"The time to object to item {line.item_code} ended on {en}.",
                           field="lines")
    return None


def _reasons_clean(lines) -> dict[int, str]:
    if not lines:
        raise DomainError("violations.objection_lines_required",
                          "اختر بنداً واحداً على الأقل للاعتراض عليه.",
                          "Choose at least one item to object to.", field="lines")
    reasons: dict[int, str] = {}
    for line_id, reason in lines:
        try:
            line_id = int(line_id)
        except (TypeError, ValueError):
            raise DomainError("violations.objection_line_unknown", "بند غير معروف.",
                              "Unknown item.", field="lines") from None
        if line_id in reasons:
            raise DomainError("violations.objection_line_twice", "ذُكر البند أكثر من مرة.",
                              "An item is named more than once.", field="lines")
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("violations.objection_reason_required",
                              "اكتب سبب الاعتراض على كل بند.",
                              "Write the reason for each item you object to.",
                              field=f"reason_{line_id}")
        if len(reason) > REASON_MAX:
            raise DomainError("violations.objection_reason_too_long",
                              f"سبب الاعتراض أطول من {REASON_MAX} حرف.",
                              f"The reason is longer than {REASON_MAX} characters.",
                              field=f"reason_{line_id}")
        reasons[line_id] = reason
    return reasons


def _bills_lock(violation_id: int, line_ids) -> None:
    bill_ids = sorted(set(ViolationLine.objects.filter(
        violation_id=violation_id, pk__in=line_ids, bill__isnull=False)
        .values_list("bill_id", flat=True)))
    if bill_ids:
        locked_all(bill_qs_for_update().filter(pk__in=bill_ids).order_by("pk"))


@transaction.atomic
def objection_file(*, user, violation_number: str, lines: list[tuple[int, str]],
                   documents=()) -> Objection:
    """The offender objects to payable, objectionable lines of a fine within each line's
    objection period: the lines are frozen, the bill reduced or withdrawn, a legal case opened."""
    violation = (Violation.objects.select_related("municipality", "establishment", "person")
                 .filter(number=(violation_number or "").strip()).first())
    if violation is None or not offender_may_see(user, violation):
        raise _not_found()
    if violation.kind != NoticeKind.FINE:
        raise Conflict("violations.objection_not_fine", "يُعترض على إشعارات الغرامات فقط.",
                       "Only fine notices can be objected to.", field="lines")
    person = person_for_user(user)
    eservice_start_check(eservice=OBJECTION_KIND, municipality=violation.municipality,
                         user=user, person=person, field="lines")
    reasons = _reasons_clean(lines)
    documents = [d for d in (documents or ()) if d is not None]
    if len(documents) > DOCUMENTS_MAX:
        raise DomainError("violations.objection_documents_too_many",
                          f"الحد الأقصى {DOCUMENTS_MAX} مستندات.",
                          f"At most {DOCUMENTS_MAX} documents.", field="documents")
    checked = [upload_check(file=d, policy=CASE_DOCUMENT_POLICY, field="documents")
               for d in documents]

    _bills_lock(violation.pk, reasons)
    violation = violation_lock(violation.pk)
    found = {line.pk: line for line in violation.lines.filter(pk__in=reasons)
             .select_related("item", "bill").order_by("id")}
    if set(found) != set(reasons):
        raise DomainError("violations.objection_line_unknown",
                          "أحد البنود ليس من بنود هذه المخالفة.",
                          "An item is not one of this violation's.", field="lines")
    today = _today()
    for line in found.values():
        refusal = line_objection_refusal(line, today=today)
        if refusal is not None:
            raise refusal
    # A line under an open objection is OBJECTED, so the check above refuses a second one;
    # two filings at once are serialised by the notice's lock and the second sees it.

    number = number_next(municipality=violation.municipality, series="VO", on=today)
    applicant = ({"applicant_person": violation.person} if violation.person_id
                 else {"applicant_establishment": violation.establishment})
    case = case_submit(
        kind=OBJECTION_KIND, municipality=violation.municipality,
        subject=f"اعتراض على المخالفة {violation.number} / Objection to {violation.number}",
        submitted_by=user, description="\n\n".join(
            f"{found[i].item_code}: {reason}" for i, reason in reasons.items()), **applicant)
    objection = Objection.objects.create(number=number, violation=violation, case=case,
                                         filed_by=user, filed_at=clock.now())
    ObjectionLine.objects.bulk_create([ObjectionLine(objection=objection, line_id=i, reason=r)
                                       for i, r in reasons.items()])

    taken_off: dict[int, Decimal] = defaultdict(Decimal)
    bills = {}
    for line in found.values():
        if line.bill_id and line.bill.status in OPEN_STATUSES:
            taken_off[line.bill_id] += line.amount
            bills[line.bill_id] = line.bill
    for bill_id, amount in taken_off.items():
        if bills[bill_id].amount - amount > 0:
            # the bill no longer asks for these lines once its amount is reduced; a bill being
            # withdrawn still does at SADAD until it accepts the BillExpired, so they keep it
            for line in found.values():
                if line.bill_id == bill_id:
                    line.bill = None
    for line in found.values():
        line_status_change(violation=violation, line=line, to_status=LineStatus.OBJECTED,
                           actor=user, extra_fields=["bill"],
                           payload={"objection": number})
    reason = f"objection {number} to violation {violation.number}"
    for bill_id, amount in taken_off.items():
        remaining = bills[bill_id].amount - amount
        if remaining > 0:
            bill_update_amount(bill_id=bill_id, amount=remaining, actor=user, reason=reason)
        else:
            bill_cancel(bill_id=bill_id, actor=user, reason=reason)
    for upload in checked:
        _document_store(objection, upload, user=user)
    return objection


def _document_store(objection: Objection, upload, *, user) -> ObjectionDocument:
    document = ObjectionDocument(objection=objection, original_name=upload.display_name,
                                 content_type=upload.content_type, size=upload.size,
                                 sha256=upload.sha256, uploaded_by=user,
                                 uploaded_at=clock.now())
    return upload_store(document, upload)


# --- decision --------------------------------------------------------------------------------


def _objection_locked(objection_id: int, *, bill_first: bool = False
                      ) -> tuple[Violation, Objection]:
    """The notice locked, then its objection (decisions and settling are under the notice);
    with `bill_first`, the notice's open bill is locked before it, as a payment does."""
    violation_id = (Objection.objects.filter(pk=objection_id)
                    .values_list("violation_id", flat=True).first())
    if violation_id is None:
        raise NotFound("violations.objection_not_found", "الاعتراض غير موجود.",
                       "No such objection.")
    if bill_first:
        bill = open_bill_of(Violation.objects.only("number").get(pk=violation_id))
        if bill is not None:
            locked_all(bill_qs_for_update().filter(pk=bill.pk))
    violation = violation_lock(violation_id)
    objection = Objection.objects.select_related("case").get(pk=objection_id)
    return violation, objection


def _reduced_amount(value, original: Decimal) -> Decimal:
    try:
        amount = sar(value)
    except (TypeError, ArithmeticError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or not (Decimal("0") < amount < original):
        raise DomainError("violations.reduced_amount_invalid",
                          "المبلغ المخفض يجب أن يكون أكبر من صفر وأقل من الغرامة الأصلية.",
                          "The reduced amount must be more than zero and less than the "
                          "original fine.", field="reduced_amount")
    return amount


@transaction.atomic
def objection_line_decide(*, objection_line_id: int, actor, decision: str,
                          reduced_amount=None, note: str = "") -> ObjectionLine:
    """Legal staff of the notice's municipality decide one objected line while the objection
    is open and its case is in review; it takes effect when the case's decide step is taken."""
    row = (ObjectionLine.objects.select_related("objection__violation")
           .filter(pk=objection_line_id).first())
    if row is None:
        raise NotFound("violations.objection_not_found", "الاعتراض غير موجود.",
                       "No such objection.")
    legal_check(actor, row.objection.violation.municipality_id)
    if decision not in DECISIONS:
        raise DomainError("violations.decision_invalid", "اختر القرار.",
                          "Choose the decision.", field="decision")
    note = (note or "").strip()
    if len(note) > 500:
        raise DomainError("violations.decision_note_too_long",
                          "الملاحظة أطول من 500 حرف.", "The note is longer than 500 characters.",
                          field="note")
    violation, objection = _objection_locked(row.objection_id)
    if objection.status != ObjectionStatus.OPEN or objection.case is None \
            or objection.case.category != StatusCategory.IN_REVIEW:
        raise Conflict("violations.objection_not_in_review",
                       "لا يمكن البت في الاعتراض إلا وهو قيد الدراسة.",
                       "The objection can be decided only while it is under review.",
                       field="decision")
    row = ObjectionLine.objects.select_related("line").get(pk=objection_line_id)
    amount = (_reduced_amount(reduced_amount, row.line.amount)
              if decision == ObjectionDecision.REDUCED else None)
    row.decision, row.reduced_amount, row.decision_note = decision, amount, note
    row.save(update_fields=["decision", "reduced_amount", "decision_note"])
    violation_event_append(violation, kind=ViolationEventKind.OBJECTION_DECIDED, actor=actor,
                           reason=note, payload={"objection": objection.number,
                                                 "line": row.line_id, "item": row.line.item_code,
                                                 "decision": decision,
                                                 "reduced_amount": str(amount or "")})
    violation_save(violation, [])
    return row


def objection_undecided_lines(objection: Objection) -> list[str]:
    return list(objection.lines.filter(decision=ObjectionDecision.PENDING)
                .values_list("line__item_code", flat=True))


def _decider(objection: Objection):
    from workflow.models import CaseEvent

    event = (CaseEvent.objects.filter(case_id=objection.case_id, actor__isnull=False)
             .order_by("-seq").select_related("actor").first())
    return event.actor if event is not None else None


@transaction.atomic
def objection_settle(*, objection_id: int, actor=None) -> Objection:
    """After the case's decide step: accepted lines are cancelled, reduced and rejected ones
    are payable again and billed again; the objection is DECIDED. Running it twice is harmless."""
    violation, objection = _objection_locked(objection_id, bill_first=True)
    if objection.status == ObjectionStatus.DECIDED:
        return objection
    if objection.case is None or objection.case.category not in StatusCategory.terminal():
        raise Conflict("violations.objection_case_open",
                       "لم تُتخذ خطوة البت في المعاملة بعد.",
                       "The case's decision step has not been taken yet.")
    undecided = objection_undecided_lines(objection)
    if undecided:
        raise Conflict("violations.objection_undecided",
                       f"لم يُبتّ في البنود: {', '.join(undecided)}.",
                       f"Items not yet decided: {', '.join(undecided)}.")
    actor = actor or _decider(objection)
    payable_again = []
    for row in objection.lines.select_related("line__item", "line__bill").order_by("id"):
        line = row.line
        if line.status != LineStatus.OBJECTED:
            continue
        payload = {"objection": objection.number, "decision": row.decision}
        if line.bill_id and line.bill.status == BillStatus.PAID:
            # Paid before SADAD stopped taking money for the withdrawn bill: never billed
            # again; what an accepted or reduced decision gives back is a refund for staff.
            line_status_change(violation=violation, line=line, to_status=LineStatus.PAID,
                               actor=actor, reason=row.decision_note,
                               payload={**payload, "paid_while_objected": True,
                                        "refund_due": row.decision != ObjectionDecision.REJECTED})
            penalties_on_line_paid(violation=violation, line=line, actor=actor)
            continue
        if row.decision == ObjectionDecision.ACCEPTED:
            line_status_change(violation=violation, line=line, to_status=LineStatus.CANCELLED,
                               actor=actor, reason=row.decision_note, payload=payload)
            penalties_on_line_cancelled(violation=violation, line=line, actor=actor)
            continue
        fields = []
        if row.decision == ObjectionDecision.REDUCED:
            payload["from"], payload["to"] = str(line.amount), str(row.reduced_amount)
            line.amount = row.reduced_amount
            fields = ["amount"]
        line_status_change(violation=violation, line=line, to_status=LineStatus.PAYABLE,
                           actor=actor, reason=row.decision_note, payload=payload,
                           extra_fields=fields)
        payable_again.append(line)
    if payable_again:
        lines_rebill(violation=violation, lines=payable_again, actor=actor)
    violation_settle_check(violation=violation, actor=actor)
    objection.decided_at, objection.decided_by = clock.now(), actor
    objection_status_change(violation=violation, objection=objection,
                            to_status=ObjectionStatus.DECIDED, actor=actor,
                            payload={"decisions": dict(objection.lines.values_list(
                                "line__item_code", "decision"))},
                            extra_fields=["decided_at", "decided_by"])
    task_on_commit("violations.objection_outcome_sms", objection_id=objection.pk)
    return objection


def objections_settle_due(*, limit: int = 200) -> int:
    """Sweeper: open objections whose case has passed its decide step (the task was lost)."""
    ids = list(Objection.objects.filter(status=ObjectionStatus.OPEN,
                                        case__category__in=StatusCategory.terminal())
               .order_by("pk").values_list("pk", flat=True)[:limit])
    done = 0
    for objection_id in ids:
        try:
            objection_settle(objection_id=objection_id)
            done += 1
        except DomainError as refusal:
            logger.warning("objection %s not settled: %s", objection_id, refusal.code)
    return done


_OUTCOME_WORDS = {
    "ar": {ObjectionDecision.ACCEPTED: "قُبل وأُلغيت غرامته",
           ObjectionDecision.REDUCED: "خُفّضت غرامته إلى {amount} ريال",
           ObjectionDecision.REJECTED: "رُفض وغرامته مستحقة السداد"},
    "en": {ObjectionDecision.ACCEPTED: "accepted, its fine cancelled",
           ObjectionDecision.REDUCED: "fine reduced to SAR {amount}",
           ObjectionDecision.REJECTED: "rejected, its fine payable"},
}


def objection_outcome_text(objection: Objection, language: str = "ar") -> str:
    """The SMS telling the objector the decision, item by item, in their language."""
    language = "en" if language.startswith("en") else "ar"
    words = _OUTCOME_WORDS[language]
    parts = [f"{row.line.item_code}: "
             + words.get(row.decision, row.decision).format(amount=row.reduced_amount)
             for row in objection.lines.select_related("line").order_by("id")]
    if language == "en":
        return (f"Objection {objection.number} to violation {objection.violation.number} is "
                f"decided: {'; '.join(parts)}. Details on the portal.")
    return (f"صدر قرار الاعتراض {objection.number} على المخالفة {objection.violation.number}: "
            f"{'؛ '.join(parts)}. التفاصيل في البوابة.")
