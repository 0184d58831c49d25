"""HTML forms of the workflow pages: the shape of the input only. Business rules (who may,
from which state, what is required by the definition) are the services' to say."""

from django import forms
from django.core.validators import slug_re
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amanah.uploads import CASE_DOCUMENT_POLICY

from .enums import SlaStatus
from .selectors import QUEUE_SCOPES

MAX_TEXT = 4000


class QueueFilterForm(forms.Form):
    """Filters of a department queue. Unknown values are dropped, never an error page."""

    scope = forms.ChoiceField(label=_("Show"), required=False,
                              choices=[("all", _("All")), ("unassigned", _("Unassigned")),
                                       ("mine", _("Assigned to me"))])
    state = forms.ChoiceField(label=_("Step"), required=False)
    sla_status = forms.ChoiceField(label=_("Deadline"), required=False,
                                   choices=[("", _("Any")), *SlaStatus.choices])
    assignee = forms.TypedChoiceField(label=_("Assignee"), required=False, coerce=int,
                                      empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *, states, assignees, kinds):
        super().__init__(data)
        self.fields["state"].choices = [("", _("Any")), *states]
        self.fields["assignee"].choices = [("", _("Anyone")), *assignees]
        self.fields["kind"].choices = [("", _("Any")), *kinds]

    def filters(self) -> dict:
        """Only the valid filters, so a tampered query string narrows nothing by surprise."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields
                if name not in self.errors}
        scope = data.get("scope") if data.get("scope") in QUEUE_SCOPES else "all"
        return {"scope": scope, "state_code": data.get("state") or None,
                "sla_status": data.get("sla_status") or None,
                "assignee_id": data.get("assignee") or None, "kind": data.get("kind") or None,
                "page": data.get("page") or 1}


class _VersionedForm(forms.Form):
    """The case's row version the user was looking at: acting on a stale page is a conflict."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _document_help() -> str:
    return CASE_DOCUMENT_POLICY.describe("ar" if _is_ar() else "en")


def document_field(label) -> forms.FileField:
    """A case document's file field. Empty files reach the upload service, which refuses them
    saying what is allowed; the `accept` list only helps the browser's file picker."""
    return forms.FileField(label=label, required=False, allow_empty_file=True,
                           help_text=lazy(_document_help, str)(),
                           widget=forms.FileInput(
                               attrs={"accept": CASE_DOCUMENT_POLICY.accept}))


def internal_note_field(*, required: bool = False, label=None) -> forms.CharField:
    return forms.CharField(label=label or _("Internal note (staff only)"), required=required,
                           max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))


def message_field() -> forms.CharField:
    return forms.CharField(label=_("Message to the applicant"), required=False,
                           max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}))


class TransitionForm(_VersionedForm):
    action = forms.SlugField(widget=forms.HiddenInput, max_length=64)
    # What the applicant is told (and, from staff, sent by SMS); an applicant's own comment.
    comment = forms.CharField(label=_("Comment"), required=False, max_length=MAX_TEXT,
                              widget=forms.Textarea(attrs={"rows": 3}))
    internal_note = internal_note_field()
    document = document_field(_("Document"))


class _StaffTextsForm(_VersionedForm):
    internal_note = internal_note_field()
    message = message_field()


class ClaimForm(_StaffTextsForm):
    pass


class AssignForm(_StaffTextsForm):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False,
                                      empty_value=None)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody (back to the queue)")),
                                           *[(u.pk, u.get_full_name() or u.username)
                                             for u in users]]


class TransferForm(_VersionedForm):
    department = forms.ChoiceField(label=_("Transfer to department"))
    # Required by the service, which says so next to the field in its own words.
    note = internal_note_field(label=_("Why it is transferred (internal note, staff only)"))
    message = message_field()

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.code, d.name_ar if _is_ar() else d.name_en)
                                             for d in departments]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    is_internal = forms.BooleanField(label=_("Internal (staff only)"), required=False)


class AttachmentForm(forms.Form):
    document = document_field(_("Document"))
    is_internal = forms.BooleanField(label=_("Internal (staff only)"), required=False)
    # The document this upload corrects, if any; whether it may be corrected is the service's.
    replaces = forms.IntegerField(label=_("This is a corrected version of"), required=False,
                                  min_value=1)


class StatusCheckForm(forms.Form):
    number = forms.CharField(label=_("Transaction number"), max_length=32,
                             widget=forms.TextInput(attrs={"dir": "ltr",
                                                           "autocomplete": "off",
                                                           "placeholder": "KHB-1448-000123"}))
    national_id = forms.CharField(label=_("National ID or iqama number of the applicant"),
                                  max_length=20,
                                  widget=forms.TextInput(attrs={"dir": "ltr",
                                                                "inputmode": "numeric",
                                                                "autocomplete": "off"}))


class _KindField(forms.ChoiceField):
    """Offers the kinds the person may submit, but accepts any well-formed code: whether a kind
    may be started there is the service's to say (with its reason), not "invalid choice"."""

    def valid_value(self, value) -> bool:
        return len(str(value)) <= 64 and bool(slug_re.fullmatch(str(value)))


class CaseSubmitForm(forms.Form):
    kind = _KindField(label=_("Kind of transaction"))
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(label=_("Details"), required=False, max_length=MAX_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    document = document_field(_("Supporting document"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)


def _is_ar() -> bool:
    return not (get_language() or "ar").startswith("en")
