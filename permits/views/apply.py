"""Pages of the permits app: applying (part APPLY).

Start an application, answer its form one step per page (saved as a draft each time), the
parcel, the documents, the fee preview, the review page and submitting; "My applications" and
the page each party of an application reads. Every page finds the application through
`application_get_for` (404 for anyone who is not a party, whatever reference they guess);
pages that change a draft are for the filer's side only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amanah.errors import Conflict, DomainError
from amanah.navigation import nav_register
from amanah.permissions import is_citizen, person_for_user
from amanah.uploads import KNOWN_TYPES, download_name, upload_refusal

from ..apply_selectors import (
    application_decision_links,
    application_document_get,
    application_list_for_party,
    application_page_get,
    municipality_by_code,
    permit_type_for_apply,
    startable_permit_rollouts,
)
from ..enums import ApplicationStatus, FeeStage, FiledBy, OfficeKind
from ..forms import (
    DocumentUploadForm,
    StartForm,
    StepForm,
    answer_display,
    document_is_shown,
    field_label,
    steps_shown,
    visible_keys,
)
from ..licences.apply import (
    EstablishmentChoiceField,
    establishments_for_start,
    licence_review_context,
)
from ..models import PermitTypeDocument
from ..selectors import application_get_for
from ..services.drafts import (
    AnswersInvalid,
    application_answers_save,
    application_document_upload,
    application_draft_create,
    application_withdraw,
    document_policy,
    offices_of,
)
from ..services.fees import (
    NEW_APPLICATION_STAGES,
    application_activities,
    fee_preview,
    fee_total,
)
from ..services.parties import application_is_filer_side
from ..services.submission import (
    SubmissionRefused,
    application_submission_refusals,
    application_submit,
)

PAGE_SIZE = 20
# Pages of part PARTIES this journey hands over to (the parcel, the owner's consent, adding
# a party). Linked when they exist; until then the page says what is left to do there.
PARTIES_PARCEL_URL = "permits:application_parcel"
PARTIES_CONSENT_URL = "permits:application_consent"
PARTIES_PARTIES_URL = "permits:application_parties"


def _language() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _forbidden(request):
    return render(request, "amanah/forbidden.html", status=403)


def _application_or_404(request, reference: str):
    application = application_get_for(request.user, reference[:16])
    if application is None:
        raise Http404
    return application


# --- The journey of a draft -------------------------------------------------------------------


def journey(application, permit_type) -> list[dict]:
    """The pages of a draft, in order: the form's steps that have questions to show, then the
    parcel, the documents, the fees and the review."""
    fields = list(permit_type.fields.all())
    reference = application.reference
    # A licence's activities come first: they decide the checks, documents, fees and path.
    pages = [{"key": "activities", "label": _("Activities"),
              "url": reverse("permits:apply_activities", args=[reference])}
             ] if permit_type.uses_activities else []
    pages += [{"key": f"step-{step}", "step": step,
              "label": _("Questions (%(step)s)") % {"step": index},
              "url": reverse("permits:apply_step", args=[reference, step])}
             for index, step in enumerate(steps_shown(fields, application.answers or {}),
                                          start=1)]
    pages += [
        {"key": "parcel", "label": _("Parcel"),
         "url": reverse("permits:apply_parcel", args=[reference])},
        {"key": "documents", "label": _("Documents"),
         "url": reverse("permits:apply_documents", args=[reference])},
        {"key": "fees", "label": _("Fees"),
         "url": reverse("permits:apply_fees", args=[reference])},
        {"key": "review", "label": _("Review and submit"),
         "url": reverse("permits:apply_review", args=[reference])},
    ]
    for number, page in enumerate(pages, start=1):
        page["number"] = number
    return pages


def _progress(pages: list[dict], key: str) -> dict:
    index = next(i for i, page in enumerate(pages) if page["key"] == key)
    return {"pages": pages, "current": pages[index], "number": index + 1, "total": len(pages),
            "previous": pages[index - 1] if index else None,
            "next": pages[index + 1] if index + 1 < len(pages) else None}


def _draft_for_edit(request, reference: str):
    """(application, type, None) for the filer's side of a draft; else (None, None, response):
    403 for another party, the application's page once it is no longer a draft."""
    application = _application_or_404(request, reference)
    if not application_is_filer_side(application, request.user):
        return None, None, _forbidden(request)
    if application.status != ApplicationStatus.DRAFT:
        messages.info(request, _("This application was submitted and can no longer be "
                                 "changed here."))
        return None, None, redirect("permits:application", application.reference)
    return application, permit_type_for_apply(permit_type_id=application.permit_type_id), None


