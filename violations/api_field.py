"""The field API for inspectors' devices (issue 11), under /api/v1/violations/inspections/:

- `POST inspections/` opens an inspection (an `Idempotency-Key` header is required: a device
  that lost signal resends with the same key and gets the same inspection, 200 instead of 201);
- `GET inspections/?status=planned|draft` the caller's day: planned for them or unassigned in
  their municipalities (highest risk first), and their own drafts;
- `GET inspections/<number>/` one inspection with its checklist's questions and the answers;
- `PUT inspections/<number>/findings/<question_id>/` an answer and a note (idempotent);
- `POST inspections/<number>/photos/` an evidence photo, multipart, with an `Idempotency-Key`;
- `POST inspections/<number>/submit/` seals the evidence and records the notices; a resend
  after success answers 200 with the same notices.

Only inspectors of the inspection's municipality are answered (403 `violations.not_inspector`
otherwise). Business rules are the services' (violations/services/inspections.py); errors are
the project's: a stable `code`, bilingual messages, the `field` at fault.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from amanah.api_schema import api_errors
from amanah.errors import DomainError, NotFound
from amanah.models import Municipality
from amanah.uploads import upload_refusal_raise

from . import field_selectors as selectors
from .access import inspector_check, inspector_municipalities
from .enums import (
    Answer,
    InspectionKind,
    InspectionStatus,
    LineStatus,
    NoticeKind,
    OffenderKind,
    ViolationStatus,
)
from .models import Inspection
from .services.inspections import finding_record, inspection_open, inspection_submit, photo_add

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_MIN, KEY_MAX = 8, 64
LISTED_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.DRAFT)

_NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH,
                           description="The inspection's number, e.g. `INS-M911-1448-000001`.")
_QUESTION = OpenApiParameter("question_id", int, OpenApiParameter.PATH,
                             description="A question of the inspection's checklist.")
_KEY = OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=True,
                        description=f"{KEY_MIN}–{KEY_MAX} characters chosen by the device, the "
                                    "same on every resend of one request.")
_NOT_INSPECTOR = "`violations.not_inspector` (not an inspector of the municipality)"


def idempotency_key(request) -> str:
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not KEY_MIN <= len(key) <= KEY_MAX or not key.isprintable():
        raise DomainError("violations.idempotency_key_required",
                          f"ترويسة {IDEMPOTENCY_HEADER} مطلوبة: من {KEY_MIN} إلى {KEY_MAX} حرفاً.",
                          f"The {IDEMPOTENCY_HEADER} header is required: {KEY_MIN} to {KEY_MAX} "
                          "characters.", field="idempotency_key")
    return key


def inspection_not_found() -> NotFound:
    return NotFound("violations.inspection_not_found", "لا يوجد فحص بهذا الرقم.",
                    "There is no inspection with this number.", field="number")


def _inspector_or_refuse(user) -> None:
    """Anyone who inspects nowhere (a citizen, other staff) is refused before any look-up."""
    if not inspector_municipalities(user):
        inspector_check(user, -1)


def _inspection_for(user, number: str) -> Inspection:
    _inspector_or_refuse(user)
    inspection = selectors.inspection_by_number(number)
    if inspection is None:
        raise inspection_not_found()
    inspector_check(user, inspection.municipality_id)
    return inspection


# --- Shapes -----------------------------------------------------------------------------------


class FieldOffenderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OffenderKind.choices)
    name_ar = serializers.CharField(allow_blank=True)
    name_en = serializers.CharField(allow_blank=True)
    permit_number = serializers.CharField(allow_blank=True)
    place_description = serializers.CharField(allow_blank=True)
    district = serializers.CharField(allow_blank=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


class FieldInspectionSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=InspectionStatus.choices)
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    municipality = serializers.CharField(help_text="The municipality's code.")
    checklist = serializers.CharField(help_text="The checklist's code.")
    planned_for = serializers.DateField(allow_null=True)
    source_reference = serializers.CharField(allow_blank=True)
    mine = serializers.BooleanField(help_text="Assigned to the caller.")
    earlier_fines = serializers.IntegerField(
        allow_null=True, help_text="Planned only: the offender's fine lines in the last year "
                                   "(the plan's risk order).")
    offender = FieldOffenderSerializer()


class FieldPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item_code = serializers.CharField(allow_blank=True)
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    taken_at = serializers.DateTimeField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    visible_to_offender = serializers.BooleanField()


class FieldQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    text_ar = serializers.CharField()
    text_en = serializers.CharField()
    item_code = serializers.CharField()
    answer = serializers.ChoiceField(choices=Answer.choices, allow_null=True)
    note = serializers.CharField(allow_blank=True)
    photos = serializers.IntegerField(help_text="Photos taken for this question's item.")


class FieldNoticeLineSerializer(serializers.Serializer):
    item_code = serializers.CharField()
    status = serializers.ChoiceField(choices=LineStatus.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    correction_due = serializers.DateField(allow_null=True)


class FieldNoticeSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    status = serializers.ChoiceField(choices=ViolationStatus.choices)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    correction_due = serializers.DateField(allow_null=True,
                                           help_text="A warning: when it must be corrected.")
    lines = FieldNoticeLineSerializer(many=True)


class FieldInspectionDetailSerializer(FieldInspectionSerializer):
    only_item_codes = serializers.ListField(child=serializers.CharField(),
                                            help_text="A re-inspection asks only these.")
    evidence_digest = serializers.CharField(allow_blank=True,
                                            help_text="SHA-256 sealed at submission.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    questions = FieldQuestionSerializer(many=True)
    photos = FieldPhotoSerializer(many=True)
    notices = FieldNoticeSerializer(many=True)


class FieldSubmitSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=InspectionStatus.choices)
    evidence_digest = serializers.CharField()
    notices = FieldNoticeSerializer(many=True)


def _offender(inspection: Inspection) -> dict:
    holder = inspection.establishment or inspection.person
    return {"kind": inspection.offender_kind,
            "name_ar": holder.name_ar if holder else "",
            "name_en": (holder.name_en or "") if holder else "",
            "permit_number": inspection.permit_number,
            "place_description": inspection.place_description,
            "district": inspection.district, "latitude": inspection.latitude,
            "longitude": inspection.longitude}


def _summary(inspection: Inspection, user) -> dict:
    return {"number": inspection.number, "status": inspection.status,
            "kind": inspection.kind, "municipality": inspection.municipality.code,
            "checklist": inspection.checklist.code, "planned_for": inspection.planned_for,
            "source_reference": inspection.source_reference,
            "mine": inspection.inspector_id == user.pk,
            "earlier_fines": getattr(inspection, "earlier_fines", None),
            "offender": _offender(inspection)}


def _notice(notice) -> dict:
    return {"number": notice.number, "kind": notice.kind, "status": notice.status,
            "total": notice.total, "correction_due": notice.correction_due,
            "lines": [{"item_code": line.item_code, "status": line.status,
                       "amount": line.amount, "correction_due": line.correction_due}
                      for line in notice.lines.all()]}


def _photo(photo) -> dict:
    return {"id": photo.pk, "item_code": photo.item_code, "sha256": photo.sha256,
            "size": photo.size, "content_type": photo.content_type,
            "taken_at": photo.taken_at, "latitude": photo.latitude,
            "longitude": photo.longitude, "visible_to_offender": photo.visible_to_offender}


def _detail(inspection: Inspection, user) -> dict:
    sheet = selectors.inspection_sheet(inspection)
    photos = [p for row in sheet.rows for p in row.photos] + sheet.general_photos
    return {**_summary(inspection, user), "only_item_codes": list(inspection.only_item_codes),
            "evidence_digest": inspection.evidence_digest,
            "submitted_at": inspection.submitted_at,
            "questions": [{"id": row.question.pk, "position": row.question.position,
                           "text_ar": row.question.text_ar, "text_en": row.question.text_en,
                           "item_code": row.question.item_code,
                           "answer": row.answer or None, "note": row.note,
                           "photos": len(row.photos)} for row in sheet.rows],
            "photos": [_photo(p) for p in sorted(photos, key=lambda p: p.pk)],
            "notices": [_notice(n) for n in sheet.notices]}


def _submitted(inspection: Inspection) -> dict:
    sheet = selectors.inspection_sheet(inspection)
    return {"number": inspection.number, "status": inspection.status,
            "evidence_digest": inspection.evidence_digest,
            "notices": [_notice(n) for n in sheet.notices]}


# --- Views ------------------------------------------------------------------------------------


class InspectionListCreateApi(APIView):
    @extend_schema_serializer(component_name="FieldInspectionOpenRequest")
    class InputSerializer(serializers.Serializer):
        municipality = serializers.CharField(max_length=8, help_text="The municipality's code.")
        checklist = serializers.CharField(max_length=40, help_text="The checklist's code.")
        kind = serializers.ChoiceField(choices=[InspectionKind.COMPLAINT,
                                                InspectionKind.ROUTINE],
                                       default=InspectionKind.COMPLAINT)
        offender_kind = serializers.ChoiceField(choices=OffenderKind.choices)
        permit_number = serializers.CharField(max_length=40, required=False, default="",
                                              allow_blank=True,
                                              help_text="An establishment's licence or a "
                                                        "permit.")
        unified_number = serializers.CharField(max_length=10, required=False, default="",
                                               allow_blank=True)
        national_id = serializers.CharField(max_length=10, required=False, default="",
                                            allow_blank=True)
        place_description = serializers.CharField(max_length=300, required=False, default="",
                                                  allow_blank=True)
        district = serializers.CharField(max_length=100, required=False, default="",
                                         allow_blank=True)
        latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                            allow_null=True, default=None,
                                            min_value=-90, max_value=90)
        longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                             allow_null=True, default=None,
                                             min_value=-180, max_value=180)
        source_reference = serializers.CharField(max_length=64, required=False, default="",
                                                 allow_blank=True,
                                                 help_text="The complaint's reference.")

    @extend_schema(
        tags=["violations"], operation_id="violations_field_inspections_list",
        summary="The inspector's day: planned inspections and their own drafts",
        description="`planned`: planned for the caller or unassigned in their municipalities, "
                    "due by today, highest risk first. `draft`: the caller's inspections being "
                    "recorded. Without `status`, both.",
        parameters=[OpenApiParameter("status", str, enum=[s.value for s in LISTED_STATUSES],
                                     required=False)],
        responses={200: FieldInspectionSerializer(many=True), **api_errors(
            400, 403, e400="`violations.status_unknown`", e403=_NOT_INSPECTOR)},
    )
    def get(self, request):
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in LISTED_STATUSES:
            raise DomainError("violations.status_unknown",
                              "الحالة المطلوبة غير معروفة: planned أو draft.",
                              "Unknown status: use planned or draft.", field="status")
        _inspector_or_refuse(request.user)
        rows = []
        if wanted in ("", InspectionStatus.PLANNED):
            rows += list(selectors.planned_for_inspector(request.user))
        if wanted in ("", InspectionStatus.DRAFT):
            rows += list(selectors.drafts_of_inspector(request.user))
        return Response(FieldInspectionSerializer(
            [_summary(i, request.user) for i in rows], many=True).data)

    @extend_schema(
        tags=["violations"], operation_id="violations_field_inspections_open",
        summary="Open an inspection from a field device (idempotent by key)",
        description="Creates a draft inspection of the offender (a licence or permit number, a "
                    "unified number, a national ID, or a place with coordinates) against the "
                    "checklist: 201. A resend with the same `Idempotency-Key` by the same "
                    "inspector answers 200 with the same inspection.",
        parameters=[_KEY], request=InputSerializer,
        responses={201: FieldInspectionDetailSerializer,
                   200: FieldInspectionDetailSerializer, **api_errors(
                       400, 403, 404, 409,
                       e400="`validation_error`, `violations.idempotency_key_required`, "
                            "offender refusals of the service (with `field`)",
                       e403=_NOT_INSPECTOR + ", the service not offered in the municipality",
                       e404="`violations.municipality_not_found`, checklist or offender not "
                            "found",
                       e409="`violations.idempotency_key_taken` (another inspector's key)")},
    )
    def post(self, request):
        _inspector_or_refuse(request.user)
        key = idempotency_key(request)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        municipality = Municipality.objects.filter(code=data["municipality"]).first()
        if municipality is None:
            raise NotFound("violations.municipality_not_found", "لا توجد بلدية بهذا الرمز.",
                           "There is no municipality with this code.", field="municipality")
        inspector_check(request.user, municipality.pk)
        inspection, created = inspection_open(
            actor=request.user, municipality=municipality, checklist_code=data["checklist"],
            offender_kind=data["offender_kind"], permit_number=data["permit_number"],
            unified_number=data["unified_number"], national_id=data["national_id"],
            place_description=data["place_description"], district=data["district"],
            latitude=data["latitude"], longitude=data["longitude"], kind=data["kind"],
            source_reference=data["source_reference"], client_key=key)
        inspection = selectors.inspection_by_number(inspection.number)
        return Response(FieldInspectionDetailSerializer(_detail(inspection, request.user)).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class InspectionDetailApi(APIView):
    @extend_schema(
        tags=["violations"], operation_id="violations_field_inspections_detail",
        summary="One inspection: its checklist's questions with the answers, photos, notices",
        parameters=[_NUMBER],
        responses={200: FieldInspectionDetailSerializer, **api_errors(
            400, 403, 404, e403=_NOT_INSPECTOR, e404="`violations.inspection_not_found`")},
    )
    def get(self, request, number: str):
        inspection = _inspection_for(request.user, number)
        return Response(FieldInspectionDetailSerializer(_detail(inspection, request.user)).data)


class FindingRecordApi(APIView):
    @extend_schema_serializer(component_name="FieldFindingRequest")
    class InputSerializer(serializers.Serializer):
        answer = serializers.ChoiceField(choices=Answer.choices)
        note = serializers.CharField(max_length=500, required=False, default="",
                                     allow_blank=True)

    @extend_schema(
        tags=["violations"], operation_id="violations_field_findings_record",
        summary="Answer one question of a draft inspection (idempotent)",
        description="Sets the answer and note; sending the same again changes nothing more.",
        parameters=[_NUMBER, _QUESTION], request=InputSerializer,
        responses={200: FieldQuestionSerializer, **api_errors(
            400, 403, 404, 409,
            e400="`validation_error`, refusals of the service (not a draft, a question "
                 "outside the checklist)",
            e403=_NOT_INSPECTOR, e404="`violations.inspection_not_found`",
            e409="the inspection is being changed by another request")},
    )
    def put(self, request, number: str, question_id: int):
        inspection = _inspection_for(request.user, number)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        finding_record(inspection_id=inspection.pk, actor=request.user,
                       question_id=question_id, answer=payload.validated_data["answer"],
                       note=payload.validated_data["note"])
        row = next((r for r in selectors.inspection_sheet(inspection).rows
                    if r.question.pk == question_id), None)
        if row is None:  # the service accepted a question the sheet does not show
            raise inspection_not_found()
        return Response(FieldQuestionSerializer({
            "id": row.question.pk, "position": row.question.position,
            "text_ar": row.question.text_ar, "text_en": row.question.text_en,
            "item_code": row.question.item_code, "answer": row.answer or None,
            "note": row.note, "photos": len(row.photos)}).data)


class PhotoAddApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="FieldPhotoRequest")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="The photo (an image).")
        taken_at = serializers.DateTimeField()
        latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                            allow_null=True, default=None,
                                            min_value=-90, max_value=90)
        longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                             allow_null=True, default=None,
                                             min_value=-180, max_value=180)
        item_code = serializers.CharField(max_length=16, required=False, default="",
                                          allow_blank=True,
                                          help_text="The item it shows; empty: the place.")
        visible_to_offender = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        tags=["violations"], operation_id="violations_field_photos_add",
        summary="Add an evidence photo to a draft inspection (idempotent by key)",
        description="201 with the photo; a resend with the same `Idempotency-Key` answers 200 "
                    "with the photo it already stored.",
        parameters=[_NUMBER, _KEY], request={"multipart/form-data": InputSerializer},
        responses={201: FieldPhotoSerializer, 200: FieldPhotoSerializer, **api_errors(
            400, 403, 404, 409, 413,
            e400="`validation_error`, `violations.idempotency_key_required`, upload "
                 "refusals (`upload.*`), refusals of the service (not a draft)",
            e403=_NOT_INSPECTOR, e404="`violations.inspection_not_found`",
            e409="the inspection is being changed by another request",
            e413="`upload.too_large`")},
    )
    def post(self, request, number: str):
        upload_refusal_raise(request)
        inspection = _inspection_for(request.user, number)
        key = idempotency_key(request)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        photo, created = photo_add(
            inspection_id=inspection.pk, actor=request.user, file=data["file"],
            taken_at=data["taken_at"], latitude=data["latitude"], longitude=data["longitude"],
            item_code=data["item_code"], visible_to_offender=data["visible_to_offender"],
            client_key=key)
        return Response(FieldPhotoSerializer(_photo(photo)).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class InspectionSubmitApi(APIView):
    @extend_schema(
        tags=["violations"], operation_id="violations_field_inspections_submit",
        summary="Submit a draft inspection: seal its evidence and record the notices",
        description="Every question answered, each \"no\" with a photo of its item. The "
                    "answer names the notices made: a warning with its deadline, a fine "
                    "awaiting approval. A resend after success answers 200 with the same "
                    "notices.",
        parameters=[_NUMBER], request=None,
        responses={200: FieldSubmitSerializer, **api_errors(
            400, 403, 404, 409,
            e400="refusals of the service with the `field` at fault (an unanswered "
                 "question, a \"no\" without a photo, not a draft)",
            e403=_NOT_INSPECTOR, e404="`violations.inspection_not_found`",
            e409="the inspection is being changed by another request")},
    )
    def post(self, request, number: str):
        inspection = _inspection_for(request.user, number)
        if not self._already_submitted(inspection, request.user):
            try:
                inspection_submit(inspection_id=inspection.pk, actor=request.user)
            except DomainError:
                # Two resends at once: the one that lost the race finds the other's result.
                inspection = selectors.inspection_by_number(inspection.number)
                if not self._already_submitted(inspection, request.user):
                    raise
        inspection = selectors.inspection_by_number(inspection.number)
        return Response(FieldSubmitSerializer(_submitted(inspection)).data)

    @staticmethod
    def _already_submitted(inspection: Inspection, user) -> bool:
        return (inspection.status == InspectionStatus.SUBMITTED
                and inspection.inspector_id == user.pk)


urlpatterns = [
    path("violations/inspections/", InspectionListCreateApi.as_view(),
         name="field_inspections"),
    path("violations/inspections/<str:number>/", InspectionDetailApi.as_view(),
         name="field_inspection"),
    path("violations/inspections/<str:number>/findings/<int:question_id>/",
         FindingRecordApi.as_view(), name="field_finding"),
    path("violations/inspections/<str:number>/photos/", PhotoAddApi.as_view(),
         name="field_photos"),
    path("violations/inspections/<str:number>/submit/", InspectionSubmitApi.as_view(),
         name="field_submit"),
]
