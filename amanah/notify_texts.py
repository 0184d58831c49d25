"""The portal's own notification texts: what each event says until an admin changes it.

Seeded as rows by migration amanah/0007 (the rows are what admins edit, with history); also
what an event says when its rows are missing altogether (a database flushed by a test). Per
event: the SMS text in Arabic and English, the email's subject in Arabic and English; the
email's text is the SMS text without the leading "Amanah:".
"""


DEFAULT_TEXTS = {
    "case.submitted": (
        "أمانة: استلمنا معاملتكم {case_number} ({service}) وهي الآن: {state}. "
        "تابعوها من صفحة معاملاتي.",
        "Amanah: we received your transaction {case_number} ({service}); it is now: {state}. "
        "Follow it on My transactions.",
        "استلام المعاملة {case_number}", "Transaction {case_number} received"),
    "case.returned": (
        "أمانة: أُعيدت معاملتكم {case_number} إليكم لاستكمالها: {state}.\n{message}",
        "Amanah: your transaction {case_number} was returned to you to complete: {state}."
        "\n{message}",
        "المعاملة {case_number} بحاجة إلى استكمال", "Transaction {case_number} needs your action"),
    "case.decided": (
        "أمانة: صدر القرار في معاملتكم {case_number}: {state}.\n{message}",
        "Amanah: your transaction {case_number} was decided: {state}.\n{message}",
        "القرار في المعاملة {case_number}", "Decision on transaction {case_number}"),
    "case.updated": (
        "أمانة: معاملتكم {case_number}: {state}.\n{message}",
        "Amanah: your transaction {case_number}: {state}.\n{message}",
        "مستجدات المعاملة {case_number}", "Update on transaction {case_number}"),
    "bill.issued": (
        "أمانة: صدرت فاتورة {description} بمبلغ {amount}، رقم السداد {bill_number}، "
        "تستحق في {due_date}. ادفعها من أي بنك عبر سداد.",
        "Amanah: a bill for {description} of {amount} was issued, SADAD number {bill_number}, "
        "due on {due_date}. Pay it at any bank through SADAD.",
        "فاتورة جديدة رقم {bill_number}", "New bill {bill_number}"),
    "bill.paid": (
        "أمانة: استلمنا سداد الفاتورة {bill_number} بمبلغ {amount}. شكراً لكم.",
        "Amanah: we received the payment of bill {bill_number}, {amount}. Thank you.",
        "تم سداد الفاتورة {bill_number}", "Bill {bill_number} paid"),
    "bill.expiring": (
        "أمانة: تنتهي الفاتورة {bill_number} بمبلغ {amount} في {expiry_date} "
        "(بعد {days_left} أيام). ادفعها قبل ذلك عبر سداد.",
        "Amanah: bill {bill_number} of {amount} expires on {expiry_date} "
        "(in {days_left} days). Pay it before then through SADAD.",
        "الفاتورة {bill_number} تنتهي قريباً", "Bill {bill_number} expires soon"),
    "bill.expired": (
        "أمانة: انتهت الفاتورة {bill_number} بمبلغ {amount} دون سداد في {expiry_date}.",
        "Amanah: bill {bill_number} of {amount} expired unpaid on {expiry_date}.",
        "انتهت الفاتورة {bill_number}", "Bill {bill_number} expired"),
    "payment.suspense": (
        "أمانة: وصل {amount} لفاتورتك {bill_number} {reason}. المبلغ محفوظ وستعيده المالية "
        "إليك أو تخصصه لفاتورة لك. التفاصيل في صفحة الفاتورة.",
        "Amanah: {amount} arrived for your bill {bill_number}, {reason}. The money is held; "
        "finance will refund it or apply it to a bill of yours. Details on the bill's page.",
        "مبلغ محفوظ للفاتورة {bill_number}", "Money held for bill {bill_number}"),
    "sla.at_risk": (
        "أمانة: المعاملة {case_number} ({service}) في مرحلة «{state}» لدى {department} "
        "يقترب موعدها: {deadline}.",
        "Amanah: transaction {case_number} ({service}) at '{state}' in {department} is due "
        "soon: {deadline}.",
        "اقتراب موعد المعاملة {case_number}", "Transaction {case_number} due soon"),
    "sla.overdue": (
        "أمانة: المعاملة {case_number} ({service}) في مرحلة «{state}» لدى {department} "
        "تجاوزت موعدها ({deadline}).",
        "Amanah: transaction {case_number} ({service}) at '{state}' in {department} is "
        "overdue (was due {deadline}).",
        "المعاملة {case_number} متأخرة", "Transaction {case_number} is overdue"),
}


def default_texts(event: str, channel: str) -> dict[str, str] | None:
    """The fields of an event's default template on `channel`, or None for no such event."""
    if event not in DEFAULT_TEXTS:
        return None
    body_ar, body_en, subject_ar, subject_en = DEFAULT_TEXTS[event]
    if channel == "sms":
        return {"subject_ar": "", "subject_en": "", "body_ar": body_ar, "body_en": body_en}
    return {"subject_ar": subject_ar, "subject_en": subject_en,
            "body_ar": body_ar.removeprefix("أمانة: "),
            "body_en": body_en.removeprefix("Amanah: ")}
