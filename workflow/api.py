"""JSON API of the workflow: staff see their departments' cases, applicants their own.
Each view validates input, calls one service or selector, and serializes the result."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from amanah.api_schema import api_errors
from amanah.errors import DomainError
from amanah.pagination import COUNT_CAP, CappedPageNumberPagination
from amanah.throttles import ScopeLimitThrottle
from amanah.uploads import upload_refusal_raise

from . import presenters, selectors, services
from .enums import SlaStatus, StatusCategory
from .serializers import (
    CASE_DETAIL_SCHEMA,
    CASE_SUMMARY_SCHEMA,
    BilingualNameSerializer,
    case_detail_data,
    case_summary_data,
)


def _detail(request, case_id: int) -> dict:
    """The case as the caller is to see it: one presenter per audience (see presenters.py),
    the same one the case pages use."""
    detail = selectors.case_get_for_user(case_id=case_id, user=request.user)
    return case_detail_data(presenters.case_present(detail))


@extend_schema_field(CASE_SUMMARY_SCHEMA)
class _CaseSummaryField(serializers.JSONField):
    """A case in a list, in the shape of the caller's audience (for the schema only)."""


# Bounds of what an id or a version can be (bigint keys, an integer row version): anything
# larger is refused as invalid input naming its field, not looked up or compared.
_ID_MAX = 2**63 - 1
_VERSION_MAX = 2**31 - 1

_CASE_ID = OpenApiParameter("case_id", int, OpenApiParameter.PATH, description="The case's id.")
_CASE_ERRORS = "`workflow.case_not_found`"
_ACT_409 = "`workflow.case_changed`, `workflow.case_busy`, `workflow.case_closed`"


class CaseListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        department = serializers.IntegerField(required=False, min_value=1, max_value=_ID_MAX)
        category = serializers.ChoiceField(choices=StatusCategory.choices, required=False)
        sla_status = serializers.ChoiceField(choices=SlaStatus.choices, required=False)
        kind = serializers.SlugField(required=False)
        scope = serializers.ChoiceField(choices=selectors.QUEUE_SCOPES, required=False)
        # Read by the paginator; checked here so that page 0, -1 or "x" is a 400 naming it.
        page = serializers.IntegerField(required=False, min_value=1, max_value=_ID_MAX,
                                        help_text="Page number, from 1.")

    @extend_schema(
        tags=["workflow"], operation_id="workflow_cases_list",
        summary="List the cases the caller may see",
        description="Staff get their departments' cases, applicants their own; 50 a page. "
                    "Each case is in the shape of the caller's audience (`viewer`): staff "
                    "see who holds it and its deadlines, an applicant does not. Cases are "
                    f"counted up to {COUNT_CAP:,}: past that, `count` is {COUNT_CAP + 1:,}, "
                    "`count_is_capped` is true and the pages cover the first "
                    f"{COUNT_CAP:,} (narrow the list with its filters).",
        parameters=[FilterSerializer],
        responses={200: inline_serializer("PaginatedCaseSummaryList", {
            "count": serializers.IntegerField(
                help_text=f"Exact up to {COUNT_CAP:,}; {COUNT_CAP + 1:,} when there are more."),
            "count_is_capped": serializers.BooleanField(
                help_text=f"True when there are more than {COUNT_CAP:,} cases."),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializers.ListField(child=_CaseSummaryField()),
        }), **api_errors(400, 403, 404, e404="`not_found`: a page past the last")},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        cases = selectors.case_list_for_caller(
            user=request.user, department_id=data.get("department"), scope=data.get("scope"),
            category=data.get("category"), sla_status=data.get("sla_status"),
            kind=data.get("kind"))
        staff = selectors.caller_is_staff(user=request.user)
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(
            [case_summary_data(presenters.case_summary_present(c, staff=staff)) for c in page])

    @extend_schema_serializer(component_name="CaseSubmit")
    class InputSerializer(serializers.Serializer):
        kind = serializers.SlugField(max_length=64,
                                     help_text="The procedure's code, e.g. `complaint`.")
        # Blank is let through so that the service answers with its own bilingual refusal.
        subject = serializers.CharField(max_length=300, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                            default="")

    @extend_schema(
        tags=["workflow"], operation_id="workflow_cases_create",
        summary="Submit a new case (a signed-in citizen or resident)",
        description="Opens a case of `kind` in the caller's own municipality of residence, "
                    "then routes it to its first queue. Only kinds offered on the portal may "
                    "be submitted, and only where the e-service's rollout allows: live for "
                    "anyone living there, a pilot only for its residents and staff, off for "
                    "nobody.",
        request=InputSerializer,
        responses={201: CASE_SUMMARY_SCHEMA, **api_errors(
            400, 403, 404,
            e400="`validation_error`, `workflow.subject_required`, `rollout.service_off`, "
                 "`workflow.kind_not_online`, `workflow.municipality_unknown`",
            e403="`auth.not_authenticated`, `workflow.citizens_only`, `rollout.pilot_only`",
            e404="`workflow.definition_not_found`")},
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case = services.case_submit_online(user=request.user, kind=data["kind"],
                                           subject=data["subject"],
                                           description=data["description"])
        case = selectors.case_get_visible(case_id=case.pk, user=request.user)
        return Response(case_summary_data(presenters.case_summary_for_applicant(case)),
                        status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    @extend_schema(
        tags=["workflow"], summary="One case, its history, documents and possible actions",
        description="In the shape of the caller's audience (`viewer`): the applicant sees "
                    "exactly what their case page shows — never who holds the case, claims, "
                    "assignments, internal notes or internal documents; staff see all of it.",
        parameters=[_CASE_ID],
        responses={200: CASE_DETAIL_SCHEMA, **api_errors(403, 404, e404=_CASE_ERRORS)},
    )
    def get(self, request, case_id: int):
        return Response(_detail(request, case_id))


def _detail_response(request, case_id: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(_detail(request, case_id), status=code)


def _action_input(request, case_id: int, serializer_class, *,
                  with_document: bool = False) -> dict:
    """The validated input of an action on a case. A user who cannot see the case gets the same
    404 as for a case that does not exist, before anything they sent is judged; then a document
    refused while it streamed in (`with_document`), then the serializer's own checks."""
    selectors.case_get_visible(case_id=case_id, user=request.user)
    if with_document:
        upload_refusal_raise(request)
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


class CaseTransitionApi(APIView):
    @extend_schema_serializer(component_name="CaseTransition")
    class InputSerializer(serializers.Serializer):
        action = serializers.SlugField(max_length=64)
        comment = serializers.CharField(
            required=False, allow_blank=True, max_length=4000, default="",
            help_text="Shown to the applicant; when staff write it, also sent by SMS.")
        internal_note = serializers.CharField(
            required=False, allow_blank=True, max_length=4000, default="",
            help_text="Staff only: for colleagues, never shown or sent to the applicant.")
        expected_version = serializers.IntegerField(required=False, min_value=1,
                                                    max_value=_VERSION_MAX)
        # Empty files go on to the upload service, which refuses them with its own code.
        document = serializers.FileField(required=False, allow_empty_file=True)

    @extend_schema(
        tags=["workflow"], summary="Take an action on a case (move it to its next state)",
        description="`action` is one of the case's `actions_available`. A document, when the "
                    "action needs one, is sent as `multipart/form-data`.",
        parameters=[_CASE_ID],
        responses={200: CASE_DETAIL_SCHEMA, **api_errors(
            400, 403, 404, 409, 413, e404=_CASE_ERRORS,
            e400="`validation_error`, `workflow.comment_required`, `workflow.document_required`, "
                 "`workflow.internal_note_staff_only`, "
                 "`upload.invalid`, `upload.empty`, `upload.type_not_allowed`, "
                 "`upload.malformed_image`, `upload.image_too_large`, `upload.malformed_pdf`, "
                 "`upload.unsafe_pdf`, `upload.pdf_encrypted`, `workflow.guard_refused`",
            e413="`upload.too_large`",
            e403="`workflow.not_allowed`",
            e409=f"`workflow.action_not_available`, {_ACT_409}")},
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
    )
    def post(self, request, case_id: int):
        data = _action_input(request, case_id, self.InputSerializer, with_document=True)
        services.case_transition(case_id=case_id, action=data["action"], actor=request.user,
                                 comment=data["comment"], internal_note=data["internal_note"],
                                 document=data.get("document"),
                                 expected_version=data.get("expected_version"))
        return _detail_response(request, case_id)


class _VersionedInput(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, min_value=1,
                                                max_value=_VERSION_MAX)


class _StaffTextsInput(_VersionedInput):
    internal_note = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, default="",
        help_text="Staff only: for colleagues, never shown or sent to the applicant.")
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, default="",
        help_text="Optional: shown to the applicant (from the department, never naming "
                  "anyone) and sent by SMS.")


@extend_schema_serializer(component_name="CaseClaim")
class _ClaimInput(_StaffTextsInput):
    pass


class CaseClaimApi(APIView):
    @extend_schema(
        tags=["workflow"], summary="Take an unassigned case into one's own work",
        parameters=[_CASE_ID], request=_ClaimInput,
        responses={200: CASE_DETAIL_SCHEMA, **api_errors(
            400, 403, 404, 409, e404=_CASE_ERRORS, e403="`workflow.not_allowed`",
            e409=f"`workflow.already_claimed`, {_ACT_409}")},
    )
    def post(self, request, case_id: int):
        data = _action_input(request, case_id, _ClaimInput)
        services.case_claim(case_id=case_id, actor=request.user,
                            expected_version=data.get("expected_version"),
                            internal_note=data["internal_note"], message=data["message"])
        return _detail_response(request, case_id)


class CaseAssignApi(APIView):
    @extend_schema_serializer(component_name="CaseAssign")
    class InputSerializer(_StaffTextsInput):
        assignee = serializers.IntegerField(allow_null=True, min_value=1, max_value=_ID_MAX)

    @extend_schema(
        tags=["workflow"], summary="Assign a case to a member of its department (or unassign)",
        request=InputSerializer,
        parameters=[_CASE_ID],
        responses={200: CASE_DETAIL_SCHEMA, **api_errors(
            400, 403, 404, 409, e404=_CASE_ERRORS,
            e400="`validation_error`, `workflow.assignee_not_in_department`",
            e403="`workflow.not_allowed`", e409=_ACT_409)},
    )
    def post(self, request, case_id: int):
        data = _action_input(request, case_id, self.InputSerializer)
        assignee = None
        if data["assignee"] is not None:
            assignee = selectors.user_get_active(user_id=data["assignee"])
            if assignee is None:
                raise DomainError("workflow.assignee_not_in_department",
                                  "الموظف المختار ليس من منسوبي الإدارة.",
                                  "The chosen person does not work in this department.",
                                  field="assignee")
        services.case_assign(case_id=case_id, actor=request.user, assignee=assignee,
                             expected_version=data.get("expected_version"),
                             internal_note=data["internal_note"], message=data["message"])
        return _detail_response(request, case_id)


class CaseTransferApi(APIView):
    @extend_schema_serializer(component_name="CaseTransfer")
    class InputSerializer(_VersionedInput):
        department = serializers.CharField(max_length=32)
        note = serializers.CharField(
            max_length=4000, allow_blank=True,
            help_text="Why it is transferred, for colleagues: an internal note, never shown "
                      "or sent to the applicant.")
        message = serializers.CharField(
            required=False, allow_blank=True, max_length=4000, default="",
            help_text="Optional: shown to the applicant and sent by SMS.")

    @extend_schema(
        tags=["workflow"],
        summary="Transfer a case to another department, with an internal note",
        request=InputSerializer,
        parameters=[_CASE_ID],
        responses={200: CASE_DETAIL_SCHEMA, **api_errors(
            400, 403, 404, 409, e404=_CASE_ERRORS,
            e400="`validation_error`, `workflow.note_required`, `workflow.transfer_not_allowed`, "
                 "`workflow.transfer_same_department`",
            e403="`workflow.not_allowed`", e409=_ACT_409)},
    )
    def post(self, request, case_id: int):
        data = _action_input(request, case_id, self.InputSerializer)
        services.case_transfer(case_id=case_id, actor=request.user,
                               department_code=data["department"], note=data["note"],
                               message=data["message"],
                               expected_version=data.get("expected_version"))
        return _detail_response(request, case_id)


class CaseCommentApi(APIView):
    @extend_schema_serializer(component_name="CaseComment")
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=4000, allow_blank=True)
        is_internal = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        tags=["workflow"], summary="Add a comment to a case",
        request=InputSerializer,
        description="`is_internal` comments are seen by staff only.",
        parameters=[_CASE_ID],
        responses={201: CASE_DETAIL_SCHEMA, **api_errors(
            400, 403, 404, 409, e404=_CASE_ERRORS, e409=_ACT_409)},
    )
    def post(self, request, case_id: int):
        data = _action_input(request, case_id, self.InputSerializer)
        services.case_comment_add(case_id=case_id, actor=request.user, body=data["body"],
                                  is_internal=data["is_internal"])
        return _detail_response(request, case_id, status.HTTP_201_CREATED)


