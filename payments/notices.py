"""What a payer is told by SMS about money held for their bill: when it is held, and when
finance staff act on it (applied to a bill, refund approved, closed).

Each message carries Arabic then English: a person's language is not recorded anywhere yet
(the portal's other SMS do the same), and each half is translated on its own, so a recorded
preference later only means sending one half.
"""

from django.utils import translation
from django.utils.translation import gettext

from amanah.money import sar_format

from .enums import PaymentEventKind, PaymentStatus, SuspenseReason
from .models import Bill, Payment, PaymentEvent, SuspenseResolution

LANGUAGES = ("ar", "en")


def _held_text(*, payment: Payment, bill: Bill, language: str) -> str:
    values = {"amount": sar_format(payment.amount, language), "bill": bill.billing_account,
              "due": sar_format(bill.amount, language)}
    why = {
        SuspenseReason.UNDERPAID: gettext(
            "Amanah: %(amount)s arrived for your bill %(bill)s, less than the %(due)s due, so "
            "it is not paid."),
        SuspenseReason.OVERPAID: gettext(
            "Amanah: %(amount)s arrived for your bill %(bill)s, more than the %(due)s due, so "
            "it is not paid."),
        SuspenseReason.ALREADY_PAID: gettext(
            "Amanah: %(amount)s arrived for your bill %(bill)s, which was already paid."),
    }.get(payment.suspense_reason, gettext(
        "Amanah: %(amount)s arrived for your bill %(bill)s, which could no longer be paid."))
    return " ".join([why % values, gettext(
        "The money is held; finance will refund it or apply it to a bill of yours. "
        "Details on the bill's page.")])


def _decided_text(*, event: PaymentEvent, payment: Payment, bill: Bill,
                  resolution: SuspenseResolution | None, language: str) -> str:
    values = {"amount": sar_format(payment.amount, language), "bill": bill.billing_account}
    if event.kind == PaymentEventKind.REFUNDED:
        values["ending"] = resolution.refund_iban[-4:] if resolution else ""
        return gettext("Amanah: the refund of %(amount)s held for your bill %(bill)s was "
                       "approved, to the account ending %(ending)s.") % values
    if event.kind == PaymentEventKind.ALLOCATED:
        target = resolution.target_bill if resolution else None
        if target is not None and (target.payer_person_id, target.payer_establishment_id) == (
                bill.payer_person_id, bill.payer_establishment_id):
            values["target"] = target.billing_account
            return gettext("Amanah: the %(amount)s held for your bill %(bill)s was applied to "
                           "bill %(target)s.") % values
        # Someone else's bill is not named to this payer.
        return gettext("Amanah: the %(amount)s held for your bill %(bill)s was applied to "
                       "another bill, as the municipality decided.") % values
    return gettext("Amanah: the %(amount)s held for your bill %(bill)s was closed by the "
                   "municipality. For questions call 940.") % values


def _is_held_event(event: PaymentEvent) -> bool:
    return (event.kind in (PaymentEventKind.RECORDED, PaymentEventKind.MATCHED)
            and event.to_status == PaymentStatus.SUSPENSE)


# What staff do that the payer hears about; a refund merely asked for is not final.
DECIDED_KINDS = (PaymentEventKind.ALLOCATED, PaymentEventKind.REFUNDED,
                 PaymentEventKind.WRITTEN_OFF)


def payer_notice_body(*, event: PaymentEvent, bill: Bill,
                      resolution: SuspenseResolution | None = None) -> str | None:
    """The SMS for `event` of money held for `bill`, or None when the payer is not told."""
    payment = event.payment
    if _is_held_event(event):
        texts = []
        for language in LANGUAGES:
            with translation.override(language):
                texts.append(_held_text(payment=payment, bill=bill, language=language))
        return "\n".join(texts)
    if event.kind not in DECIDED_KINDS:
        return None
    texts = []
    for language in LANGUAGES:
        with translation.override(language):
            texts.append(_decided_text(event=event, payment=payment, bill=bill,
                                       resolution=resolution, language=language))
    return "\n".join(texts)


def payer_mobiles(bill: Bill) -> list[str]:
    """Who pays the bill: the person, or the representatives of the establishment."""
    if bill.payer_person_id:
        return [bill.payer_person.mobile] if bill.payer_person.mobile else []
    return sorted({p.mobile for p in bill.payer_establishment.representatives.all()
                   if p.mobile})
