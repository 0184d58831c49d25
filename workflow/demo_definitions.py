"""The two Amanah-wide demo procedures, in the export format (`definition_import` loads them).

general_correspondence: customer service takes the letter in, refers it (إحالة) to the competent
department where needed, whose reviewer or head answers it; it can go back to the applicant.
complaint: customer service triages, field inspection resolves or finds it unsubstantiated.
Each serves the catalogue's e-service of the same code, whose rollout decides where it starts.
"""

from .services.definitions import EXPORT_FORMAT

STAFF_DEPARTMENTS = ["licensing", "engineering", "inspection", "legal", "finance"]


def _state(code, name_ar, name_en, category, department, *, sla=None, start=False,
           transfer=()):
    return {"code": code, "name_ar": name_ar, "name_en": name_en, "category": category,
            "department_code": department, "sla_hours": sla, "is_start": start,
            "transfer_department_codes": list(transfer)}


def _move(action, name_ar, name_en, source, target, roles, *, comment=False, document=False,
          guards=(), effects=()):
    return {"action": action, "name_ar": name_ar, "name_en": name_en, "from": source,
            "to": target, "allowed_roles": list(roles), "comment_required": comment,
            "document_required": document, "guards": list(guards), "effects": list(effects)}


STAFF_DECIDERS = ["reviewer", "head"]
STAFF_HANDLERS = ["clerk", "reviewer", "head"]

GENERAL_CORRESPONDENCE = {
    "format": EXPORT_FORMAT,
    "code": "general_correspondence",
    "eservice": "general_correspondence",
    "name_ar": "المراسلات العامة",
    "name_en": "General correspondence",
    "description_ar": "خطاب أو طلب إلى إحدى إدارات البلدية تتم دراسته والإفادة عنه.",
    "description_en": "A letter or request to a municipal department, studied and answered.",
    "case_prefix": "",
    "sla_hours": 35,  # five working days
    "states": [
        _state("submitted", "مقدمة", "Submitted", "submitted", "customer_service", sla=4,
               start=True),
        _state("in_review", "قيد الدراسة", "In review", "in_review", "customer_service", sla=21,
               transfer=["customer_service", *STAFF_DEPARTMENTS]),
        _state("awaiting_applicant", "بانتظار استكمال مقدم الطلب", "Awaiting the applicant",
               "awaiting_applicant", "customer_service"),
        _state("answered", "تمت الإفادة", "Answered", "approved", "customer_service"),
        _state("rejected", "مرفوضة", "Rejected", "rejected", "customer_service"),
        _state("cancelled", "ملغاة", "Cancelled", "cancelled", "customer_service"),
    ],
    "transitions": [
        _move("route", "توجيه آلي", "Route", "submitted", "in_review", ["system"]),
        _move("withdraw", "سحب الطلب", "Withdraw", "submitted", "cancelled", ["applicant"]),
        _move("answer", "الإفادة والاعتماد", "Answer and approve", "in_review", "answered",
              STAFF_DECIDERS, comment=True, effects=["notify_applicant"]),
        _move("reject", "رفض", "Reject", "in_review", "rejected", STAFF_DECIDERS, comment=True,
              effects=["notify_applicant"]),
        _move("return_to_applicant", "إعادة لمقدم الطلب للاستكمال",
              "Return to the applicant for correction", "in_review", "awaiting_applicant",
              STAFF_HANDLERS, comment=True, effects=["notify_applicant"]),
        _move("withdraw", "سحب الطلب", "Withdraw", "in_review", "cancelled", ["applicant"]),
        _move("resubmit", "إعادة التقديم بعد الاستكمال", "Resubmit after correction",
              "awaiting_applicant", "in_review", ["applicant"], comment=True),
        _move("withdraw", "سحب الطلب", "Withdraw", "awaiting_applicant", "cancelled",
              ["applicant"]),
    ],
}

COMPLAINT = {
    "format": EXPORT_FORMAT,
    "code": "complaint",
    "eservice": "complaint",
    "name_ar": "بلاغ أو شكوى",
    "name_en": "Complaint",
    "description_ar": "بلاغ عن مشكلة في خدمة أو موقع، يفرز ثم يعالج ميدانيًا.",
    "description_en": "A report of a problem with a service or a place, triaged then handled "
                      "in the field.",
    "case_prefix": "",
    "sla_hours": 70,  # ten working days
    "states": [
        _state("submitted", "مقدم", "Submitted", "submitted", "customer_service", sla=4,
               start=True),
        _state("triage", "قيد الفرز", "Triage", "in_review", "customer_service", sla=7,
               transfer=["inspection", "engineering", "licensing"]),
        _state("inspection", "قيد المعالجة الميدانية", "Field inspection", "in_review",
               "inspection", sla=21, transfer=["engineering", "legal"]),
        _state("awaiting_applicant", "بانتظار معلومات من مقدم البلاغ",
               "Awaiting information from the applicant", "awaiting_applicant",
               "customer_service"),
        _state("resolved", "تمت المعالجة", "Resolved", "closed", "inspection"),
        _state("unsubstantiated", "لم يثبت البلاغ", "Not substantiated", "rejected",
               "inspection"),
        _state("cancelled", "ملغى", "Cancelled", "cancelled", "customer_service"),
    ],
    "transitions": [
        _move("route", "توجيه آلي", "Route", "submitted", "triage", ["system"]),
        _move("withdraw", "سحب البلاغ", "Withdraw", "submitted", "cancelled", ["applicant"]),
        _move("send_to_inspection", "إحالة للمعالجة الميدانية", "Send for field inspection",
              "triage", "inspection", ["clerk", "head"]),
        _move("request_information", "طلب معلومات من مقدم البلاغ",
              "Ask the applicant for information", "triage", "awaiting_applicant",
              ["clerk", "head"], comment=True, effects=["notify_applicant"]),
        _move("reject", "حفظ البلاغ لعدم الاختصاص", "Close as out of scope", "triage",
              "unsubstantiated", ["clerk", "head"], comment=True, effects=["notify_applicant"]),
        _move("withdraw", "سحب البلاغ", "Withdraw", "triage", "cancelled", ["applicant"]),
        _move("provide_information", "تزويد المعلومات المطلوبة", "Provide the information",
              "awaiting_applicant", "triage", ["applicant"], comment=True),
        _move("withdraw", "سحب البلاغ", "Withdraw", "awaiting_applicant", "cancelled",
              ["applicant"]),
        _move("resolve", "إثبات المعالجة", "Mark resolved", "inspection", "resolved",
              ["inspector", "head"], comment=True, effects=["notify_applicant"]),
        _move("unsubstantiated", "لم يثبت البلاغ", "Not substantiated", "inspection",
              "unsubstantiated", ["inspector", "head"], comment=True,
              effects=["notify_applicant"]),
        _move("back_to_triage", "إعادة للفرز", "Back to triage", "inspection", "triage",
              ["inspector", "head"], comment=True),
    ],
}

DEMO_DEFINITIONS = [GENERAL_CORRESPONDENCE, COMPLAINT]
