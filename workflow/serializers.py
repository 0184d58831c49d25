"""The API's answers about cases, one serializer per audience, over the presenters' objects
(`workflow/presenters.py`). The same classes write the answers and document them in the
OpenAPI schema, so the two cannot drift apart; the answer's `viewer` says which shape it is."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from .enums import ActorKind, SlaStatus, StatusCategory


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class BilingualNameSerializer(serializers.Serializer):
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class CaseStateSerializer(CodeNameSerializer):
    category = serializers.ChoiceField(choices=StatusCategory.choices)


class CaseDepartmentSerializer(CodeNameSerializer):
    municipality = serializers.CharField(help_text="Municipality code.")


# One value each: it tells a client (and a schema validator) which audience's shape it has.
@extend_schema_field({"type": "string", "enum": [ActorKind.APPLICANT.value],
                      "description": "The case as its applicant sees it."})
class _ApplicantViewerField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": [ActorKind.STAFF.value],
                      "description": "The case as staff of its department see it."})
class _StaffViewerField(serializers.CharField):
    pass


class CaseActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    to_category = serializers.ChoiceField(choices=StatusCategory.choices)
    comment_required = serializers.BooleanField()
    document_required = serializers.BooleanField()
    enabled = serializers.BooleanField()
    disabled_code = serializers.CharField(allow_null=True)
    disabled_reason_ar = serializers.CharField(allow_null=True)
    disabled_reason_en = serializers.CharField(allow_null=True)


# --- the applicant -------------------------------------------------------------------------


class ApplicantCaseEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField(
        help_text="`submitted`, `routed`, `transition`, `transferred`, `commented`, "
                  "`attachment_added`, or `message` (a message from the department).")
    by = serializers.ChoiceField(choices=ActorKind.choices,
                                 help_text="Who acted: the municipality (`staff`), the "
                                           "applicant's side, or the system.")
    department = CodeNameSerializer(allow_null=True,
                                    help_text="The department that acted (never a person).")
    action = CodeNameSerializer(allow_null=True, help_text="The action taken (transitions).")
    to_state = CodeNameSerializer(allow_null=True, help_text="The step it led to.")
    from_department = CodeNameSerializer(allow_null=True)
    to_department = CodeNameSerializer(allow_null=True)
    message = serializers.CharField(allow_blank=True,
                                    help_text="What the applicant is told (may be empty).")
    document = serializers.CharField(allow_blank=True,
                                     help_text="The document's name (document events).")
    document_version = serializers.IntegerField(allow_null=True)


class ApplicantCaseDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="1, or the version this correction makes.")


class ApplicantCaseSummarySerializer(serializers.Serializer):
    viewer = _ApplicantViewerField()
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="e.g. `KHB-1448-000123`.")
    kind = CodeNameSerializer(help_text="The procedure (case definition).")
    subject = serializers.CharField()
    state = CaseStateSerializer()
    category = serializers.ChoiceField(choices=StatusCategory.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="Expected completion.")
    closed_at = serializers.DateTimeField(allow_null=True)
    row_version = serializers.IntegerField(
        help_text="Send it back as `expected_version` to act only on what you saw.")


class ApplicantCaseSerializer(ApplicantCaseSummarySerializer):
    description = serializers.CharField(allow_blank=True)
    department = CodeNameSerializer(allow_null=True, help_text="The department that has it.")
    events = ApplicantCaseEventSerializer(many=True)
    attachments = ApplicantCaseDocumentSerializer(many=True)
    actions_available = CaseActionSerializer(many=True)


# --- staff ---------------------------------------------------------------------------------


class StaffCaseEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    action = serializers.CharField(allow_blank=True)
    transition = CodeNameSerializer(allow_null=True, help_text="The action's names.")
    actor = serializers.CharField(allow_null=True, help_text="Username.")
    actor_name = serializers.CharField(allow_blank=True)
    actor_kind = serializers.ChoiceField(choices=ActorKind.choices)
    actor_role = serializers.CharField(allow_blank=True)
    department = CodeNameSerializer(allow_null=True, help_text="The actor's department.")
    from_state = CodeNameSerializer(allow_null=True)
    to_state = CodeNameSerializer(allow_null=True)
    from_department = CodeNameSerializer(allow_null=True)
    to_department = CodeNameSerializer(allow_null=True)
    assignee = serializers.CharField(allow_null=True,
                                     help_text="Username given the case (claims, assignments).")
    assignee_name = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True,
                                    help_text="What the applicant was told (and sent by SMS).")
    internal_note = serializers.CharField(allow_blank=True, help_text="Staff only.")
    is_internal = serializers.BooleanField(
        help_text="An internal comment or document: the applicant never sees the event.")
    document = serializers.CharField(allow_blank=True)
    document_version = serializers.IntegerField(allow_null=True)
    hash = serializers.CharField(help_text="Link of the case's hash chain of events.")


class StaffCaseDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField(allow_blank=True)
    is_internal = serializers.BooleanField()
    uploaded_at = serializers.DateTimeField()
    sha256 = serializers.CharField(allow_blank=True,
                                   help_text="SHA-256 of the stored file (blank for documents "
                                             "stored before uploads were checked).")
    version = serializers.IntegerField(help_text="1, or the version this correction makes.")
    replaces = serializers.IntegerField(allow_null=True,
                                        help_text="The document this one corrects.")
    replaced_by = serializers.IntegerField(allow_null=True,
                                           help_text="The correction of this document.")


class StaffCaseSummarySerializer(serializers.Serializer):
    viewer = _StaffViewerField()
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="e.g. `KHB-1448-000123`.")
    kind = CodeNameSerializer(help_text="The procedure (case definition).")
    subject = serializers.CharField()
    municipality = serializers.CharField(help_text="Municipality code.")
    state = CaseStateSerializer()
    category = serializers.ChoiceField(choices=StatusCategory.choices)
    department = CaseDepartmentSerializer(allow_null=True)
    assignee = serializers.CharField(allow_null=True, help_text="Username.")
    priority = serializers.CharField()
    sla_status = serializers.ChoiceField(choices=SlaStatus.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    state_due_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    row_version = serializers.IntegerField(
        help_text="Send it back as `expected_version` to act only on what you saw.")


class StaffCaseSerializer(StaffCaseSummarySerializer):
    description = serializers.CharField(allow_blank=True)
    applicant = BilingualNameSerializer(help_text="The person or establishment.")
    assignee_name = serializers.CharField(allow_blank=True)
    events = StaffCaseEventSerializer(many=True)
    attachments = StaffCaseDocumentSerializer(many=True)
    actions_available = CaseActionSerializer(many=True)
    can_claim = serializers.BooleanField()
    can_assign = serializers.BooleanField()
    can_transfer = serializers.BooleanField()
    transfer_departments = CodeNameSerializer(many=True)


# --- by audience ---------------------------------------------------------------------------

_DETAIL = {ActorKind.APPLICANT.value: ApplicantCaseSerializer,
           ActorKind.STAFF.value: StaffCaseSerializer}
_SUMMARY = {ActorKind.APPLICANT.value: ApplicantCaseSummarySerializer,
            ActorKind.STAFF.value: StaffCaseSummarySerializer}

CASE_DETAIL_SCHEMA = PolymorphicProxySerializer(
    component_name="CaseDetail", serializers=_DETAIL, resource_type_field_name="viewer")
CASE_SUMMARY_SCHEMA = PolymorphicProxySerializer(
    component_name="CaseSummary", serializers=_SUMMARY, resource_type_field_name="viewer")


def case_detail_data(presented) -> dict:
    """The API's answer for a presented case, in the shape of its audience."""
    return _DETAIL[presented.viewer](presented).data


def case_summary_data(presented) -> dict:
    return _SUMMARY[presented.viewer](presented).data
