"""A department's queue as CSV or XLSX: every case its page lists with the same filters, in
the queue's order, for the same people (the department's members and admins)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import get_language

from amanah.dates import business_date
from amanah.exports import Column, choice_labels, export_list, hijri_iso, rows_of

from .. import selectors
from ..enums import SlaStatus
from .common import forbidden
from .queue import queue_filter_form, queue_is_readable

QUEUE_FIELDS = ("number", "subject", "definition__name_ar", "definition__name_en",
                "applicant_person__name_ar", "applicant_person__name_en",
                "applicant_establishment__name_ar", "applicant_establishment__name_en",
                "state__name_ar", "state__name_en", "assignee__first_name",
                "assignee__last_name", "assignee__username", "sla_status", "state_due_at",
                "submitted_at")


def _localized(row: dict, prefix: str, language: str) -> str:
    return row[f"{prefix}_{language}"] or row[f"{prefix}_ar"] or ""


def _applicant(row: dict, language: str) -> str:
    if row["applicant_establishment__name_ar"] is not None:
        return _localized(row, "applicant_establishment__name", language)
    if row["applicant_person__name_ar"] is not None:
        return _localized(row, "applicant_person__name", language)
    return ""


def _assignee(row: dict) -> str:
    full = f"{row['assignee__first_name'] or ''} {row['assignee__last_name'] or ''}".strip()
    return full or row["assignee__username"] or ""


def queue_columns(language: str) -> list[Column]:
    # The page says "on time" for a case with no deadline status yet; so does the file.
    sla = {**choice_labels(SlaStatus.choices),
           None: "On time" if language == "en" else "في الوقت",
           "": "On time" if language == "en" else "في الوقت"}
    sla[SlaStatus.ON_TRACK] = sla[None]
    return [
        Column("number", "رقم المعاملة", "Number", lambda r: r["number"]),
        Column("subject", "الموضوع", "Subject", lambda r: r["subject"]),
        Column("kind", "النوع", "Kind", lambda r: _localized(r, "definition__name", language)),
        Column("applicant", "مقدم الطلب", "Applicant", lambda r: _applicant(r, language)),
        Column("step", "الخطوة", "Step", lambda r: _localized(r, "state__name", language)),
        Column("assignee", "المكلَّف", "Assignee", _assignee),
        Column("deadline", "المهلة", "Deadline", lambda r: sla.get(r["sla_status"], "")),
        Column("step_due", "موعد الخطوة", "Step due", lambda r: r["state_due_at"], "datetime"),
        Column("step_due_hijri", "موعد الخطوة (هجري)", "Step due (Hijri)",
               lambda r: hijri_iso(business_date(r["state_due_at"]))
               if r["state_due_at"] else ""),
        Column("submitted_at", "وقت التقديم", "Submitted at", lambda r: r["submitted_at"],
               "datetime"),
    ]


@login_required
def export_queue(request, department_id: int, file_format: str):
    if file_format not in ("csv", "xlsx"):
        raise Http404
    department = selectors.department_get(department_id=department_id)
    if department is None:
        raise Http404
    if not queue_is_readable(request.user, department):
        return forbidden(request)
    filters = queue_filter_form(request, department).filters()
    filters.pop("page")
    cases = selectors.case_queue_queryset(department=department, user=request.user, **filters)
    language = (get_language() or "ar")[:2]
    return export_list(user=request.user, list_name="queue",
                       filters={"department": department.pk, **filters},
                       rows=rows_of(cases.values(*QUEUE_FIELDS)),
                       columns=queue_columns(language),
                       filename_stem=f"queue-{department.code}", format=file_format,
                       language=language)