def _expected_version(request) -> int | None:
    try:
        value = int(request.POST.get("expected_version", ""))
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


def _refusal_message(request, error: DomainError) -> None:
    messages.error(request, error.message)


# --- Start ------------------------------------------------------------------------------------


def _start_choices(user):
    rollouts = startable_permit_rollouts(user=user)
    types, municipalities = {}, {}
    for rollout in rollouts:
        permit_type = rollout.eservice.permit_type
        types.setdefault(permit_type.code, permit_type)
        municipalities.setdefault(rollout.municipality.code, rollout.municipality)
    return rollouts, types, municipalities


@login_required
@require_http_methods(["GET", "POST"])
def apply_start(request):
    """Choose a service and the municipality where its rollout lets this person start it; an
    office's person names the owner by national ID (and the office, if they work for several)."""
    person = person_for_user(request.user)
    if person is None:
        return _forbidden(request)
    language = _language()
    rollouts, types, municipalities = _start_choices(request.user)
    offices = offices_of(person)
    office_choices = [(str(o.pk), f"{o.establishment.name(language)} ({o.licence_number})")
                      for o in offices]
    initial = {"municipality": person.municipality.code if person.municipality else None,
               "permit_type": request.GET.get("type")}
    establishments = establishments_for_start(person)
    form = StartForm(
        request.POST or None,
        types=[(code, t.name(language) or t.name_ar) for code, t in types.items()],
        municipalities=[(code, m.name(language) or m.name_ar)
                        for code, m in municipalities.items()],
        offices=office_choices if len(office_choices) > 1 else [], initial=initial)
    if len(establishments) > 1:
        # Only asked when it is a choice: with one establishment the service takes it.
        form.fields["establishment"] = EstablishmentChoiceField(establishments, language)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            municipality = municipality_by_code(data["municipality"])
            chosen = types.get(data["permit_type"])
            by_establishment = ({"establishment_id": int(data["establishment"])}
                                if data.get("establishment") and chosen is not None
                                and chosen.filed_by == FiledBy.ESTABLISHMENT else {})
            try:
                application = application_draft_create(
                    user=request.user, permit_type_code=data["permit_type"],
                    municipality=municipality,
                    on_behalf_of_owner_id=data.get("owner_national_id") or None,
                    office_id=int(data["office"]) if data.get("office") else None,
                    **by_establishment)
            except DomainError as refused:
                form.add_error(refused.field if refused.field in form.fields else None,
                               refused.message)
            else:
                messages.success(request, _("Your draft %(reference)s was started. It is "
                                            "saved at each step.")
                                 % {"reference": application.reference})
                permit_type = permit_type_for_apply(permit_type_id=application.permit_type_id)
                return redirect(journey(application, permit_type)[0]["url"])
    office_kinds = {o.kind for o in offices}
    return render(request, "permits/apply/start.html", {
        "form": form, "types": list(types.values()), "has_services": bool(rollouts),
        "is_office": bool(office_kinds),
        "office_filed": [t.code for t in types.values() if t.filed_by != FiledBy.OWNER],
        "is_contractor": OfficeKind.CONTRACTOR in office_kinds,
        "establishment_filed": [t.code for t in types.values()
                                if t.filed_by == FiledBy.ESTABLISHMENT]}, status=status)


