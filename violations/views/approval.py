"""Pages of the approval part: the approver's queue (fines of my municipality awaiting
approval, oldest first, with their evidence, items and computed fines), the decision on one
notice (through its workflow case), the staff view of an evidence photo, the notice's PDF, and
the public verification page its QR code opens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from amanah.errors import DomainError
from amanah.ratelimits import limit_check, rate_limited_page

from .. import selectors_approval as selectors
from ..enums import LineStatus, ViolationStatus

PAGE_SIZE = 20
APPROVE, NOT_CONFIRM = "approve", "not_confirm"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=[
        (APPROVE, gettext_lazy("Approve the fine")),
        (NOT_CONFIRM, gettext_lazy("Do not confirm the fine"))], widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == NOT_CONFIRM and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the fine is not confirmed."))
        return data


@login_required
@require_GET
def approval_queue(request):
    notices = selectors.approval_queue_for(user=request.user)
    if notices is None:
        raise Http404
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "violations/approval/queue.html", {"page": page})


def _decide(request, notice, form) -> DomainError | None:
    from workflow.services.cases import case_transition

    from ..services.approval import violation_approve, violation_not_confirm

    decision = form.cleaned_data["decision"]
    comment = form.cleaned_data["comment"].strip() or (
        "اعتُمدت المخالفة — Fine approved" if decision == APPROVE else "")
    try:
        if notice.approval_case_id is not None:
            # The case's role check admits only the head of this municipality's inspection;
            # its effect schedules the decision task that bills and sends the notice.
            case_transition(case_id=notice.approval_case_id, action=decision,
                            actor=request.user, comment=comment)
        elif decision == APPROVE:
            violation_approve(violation_id=notice.pk, actor=request.user)
        else:
            violation_not_confirm(violation_id=notice.pk, actor=request.user, reason=comment)
    except DomainError as refusal:
        return refusal
    return None


@login_required
@require_http_methods(["GET", "POST"])
def approval_notice(request, number: str):
    notice = selectors.approval_notice_get(user=request.user, number=number)
    if notice is None:
        raise Http404
    form = DecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if notice.status != ViolationStatus.PENDING_APPROVAL:
            form.add_error(None, _("This fine was decided already."))
            status = 409
        elif not form.is_valid():
            status = 400
        else:
            refusal = _decide(request, notice, form)
            if refusal is None:
                messages.success(request, _(
                    "Decision recorded. An approved fine is billed and its notice sent "
                    "within a few minutes."))
                return redirect("violations:approvals")
            form.add_error("comment" if refusal.field == "comment" else None, refusal.message)
            status = refusal.status
    no_payer = (notice.status != ViolationStatus.PENDING_APPROVAL
                and not (notice.person_id or notice.establishment_id)
                and any(line.status == LineStatus.PAYABLE and line.bill_id is None
                        for line in notice.lines.all()))
    return render(request, "violations/approval/notice.html",
                  {"notice": notice, "form": form, "no_payer": no_payer}, status=status)


@login_required
@require_GET
def evidence_photo(request, photo_id: int):
    photo = selectors.evidence_photo_for_staff(user=request.user, photo_id=photo_id)
    if photo is None:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def notice_pdf(request, number: str):
    notice = selectors.notice_pdf_for(user=request.user, number=number)
    if notice is None:
        raise Http404
    response = FileResponse(notice.notice_pdf.open("rb"), content_type="application/pdf",
                            filename=f"{notice.number}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def notice_verify(request, token: str):
    """Public (no sign-in): is this notice genuine, and is it paid? Nothing personal."""
    wait = limit_check(request, "permit_verify", every_request=True)
    if wait is not None:
        return rate_limited_page(request, wait)
    found = selectors.notice_verification_get(token=token)
    return render(request, "violations/approval/verify.html", {"v": found},
                  status=200 if found else 404)
