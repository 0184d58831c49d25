"""JSON API of objections to violations, under /api/v1/violations/objections/:

- `POST objections/` — the offender (the person, or a delegate of the establishment) objects
  to lines of their own fine notice, each with a reason; documents are optional (multipart,
  field `documents`, PDF or images), through the same service as the page;
- `GET objections/` — the caller's objections, newest first;
- `GET objections/<number>/` — one of them: lines, reasons, decisions, documents.

Citizens only: staff get 403; another citizen's objection or notice is 404, as if it did not
exist. Errors are the project's: a stable `code`, bilingual messages, the `field` at fault.
"""

import json

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from amanah.api_schema import api_errors
from amanah.errors import PermissionDenied
from amanah.permissions import person_for_user

from .selectors_objections import objection_get_for_user, objection_list_for_user
from .services.objections import objection_file

_NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH,
                           description="The objection's number, e.g. `VO-KHB-1448-000012`.")


def _citizen_or_refuse(user) -> None:
    if person_for_user(user) is None:
        raise PermissionDenied("violations.citizens_only",
                               "هذه الخدمة للمواطنين والمقيمين عن مخالفاتهم.",
                               "This service is for citizens and residents, about their own "
                               "violations.")


class ObjectionLineInSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The id of a payable line of the notice.")
    reason = serializers.CharField(allow_blank=True, max_length=4000,
                                   help_text="Why this item is contested (at most 2,000 "
                                             "characters).")


class ObjectionFileSerializer(serializers.Serializer):
    violation = serializers.CharField(max_length=40,
                                      help_text="The fine notice's number, e.g. "
                                                "`V-KHB-1448-000017`.")
    lines = serializers.JSONField(help_text="A list of `{\"line\": id, \"reason\": text}`; in a "
                                            "multipart request, that list as a JSON string.")
    documents = serializers.ListField(child=serializers.FileField(), required=False,
                                      help_text="Supporting documents (PDF, PNG, JPEG, WebP).")

    def validate_lines(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError("Not a JSON list.") from None
        if not isinstance(value, list):
            raise serializers.ValidationError("A list of lines is expected.")
        lines = ObjectionLineInSerializer(data=value, many=True)
        if not lines.is_valid():
            # the error body lists plain messages per field, never nested ones
            raise serializers.ValidationError(
                "Each line is {\"line\": a whole number, \"reason\": text}.")
        return [(row["line"], row["reason"]) for row in lines.validated_data]


class ObjectionLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line_id")
    item_code = serializers.CharField(source="line.item_code")
    item_name_ar = serializers.CharField(source="line.item.name_ar")
    item_name_en = serializers.CharField(source="line.item.name_en")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, source="line.amount",
                                      help_text="The line's fine now (SAR).")
    line_status = serializers.CharField(source="line.status")
    reason = serializers.CharField()
    decision = serializers.CharField(help_text="pending, accepted, reduced or rejected")
    reduced_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ObjectionDocumentSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ObjectionSerializer(serializers.Serializer):
    number = serializers.CharField()
    violation = serializers.CharField(source="violation.number")
    status = serializers.CharField(help_text="open (under review) or decided")
    case = serializers.CharField(source="case.number", allow_null=True)
    filed_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    lines = ObjectionLineSerializer(many=True)
    documents = ObjectionDocumentSerializer(many=True)


class ObjectionListCreateApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="violations_objections_list", tags=["violations"],
        summary="The caller's objections to their violations",
        responses={200: ObjectionSerializer(many=True), **api_errors(
            403, e403="`auth.not_authenticated`, `violations.citizens_only`")})
    def get(self, request):
        _citizen_or_refuse(request.user)
        return Response(ObjectionSerializer(objection_list_for_user(request.user),
                                            many=True).data)

    @extend_schema(
        operation_id="violations_objections_create", tags=["violations"],
        summary="Object to lines of one's own fine notice",
        description="Each line must be payable, unpaid, of an item that may be objected to, "
                    "and within its objection period. The objected amount is taken off the "
                    "notice's bill at once (SADAD BillUpdated, or BillExpired when nothing is "
                    "left); the legal department decides each line.",
        request={"application/json": ObjectionFileSerializer,
                 "multipart/form-data": ObjectionFileSerializer},
        responses={201: ObjectionSerializer, **api_errors(
            400, 403, 404, 409, 413,
            e400="`validation_error`, `violations.objection_late`, "
                 "`violations.objection_reason_required`, `violations.not_objectionable`, "
                 "`upload.type_not_allowed`",
            e403="`violations.citizens_only`, `rollout.off`",
            e404="`violations.not_found`",
            e409="`violations.objection_open`, "
                 "`violations.line_not_objectable` (paid or cancelled)")})
    def post(self, request):
        _citizen_or_refuse(request.user)
        form = ObjectionFileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        documents = request.FILES.getlist("documents") if request.FILES else []
        objection = objection_file(user=request.user,
                                   violation_number=form.validated_data["violation"],
                                   lines=form.validated_data["lines"], documents=documents)
        objection = objection_get_for_user(request.user, objection.number)
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionDetailApi(APIView):
    @extend_schema(
        operation_id="violations_objections_detail", tags=["violations"],
        summary="One of the caller's objections", parameters=[_NUMBER],
        responses={200: ObjectionSerializer, **api_errors(
            400, 403, 404, e400="`request.unsafe_characters` (in the number)",
            e403="`auth.not_authenticated`, `violations.citizens_only`",
            e404="`violations.objection_not_found`")})
    def get(self, request, number: str):
        _citizen_or_refuse(request.user)
        return Response(ObjectionSerializer(objection_get_for_user(request.user, number)).data)


urlpatterns = [
    path("violations/objections/", ObjectionListCreateApi.as_view(),
         name="objection-list"),
    path("violations/objections/<str:number>/", ObjectionDetailApi.as_view(),
         name="objection-detail"),
]