class StatusCheckThrottle(ScopeLimitThrottle):
    """Scope `status_check`, shared with the status page: per address and per looked-up ID."""

    scope = "status_check"


class CaseStatusPublicApi(APIView):
    """Anyone may check a case's status with its number and the applicant's ID number."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [StatusCheckThrottle]

    @extend_schema_serializer(component_name="CaseStatusQuery")
    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(max_length=32)
        national_id = serializers.CharField(max_length=20)

    @extend_schema(
        tags=["workflow"], summary="Public status check of a case (no sign-in)",
        description="Rate-limited per client address and per ID number asked about (shared "
                    "with the status page). An unknown number and a wrong ID number get "
                    "the same 404.",
        parameters=[InputSerializer],
        responses={200: inline_serializer("CaseStatusPublic", {
            "number": serializers.CharField(),
            "kind": BilingualNameSerializer(),
            "state": BilingualNameSerializer(),
            "category": serializers.ChoiceField(choices=StatusCategory.choices),
            "submitted_at": serializers.DateTimeField(allow_null=True),
            "expected_completion": serializers.DateTimeField(allow_null=True),
            "closed_at": serializers.DateTimeField(allow_null=True),
            "steps": inline_serializer("CaseStatusPublicStep", {
                "at": serializers.DateTimeField(), "name_ar": serializers.CharField(),
                "name_en": serializers.CharField(),
                "category": serializers.ChoiceField(choices=StatusCategory.choices)}, many=True),
        }), **api_errors(400, 404, 429, e404="`workflow.status_not_found`")},
    )
    def get(self, request):
        payload = self.InputSerializer(data=request.query_params)
        payload.is_valid(raise_exception=True)
        result = selectors.case_status_public(**payload.validated_data)
        return Response({
            "number": result.number,
            "kind": {"name_ar": result.kind_ar, "name_en": result.kind_en},
            "state": {"name_ar": result.state_ar, "name_en": result.state_en},
            "category": result.category,
            "submitted_at": result.submitted_at,
            "expected_completion": result.expected_completion,
            "closed_at": result.closed_at,
            "steps": [{"at": s.at, "name_ar": s.name_ar, "name_en": s.name_en,
                       "category": s.category} for s in result.steps],
        })