# --- Form steps -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply_step(request, reference: str, step: int):
    application, permit_type, response = _draft_for_edit(request, reference)
    if response is not None:
        return response
    fields = list(permit_type.fields.all())
    pages = journey(application, permit_type)
    if f"step-{step}" not in {p["key"] for p in pages}:
        raise Http404
    form = StepForm(request.POST or None, fields=fields, step=step,
                    answers=application.answers or {}, language=_language())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                application = application_answers_save(
                    application_id=application.pk, user=request.user, step=step,
                    data={key: request.POST.get(key) for key in form.fields},
                    expected_version=_expected_version(request))
            except AnswersInvalid as invalid:
                for error in invalid.errors:
                    form.add_error(error.field if error.field in form.fields else None,
                                   error.message())
            except Conflict as conflict:
                _refusal_message(request, conflict)
                status = 409
            else:
                # The answers may have shown or hidden a later step: the journey is re-read.
                pages = journey(application, permit_type)
                progress = _progress(pages, f"step-{step}")
                if request.POST.get("go") == "stay" or progress["next"] is None:
                    messages.success(request, _("Your answers were saved."))
                    return redirect(progress["current"]["url"])
                return redirect(progress["next"]["url"])
    return render(request, "permits/apply/step.html", {
        "application": application, "permit_type": permit_type, "form": form,
        "progress": _progress(pages, f"step-{step}")}, status=status)


# --- Parcel -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def apply_parcel(request, reference: str):
    application, permit_type, response = _draft_for_edit(request, reference)
    if response is not None:
        return response
    return render(request, "permits/apply/parcel.html", {
        "application": application, "permit_type": permit_type,
        "parcel_url": _url(PARTIES_PARCEL_URL, application.reference),
        "progress": _progress(journey(application, permit_type), "parcel")})


# --- Documents --------------------------------------------------------------------------------


def _document_rows(application, permit_type, *, errors: dict) -> list[dict]:
    fields = list(permit_type.fields.all())
    answers = application.answers or {}
    visible = visible_keys(fields, answers)
    current = {d.kind: d for d in application.documents.filter(superseded_at__isnull=True)}
    language = _language()
    rows = []
    if permit_type.uses_activities:
        # A licence also wants the documents its activities name (part A's selector).
        from ..apply_selectors import application_documents_wanted

        documents = application_documents_wanted(application)
    else:
        documents = permit_type.documents.all()
    for document in documents:
        # Only the type's own documents can be conditional on an answer.
        if isinstance(document, PermitTypeDocument) and not document_is_shown(
                document, fields, answers, visible):
            continue
        try:
            policy = document_policy(document)
        except DomainError:
            policy = None
        rows.append({
            "document": document, "name": document.name(language),
            "help": document.help_en if language == "en" else document.help_ar,
            "allowed": policy.allowed(language) if policy else "",
            "accept": policy.accept if policy else "",
            "current": current.get(document.kind), "error": errors.get(document.kind),
            "form": DocumentUploadForm(initial={"kind": document.kind},
                                       auto_id=f"id_{document.kind}_%s"),
        })
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def apply_documents(request, reference: str):
    application, permit_type, response = _draft_for_edit(request, reference)
    if response is not None:
        return response
    errors: dict = {}
    status = 200
    if request.method == "POST":
        kind = (request.POST.get("kind") or "")[:40]
        refusal = upload_refusal(request)
        form = DocumentUploadForm(request.POST, request.FILES)
        try:
            if refusal is not None:
                raise refusal
            if not form.is_valid():
                raise DomainError("permits.document_required",
                                  "اختر الملف الذي ترفعه.", "Choose the file to upload.",
                                  field="file")
            application_document_upload(application_id=application.pk, user=request.user,
                                        kind=form.cleaned_data["kind"],
                                        file=form.cleaned_data["file"],
                                        expected_version=_expected_version(request))
        except DomainError as refused:
            errors[kind] = refused.message
            status = refused.status if refused.status != 404 else 400
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect("permits:apply_documents", application.reference)
        application.refresh_from_db()
    return render(request, "permits/apply/documents.html", {
        "application": application, "permit_type": permit_type,
        "rows": _document_rows(application, permit_type, errors=errors),
        "progress": _progress(journey(application, permit_type), "documents")},
        status=status)


# --- Fees and review --------------------------------------------------------------------------


def _fee_context(application, permit_type) -> dict:
    # A licence is priced under its activities' tariffs, and bills its signage with it.
    by_activities = ({"activities": application_activities(application)}
                     if permit_type.uses_activities else {})
    stages = ((*NEW_APPLICATION_STAGES, FeeStage.SIGNAGE) if permit_type.uses_activities
              else NEW_APPLICATION_STAGES)
    lines = fee_preview(permit_type=permit_type, municipality=application.municipality,
                        answers=application.answers or {}, stages=stages, **by_activities)
    return {"fee_lines": lines, "fee_total": fee_total(lines)}


