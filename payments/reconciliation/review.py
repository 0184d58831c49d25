"""Staff close a reconciliation exception (the only writer of `ReconItem.review_status`)."""

from django.db import transaction

from amanah import clock
from amanah.errors import Conflict, DomainError, NotFound

from ..enums import PaymentEventKind
from ..locks import locked_first, payment_qs_for_update
from ..services.payments import payment_event_record
from .enums import ReconCategory, ReconEventKind, ReviewStatus
from .models import ReconItem
from .runs import recon_event_write


@transaction.atomic
def recon_item_review(*, item_id: int, actor, note: str) -> ReconItem:
    """Staff close a reconciliation exception with a note; nothing is reversed by it."""
    item = (ReconItem.objects.select_for_update(of=("self",)).select_related("run")
            .filter(pk=item_id).first())
    if item is None:
        raise NotFound("recon.item_not_found", "البند غير موجود.", "No such item.")
    if item.review_status != ReviewStatus.OPEN:
        raise Conflict("recon.item_not_open", "هذا البند ليس بانتظار المراجعة.",
                       "This item is not awaiting review.")
    note = (note or "").strip()
    if len(note) < 5:
        raise DomainError("recon.note_required", "اكتب ملاحظة واضحة (٥ أحرف على الأقل).",
                          "Write a clear note (at least 5 characters).", field="note")
    item.review_status = ReviewStatus.RESOLVED
    item.reviewed_by = actor
    item.reviewed_at = clock.now()
    item.review_note = note[:500]
    item.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_note"])
    if item.payment_id and item.category == ReconCategory.MISSING_IN_PORTAL:
        payment = locked_first(payment_qs_for_update().filter(pk=item.payment_id))
        if payment.needs_review:
            payment_event_record(payment=payment, kind=PaymentEventKind.REVIEWED, actor=actor,
                                 reason=item.review_note, payload={"recon_item": item.pk},
                                 changes={"needs_review": False})
    recon_event_write(run=item.run, kind=ReconEventKind.ITEM_REVIEWED, item=item, actor=actor,
                      data={"sptn": item.sptn, "category": item.category,
                            "note": item.review_note})
    return item