@login_required
@require_http_methods(["GET"])
def apply_fees(request, reference: str):
    application, permit_type, response = _draft_for_edit(request, reference)
    if response is not None:
        return response
    return render(request, "permits/apply/fees.html", {
        "application": application, "permit_type": permit_type,
        **_fee_context(application, permit_type),
        "progress": _progress(journey(application, permit_type), "fees")})


def answer_sections(application, fields, *, with_links: bool) -> list[dict]:
    """The answers, step by step, as the review page and the application page show them."""
    answers = application.answers or {}
    visible = visible_keys(fields, answers)
    language = _language()
    sections = []
    for index, step in enumerate(steps_shown(fields, answers), start=1):
        rows = [{"label": field_label(f, language),
                 "value": answer_display(f, answers.get(f.key), language)}
                for f in fields if f.step == step and f.key in visible]
        sections.append({"number": index, "rows": rows,
                         "url": reverse("permits:apply_step", args=[application.reference, step])
                         if with_links else None})
    return sections


def _declaration_refused(refusals) -> str:
    """The message of a refusal for the missing declaration, shown next to its checkbox."""
    return next((r.reason() for r in refusals or () if r.field == "declaration"), "")


@login_required
@require_http_methods(["GET", "POST"])
def apply_review(request, reference: str):
    """Everything on one page with links to change it; submitting refuses with every reason."""
    application, permit_type, response = _draft_for_edit(request, reference)
    if response is not None:
        return response
    status, submitted_refusals = 200, None
    if request.method == "POST":
        declared = ({"declaration_accepted": request.POST.get("declaration") == "yes"}
                    if permit_type.uses_activities else {})
        try:
            application = application_submit(application_id=application.pk, user=request.user,
                                             expected_version=_expected_version(request),
                                             **declared)
        except SubmissionRefused as refused:
            submitted_refusals, status = refused.refusals, 400
        except Conflict as conflict:
            if conflict.code == "permits.already_submitted":
                return redirect("permits:application", application.reference)
            _refusal_message(request, conflict)
            status = 409
        except DomainError as refused:
            _refusal_message(request, refused)
            status = refused.status if refused.status != 404 else 400
        else:
            if application.status == ApplicationStatus.AWAITING_CONSENT:
                messages.success(request, _("Sent to the owner for consent. It goes to the "
                                            "municipality once the owner consents."))
            elif application.case is None:
                messages.success(request, _("Your licence is issued as soon as you pay the "
                                            "bill shown on this page."))
            else:
                messages.success(request, _("Your application was submitted to the "
                                            "municipality: transaction %(number)s.")
                                 % {"number": application.case.number})
            return redirect("permits:application", application.reference)
    refusals = (submitted_refusals if submitted_refusals is not None
                else application_submission_refusals(application, request.user))
    page = application_page_get(application=application)
    return render(request, "permits/apply/review.html", {
        "application": application, "permit_type": permit_type, "page": page,
        "sections": answer_sections(application, page.fields, with_links=True),
        "refusals": refusals, "tried": submitted_refusals is not None,
        "needs_consent": permit_type.owner_consent_required and not (
            person_for_user(request.user) is not None
            and person_for_user(request.user).pk == application.owner_person_id),
        "parcel_url": reverse("permits:apply_parcel", args=[application.reference]),
        "documents_url": reverse("permits:apply_documents", args=[application.reference]),
        "parties_url": _url(PARTIES_PARTIES_URL, application.reference),
        **_fee_context(application, permit_type),
        **licence_review_context(application, permit_type,
                                 declaration_refused=_declaration_refused(submitted_refusals)),
        "progress": _progress(journey(application, permit_type), "review")}, status=status)


@login_required
@require_POST
def apply_withdraw(request, reference: str):
    application = _application_or_404(request, reference)
    try:
        application_withdraw(application_id=application.pk, user=request.user,
                             reason=(request.POST.get("reason") or "")[:1000],
                             expected_version=_expected_version(request))
    except DomainError as refused:
        if refused.status == 403:
            return _forbidden(request)
        _refusal_message(request, refused)
    else:
        messages.success(request, _("The application was withdrawn."))
    return redirect("permits:application", application.reference)


# --- My applications, and an application's page ----------------------------------------------


@login_required
def my_applications(request):
    applications = application_list_for_party(user=request.user)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "permits/apply/my_applications.html", {
        "page": page, "applications": list(page.object_list),
        "may_start": person_for_user(request.user) is not None})


def _is_case_applicant(application, user) -> bool:
    """The case page (the transaction's timeline) opens for its applicant and submitter."""
    case = application.case
    if case is None:
        return False
    person = person_for_user(user)
    return case.submitted_by_id == user.pk or (person is not None
                                               and case.applicant_person_id == person.pk)


def _continue_url(pages: list[dict], last_step: int) -> str | None:
    """Where a filer picks a draft up again: the page after the last step saved."""
    if not pages:
        return None
    keys = [page["key"] for page in pages]
    if f"step-{last_step}" in keys:
        return pages[min(keys.index(f"step-{last_step}") + 1, len(pages) - 1)]["url"]
    return pages[0]["url"]


@login_required
def application_page(request, reference: str):
    """What every party reads: status, the transaction, fees with their SADAD numbers,
    documents, parties, parcel and answers."""
    application = _application_or_404(request, reference)
    page = application_page_get(application=application)
    person = person_for_user(request.user)
    is_filer = application_is_filer_side(application, request.user)
    is_owner = person is not None and person.pk == application.owner_person_id
    pages = (journey(application, permit_type_for_apply(
        permit_type_id=application.permit_type_id))
        if is_filer and application.status == ApplicationStatus.DRAFT else [])
    return render(request, "permits/apply/application.html", {
        "application": application, "page": page,
        "sections": answer_sections(application, page.fields, with_links=False),
        "is_filer": is_filer, "is_owner": is_owner,
        "continue_url": _continue_url(pages, application.last_step),
        "case_url": (reverse("workflow:my_case", args=[application.case_id])
                     if _is_case_applicant(application, request.user) else None),
        "consent_url": _url(PARTIES_CONSENT_URL, application.reference),
        "decision": application_decision_links(application=application, user=request.user),
        "may_withdraw": is_filer and application.status in (
            ApplicationStatus.DRAFT, ApplicationStatus.AWAITING_CONSENT),
        "timeline": [(event, ApplicationStatus(event.to_status).label
                      if event.kind == "status_changed" and event.to_status
                      in ApplicationStatus.values else event.get_kind_display())
                     for event in page.events],
    })


@login_required
def application_document(request, reference: str, document_id: int):
    """A document of the application, to its parties (and the municipality's staff), never a
    public media URL; always a download."""
    application = _application_or_404(request, reference)
    document = application_document_get(application=application, document_id=document_id)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    checked = document.content_type in KNOWN_TYPES
    response = FileResponse(handle, as_attachment=True,
                            filename=download_name(document.original_name,
                                                   document.content_type),
                            content_type=document.content_type if checked
                            else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def apply_menu_register() -> None:
    """The menu entry "My applications" (called from PermitsConfig.ready())."""
    nav_register(url_name="permits:my_applications", label=gettext_lazy("My applications"),
                 audience=lambda request: is_citizen(request.user), order=25)


urlpatterns = [
    path("apply/", apply_start, name="apply_start"),
    path("applications/", my_applications, name="my_applications"),
    path("applications/<str:reference>/", application_page, name="application"),
    path("applications/<str:reference>/steps/<int:step>/", apply_step, name="apply_step"),
    path("applications/<str:reference>/parcel/", apply_parcel, name="apply_parcel"),
    path("applications/<str:reference>/documents/", apply_documents, name="apply_documents"),
    path("applications/<str:reference>/documents/<int:document_id>/", application_document,
         name="application_document"),
    path("applications/<str:reference>/fees/", apply_fees, name="apply_fees"),
    path("applications/<str:reference>/review/", apply_review, name="apply_review"),
    path("applications/<str:reference>/withdraw/", apply_withdraw, name="apply_withdraw"),
]
