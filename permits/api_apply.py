"""JSON API of applying for a permit (part APPLY): the service cards, the fee preview, and
applications — start a draft, save a step's answers, upload a document, submit, read one,
list one's own. The same services and the same access rule as the pages: an application is
found through `application_get_for`, so whoever is not a party gets the 404 a wrong reference
gets."""

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from amanah.api_schema import api_errors
from amanah.errors import DomainError, NotFound
from amanah.models import Municipality
from amanah.pagination import COUNT_CAP, CappedPageNumberPagination
from amanah.uploads import upload_refusal_raise

from .apply_selectors import (
    application_list_for_party,
    application_page_get,
    municipality_by_code,
)
from .enums import (
    ApplicationKind,
    ApplicationStatus,
    ConsentStatus,
    DocumentSupplier,
    FeeStage,
    FieldKind,
    FiledBy,
    PartyRole,
)
from .forms import steps_shown
from .models import PermitType
from .selectors import application_get_for
from .services.applications import application_not_found
from .services.drafts import (
    AnswersInvalid,
    application_answers_save,
    application_document_upload,
    application_draft_create,
)
from .services.fees import fee_preview, fee_total
from .services.parties import application_is_filer_side
from .services.submission import SubmissionRefused, application_submit

_VERSION_MAX = 2**31 - 1
_ID_MAX = 2**63 - 1
_REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH,
                              description="The application's reference, e.g. `PA3F9C01B2D4E6`.")
_NOT_FOUND = "`permits.application_not_found` (also for an application you are not a party to)"
_UPLOAD_400 = ("`upload.invalid`, `upload.empty`, `upload.type_not_allowed`, "
               "`upload.malformed_image`, `upload.image_too_large`, `upload.malformed_pdf`, "
               "`upload.unsafe_pdf`, `upload.pdf_encrypted`")


# --- Shapes -----------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class PermitTypeSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    description_ar = serializers.CharField(allow_blank=True)
    description_en = serializers.CharField(allow_blank=True)
    filed_by = serializers.ChoiceField(choices=FiledBy.choices,
                                       help_text="Who starts an application of this type.")
    owner_consent_required = serializers.BooleanField()
    expected_days = serializers.IntegerField(help_text="Expected working days.")
    validity_months = serializers.IntegerField(help_text="0: the permit does not expire.")


class FormFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    step = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FieldKind.choices)
    label_ar = serializers.CharField()
    label_en = serializers.CharField()
    help_ar = serializers.CharField(allow_blank=True)
    help_en = serializers.CharField(allow_blank=True)
    unit_ar = serializers.CharField(allow_blank=True)
    unit_en = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()
    min_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    max_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    max_length = serializers.IntegerField(allow_null=True)
    pattern = serializers.CharField(allow_blank=True,
                                    help_text="A regular expression the whole answer matches.")
    choices = serializers.ListField(child=inline_serializer("PermitFieldChoice", {
        "value": serializers.CharField(), "ar": serializers.CharField(),
        "en": serializers.CharField()}))
    shown_when = inline_serializer("PermitFieldCondition", {
        "field": serializers.CharField(required=False),
        "in": serializers.ListField(child=serializers.JSONField(), required=False)},
        help_text="Asked only when the field `field` is answered with one of `in`; `{}`: "
                  "always asked.")


class DocumentKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    content_types = serializers.ListField(child=serializers.CharField())
    max_bytes = serializers.IntegerField()
    supplied_by = serializers.ChoiceField(choices=DocumentSupplier.choices)
    required = serializers.BooleanField()


class PartyRuleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    required = serializers.BooleanField()


class FeeLineSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=FeeStage.choices)
    label_ar = serializers.CharField()
    label_en = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                      help_text="SAR; null while it cannot be worked out.")
    rule = serializers.CharField(allow_blank=True,
                                 help_text="`fixed`, or a rate per unit of `quantity_field`.")
    rate = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    minimum = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    unit_ar = serializers.CharField(allow_blank=True)
    unit_en = serializers.CharField(allow_blank=True)
    quantity_field = serializers.CharField(allow_blank=True)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    minimum_applied = serializers.BooleanField()
    pending_ar = serializers.CharField(allow_blank=True,
                                       help_text="Why there is no amount yet, if there is none.")
    pending_en = serializers.CharField(allow_blank=True)


class FeePreviewSerializer(serializers.Serializer):
    lines = FeeLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                     help_text="Null while any line has no amount.")


class PermitTypeCardSerializer(PermitTypeSummarySerializer):
    requirements_ar = serializers.ListField(child=serializers.CharField())
    requirements_en = serializers.ListField(child=serializers.CharField())
    fields = FormFieldSerializer(many=True)
    documents = DocumentKindSerializer(many=True)
    parties = PartyRuleSerializer(many=True)
    fees = FeeLineSerializer(many=True, allow_null=True,
                             help_text="For the municipality (or class) asked for; null when "
                                       "none was asked for.")


class ApplicationPartySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    licence_number = serializers.CharField(allow_blank=True,
                                           help_text="An office's or contractor's licence.")
    consent = serializers.ChoiceField(choices=ConsentStatus.choices)


class ApplicationDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class ApplicationFeeSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=FeeStage.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    billing_account = serializers.CharField(help_text="The SADAD bill number to pay.")
    biller_code = serializers.CharField(help_text="The portal's SADAD biller code.")
    due_date = serializers.DateField()
    paid_at = serializers.DateTimeField(allow_null=True)


class ApplicationSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.ChoiceField(choices=ApplicationKind.choices)
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    permit_type = NamedSerializer()
    municipality = NamedSerializer()
    owner_name_ar = serializers.CharField(allow_blank=True)
    owner_name_en = serializers.CharField(allow_blank=True)
    case_number = serializers.CharField(allow_null=True,
                                        help_text="The transaction, once submitted.")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    row_version = serializers.IntegerField(
        help_text="Send it back as `expected_version` to act only on what you saw.")


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True),
                                    help_text="By field key: text, whole numbers, numbers as "
                                              "strings with two places, ISO dates, booleans.")
    answers_version = serializers.IntegerField()
    steps = serializers.ListField(child=serializers.IntegerField(),
                                  help_text="The form's steps with questions to answer.")
    last_step = serializers.IntegerField()
    is_editable = serializers.BooleanField(help_text="The caller may change this draft.")
    parcel = inline_serializer("ApplicationParcel", {
        "deed_number": serializers.CharField(), "plan_number": serializers.CharField(),
        "parcel_number": serializers.CharField(), "district": serializers.CharField(),
        "area_m2": serializers.DecimalField(max_digits=12, decimal_places=2),
    }, allow_null=True)
    parties = ApplicationPartySerializer(many=True)
    documents = ApplicationDocumentSerializer(many=True)
    fees = ApplicationFeeSerializer(many=True)


# --- Presenting -------------------------------------------------------------------------------


def _named(obj) -> dict:
    return {"code": obj.code, "name_ar": obj.name_ar, "name_en": obj.name_en or obj.name_ar}


def _type_summary(permit_type: PermitType) -> dict:
    return {"code": permit_type.code, "name_ar": permit_type.name_ar,
            "name_en": permit_type.name_en, "description_ar": permit_type.description_ar,
            "description_en": permit_type.description_en, "filed_by": permit_type.filed_by,
            "owner_consent_required": permit_type.owner_consent_required,
            "expected_days": permit_type.expected_days,
            "validity_months": permit_type.validity_months}


def _fee_lines(lines) -> list[dict]:
    return [{"stage": line.stage, "label_ar": line.label("ar"), "label_en": line.label("en"),
             "amount": line.amount, "rule": line.kind, "rate": line.rate,
             "minimum": line.minimum, "unit_ar": line.unit_ar, "unit_en": line.unit_en,
             "quantity_field": line.quantity_field, "quantity": line.quantity,
             "minimum_applied": line.minimum_applied, "pending_ar": line.pending_ar,
             "pending_en": line.pending_en} for line in lines]


def _summary(application) -> dict:
    owner = application.owner_person or application.owner_establishment
    return {
        "reference": application.reference, "kind": application.kind,
        "status": application.status, "permit_type": _named(application.permit_type),
        "municipality": _named(application.municipality),
        "owner_name_ar": owner.name_ar if owner else "",
        "owner_name_en": (owner.name_en or owner.name_ar) if owner else "",
        "case_number": application.case.number if application.case_id else None,
        "created_at": application.created_at, "submitted_at": application.submitted_at,
        "updated_at": application.updated_at, "row_version": application.row_version,
    }


def _party(party) -> dict:
    someone = party.person or (party.office.establishment if party.office else None) \
        or party.establishment
    return {"role": party.role, "name_ar": someone.name_ar if someone else "",
            "name_en": (someone.name_en or someone.name_ar) if someone else "",
            "licence_number": party.office.licence_number if party.office else "",
            "consent": party.consent}


def _detail(application, user) -> dict:
    page = application_page_get(application=application)
    parcel = application.parcel
    return ApplicationDetailSerializer({
        **_summary(application), "answers": application.answers or {},
        "answers_version": application.answers_version,
        "steps": steps_shown(page.fields, application.answers or {}),
        "last_step": application.last_step,
        "is_editable": application.status == ApplicationStatus.DRAFT
        and application_is_filer_side(application, user),
        "parcel": None if parcel is None else {
            "deed_number": parcel.deed_number, "plan_number": parcel.plan_number,
            "parcel_number": parcel.parcel_number, "district": parcel.district.code,
            "area_m2": parcel.area_m2},
        "parties": [_party(p) for p in page.parties],
        "documents": [{"id": d.pk, "kind": d.kind, "version": d.version,
                       "name": d.original_name, "content_type": d.content_type,
                       "size": d.size, "uploaded_at": d.uploaded_at} for d in page.documents],
        "fees": [{"stage": f.stage, "amount": f.amount,
                  "billing_account": f.bill.billing_account,
                  "biller_code": settings.SADAD_BILLER_ID, "due_date": f.bill.due_date,
                  "paid_at": f.paid_at} for f in page.fees],
    }).data


def _application(request, reference: str):
    application = application_get_for(request.user, reference[:16])
    if application is None:
        raise application_not_found()
    return application


def _refused(exc: DomainError, errors: dict[str, list[str]]) -> Response:
    """The API's error body with `errors`: each reason, keyed by the field (or the rule)."""
    body = {"code": exc.code, "detail": exc.message, "detail_ar": exc.message_ar,
            "detail_en": exc.message_en, "errors": errors}
    if exc.field:
        body["field"] = exc.field
    return Response(body, status=exc.status)


def _municipality(code: str | None, municipality_class: int | None):
    if code:
        municipality = municipality_by_code(code)
        if municipality is None:
            raise NotFound("permits.municipality_not_found", "لا توجد بلدية بهذا الرمز.",
                           "There is no municipality with this code.", field="municipality")
        return municipality
    if municipality_class:
        # Only the class prices a fee; an unsaved municipality of that class stands for any.
        return Municipality(code="", name_ar="", name_en="",
                            municipality_class=municipality_class)
    return None


def _type_or_404(code: str) -> PermitType:
    permit_type = (PermitType.objects.select_related("eservice")
                   .filter(code=code[:40], is_active=True).first())
    if permit_type is None:
        raise NotFound("permits.type_not_found", "لا توجد خدمة بهذا الرمز.",
                       "There is no such service.", field="permit_type")
    return permit_type


# --- Service cards and the fee preview (public) ------------------------------------------------


class PermitTypeListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["permits"], operation_id="permits_types_list",
        summary="The permit services (public)",
        description="Every active permit type, in display order. No sign-in needed.",
        responses={200: PermitTypeSummarySerializer(many=True), **api_errors(400)},
    )
    def get(self, request):
        types = PermitType.objects.filter(is_active=True).order_by("display_order", "code")
        return Response(PermitTypeSummarySerializer([_type_summary(t) for t in types],
                                                    many=True).data)


class PermitTypeCardApi(APIView):
    permission_classes = [AllowAny]

    class QuerySerializer(serializers.Serializer):
        municipality = serializers.CharField(required=False, max_length=8,
                                             help_text="Price the fees for this municipality.")
        municipality_class = serializers.IntegerField(
            required=False, min_value=1, max_value=5,
            help_text="Or price them for a class of municipality (1 to 5).")

    @extend_schema(
        tags=["permits"], operation_id="permits_type_card",
        summary="A permit service's card: its questions, documents, parties and fees (public)",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH,
                                     description="The type's code, e.g. `building_new`."),
                    QuerySerializer],
        responses={200: PermitTypeCardSerializer, **api_errors(
            400, 404, e404="`permits.type_not_found`, `permits.municipality_not_found`")},
    )
    def get(self, request, code: str):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        permit_type = _type_or_404(code)
        municipality = _municipality(query.validated_data.get("municipality"),
                                     query.validated_data.get("municipality_class"))
        fields = list(permit_type.fields.all())
        return Response(PermitTypeCardSerializer({
            **_type_summary(permit_type),
            "requirements_ar": permit_type.requirements("ar"),
            "requirements_en": permit_type.requirements("en"),
            "fields": [{"key": f.key, "step": f.step, "kind": f.kind, "label_ar": f.label_ar,
                        "label_en": f.label_en, "help_ar": f.help_ar, "help_en": f.help_en,
                        "unit_ar": f.unit_ar, "unit_en": f.unit_en, "required": f.required,
                        "min_value": f.min_value, "max_value": f.max_value,
                        "max_length": f.max_length, "pattern": f.pattern,
                        "choices": [{"value": str(c.get("value")), "ar": str(c.get("ar", "")),
                                     "en": str(c.get("en", ""))} for c in f.choices or []],
                        "shown_when": f.shown_when or {}} for f in fields],
            "documents": [{"kind": d.kind, "name_ar": d.name_ar, "name_en": d.name_en,
                           "content_types": list(d.content_types or []),
                           "max_bytes": d.max_bytes, "supplied_by": d.supplied_by,
                           "required": d.required} for d in permit_type.documents.all()],
            "parties": [{"role": p.role, "required": p.required}
                        for p in permit_type.parties.order_by("id")],
            "fees": None if municipality is None else _fee_lines(fee_preview(
                permit_type=permit_type, municipality=municipality, answers={})),
        }).data)


class FeePreviewApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="PermitFeePreviewRequest")
    class InputSerializer(serializers.Serializer):
        permit_type = serializers.CharField(max_length=40, help_text="The type's code.")
        municipality = serializers.CharField(max_length=8, help_text="The municipality's code.")
        answers = serializers.DictField(child=serializers.JSONField(allow_null=True),
                                        required=False, default=dict,
                                        help_text="Answers so far, by field key.")

    @extend_schema(
        tags=["permits"], operation_id="permits_fee_preview",
        summary="What an application would cost, stage by stage (public)",
        description="Each stage the type bills, priced today for the municipality from the "
                    "answers given: a stage billed per unit says what it depends on while "
                    "that answer is missing.",
        request=InputSerializer,
        responses={200: FeePreviewSerializer, **api_errors(
            400, 404, e404="`permits.type_not_found`, `permits.municipality_not_found`")},
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        permit_type = _type_or_404(data["permit_type"])
        municipality = _municipality(data["municipality"], None)
        lines = fee_preview(permit_type=permit_type, municipality=municipality,
                            answers=data["answers"])
        return Response(FeePreviewSerializer({"lines": _fee_lines(lines),
                                              "total": fee_total(lines)}).data)


# --- Applications -----------------------------------------------------------------------------


class ApplicationListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(required=False, min_value=1, max_value=_ID_MAX,
                                        help_text="Page number, from 1.")

    @extend_schema(
        tags=["permits"], operation_id="permits_applications_list",
        summary="The applications the caller is a party to",
        description="As owner, named party, filer or one of the filing office's people; "
                    f"newest first, 50 a page, counted up to {COUNT_CAP:,}.",
        parameters=[FilterSerializer],
        responses={200: inline_serializer("PaginatedPermitApplicationList", {
            "count": serializers.IntegerField(),
            "count_is_capped": serializers.BooleanField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": ApplicationSummarySerializer(many=True),
        }), **api_errors(400, 403, 404, e404="`not_found`: a page past the last")},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(application_list_for_party(user=request.user),
                                           request, view=self)
        return paginator.get_paginated_response(
            ApplicationSummarySerializer([_summary(a) for a in page], many=True).data)

    @extend_schema_serializer(component_name="PermitApplicationCreate")
    class InputSerializer(serializers.Serializer):
        permit_type = serializers.CharField(max_length=40, help_text="The type's code.")
        municipality = serializers.CharField(
            max_length=8, required=False,
            help_text="The municipality's code; the caller's own when left out.")
        owner_national_id = serializers.CharField(
            max_length=20, required=False, allow_blank=True,
            help_text="For an office or contractor filing: the owner's national ID or iqama.")
        office_id = serializers.IntegerField(
            required=False, min_value=1, max_value=_ID_MAX,
            help_text="Which office files, for someone who works for several.")
        base_permit_number = serializers.CharField(
            max_length=32, required=False, allow_blank=True,
            help_text="For a type on an existing permit: that permit's number.")

    @extend_schema(
        tags=["permits"], operation_id="permits_applications_create",
        summary="Start a draft application",
        description="Where the type's rollout allows. An owner-filed type is filed by the "
                    "owner; an office or contractor type by a person working for a licensed "
                    "one, for an owner named by ID number.",
        request=InputSerializer,
        responses={201: ApplicationDetailSerializer, **api_errors(
            400, 403, 404,
            e400="`validation_error`, `permits.owner_required`, `permits.owner_unknown`, "
                 "`permits.office_choose`, `permits.base_permit_required`, "
                 "`permits.base_permit_unknown`, `rollout.service_off`, `identity.*`",
            e403="`auth.not_authenticated`, `permits.citizens_only`, "
                 "`permits.office_required`, `permits.contractor_required`, "
                 "`permits.office_not_yours`, `permits.owner_files`, `rollout.pilot_only`",
            e404="`permits.type_not_found`, `permits.municipality_not_found`")},
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        municipality = _municipality(data.get("municipality"), None)
        application = application_draft_create(
            user=request.user, permit_type_code=data["permit_type"], municipality=municipality,
            on_behalf_of_owner_id=data.get("owner_national_id") or None,
            office_id=data.get("office_id"),
            base_permit_number=data.get("base_permit_number") or None)
        application = _application(request, application.reference)
        return Response(_detail(application, request.user), status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    @extend_schema(
        tags=["permits"], operation_id="permits_applications_detail",
        summary="One application: its status, answers, parcel, parties, documents and fees",
        parameters=[_REFERENCE],
        responses={200: ApplicationDetailSerializer, **api_errors(
            400, 403, 404, e400="`request.unsafe_characters`", e404=_NOT_FOUND)},
    )
    def get(self, request, reference: str):
        return Response(_detail(_application(request, reference), request.user))


class ApplicationAnswersApi(APIView):
    @extend_schema_serializer(component_name="PermitApplicationAnswers")
    class InputSerializer(serializers.Serializer):
        step = serializers.IntegerField(min_value=1, max_value=1000)
        answers = serializers.DictField(child=serializers.JSONField(allow_null=True),
                                        help_text="The step's answers, by field key.")
        expected_version = serializers.IntegerField(required=False, min_value=1,
                                                    max_value=_VERSION_MAX)

    @extend_schema(
        tags=["permits"], operation_id="permits_applications_answers",
        summary="Save one step of a draft's answers",
        description="The step's answers are checked against its questions and merged into "
                    "the draft's; answers to questions they hide are dropped. Refused "
                    "answers come back as `permits.answers_invalid` with `errors` by field.",
        parameters=[_REFERENCE], request=InputSerializer,
        responses={200: ApplicationDetailSerializer, **api_errors(
            400, 403, 404, 409,
            e400="`validation_error`, `permits.answers_invalid`, `permits.step_unknown`",
            e403="`permits.not_the_filer`", e404=_NOT_FOUND,
            e409="`permits.application_not_draft`, `permits.application_changed`")},
    )
    def post(self, request, reference: str):
        application = _application(request, reference)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            application_answers_save(application_id=application.pk, user=request.user,
                                     step=data["step"], data=data["answers"],
                                     expected_version=data.get("expected_version"))
        except AnswersInvalid as invalid:
            errors: dict[str, list[str]] = {}
            for error in invalid.errors:
                errors.setdefault(error.field, []).append(error.message())
            return _refused(invalid, errors)
        return Response(_detail(_application(request, reference), request.user))


class ApplicationDocumentApi(APIView):
    @extend_schema_serializer(component_name="PermitApplicationDocument")
    class InputSerializer(serializers.Serializer):
        kind = serializers.SlugField(max_length=40, help_text="The document's kind.")
        # Empty files go on to the upload service, which refuses them with its own code.
        file = serializers.FileField(allow_empty_file=True)
        expected_version = serializers.IntegerField(required=False, min_value=1,
                                                    max_value=_VERSION_MAX)

    @extend_schema(
        tags=["permits"], operation_id="permits_applications_document",
        summary="Upload a document to a draft (multipart)",
        description="Checked by content against the kind's types and size; a new upload of a "
                    "kind replaces the current one, which is kept as an earlier version.",
        parameters=[_REFERENCE],
        request={"multipart/form-data": InputSerializer},
        responses={201: ApplicationDetailSerializer, **api_errors(
            400, 403, 404, 409, 413,
            e400=f"`validation_error`, `permits.document_kind_unknown`, {_UPLOAD_400}",
            e403="`permits.not_the_filer`", e404=_NOT_FOUND, e413="`upload.too_large`",
            e409="`permits.application_not_draft`, `permits.application_changed`")},
    )
    def post(self, request, reference: str):
        application = _application(request, reference)
        upload_refusal_raise(request)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        application_document_upload(application_id=application.pk, user=request.user,
                                    kind=data["kind"], file=data["file"],
                                    expected_version=data.get("expected_version"))
        return Response(_detail(_application(request, reference), request.user),
                        status=status.HTTP_201_CREATED)


class ApplicationSubmitApi(APIView):
    @extend_schema_serializer(component_name="PermitApplicationSubmit")
    class InputSerializer(serializers.Serializer):
        expected_version = serializers.IntegerField(required=False, min_value=1,
                                                    max_value=_VERSION_MAX)

    @extend_schema(
        tags=["permits"], operation_id="permits_applications_submit",
        summary="Submit a draft",
        description="Everything is checked at once: the service offered in the municipality, "
                    "every required answer, document and party, the parcel, and the type's "
                    "prerequisites (e.g. no unpaid fines). A refusal is "
                    "`permits.submission_refused` with every reason in `errors`, keyed by the "
                    "field or the rule, and changes nothing. A type needing the owner's "
                    "consent, filed by someone else, then waits for it (`awaiting_consent`); "
                    "otherwise the municipality receives it (`in_review`, `case_number`) and "
                    "the application fee is billed where the type has one (`fees`).",
        parameters=[_REFERENCE], request=InputSerializer,
        responses={200: ApplicationDetailSerializer, **api_errors(
            400, 403, 404, 409,
            e400="`validation_error`, `permits.submission_refused`", e403="`permits.not_the_filer`",
            e404=_NOT_FOUND,
            e409="`permits.already_submitted`, `permits.application_changed`")},
    )
    def post(self, request, reference: str):
        application = _application(request, reference)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            application_submit(application_id=application.pk, user=request.user,
                               expected_version=payload.validated_data.get("expected_version"))
        except SubmissionRefused as refused:
            errors: dict[str, list[str]] = {}
            for refusal in refused.refusals:
                errors.setdefault(refusal.field or refusal.code, []).append(refusal.reason())
            return _refused(refused, errors)
        return Response(_detail(_application(request, reference), request.user))


urlpatterns = [
    path("permits/types/", PermitTypeListApi.as_view(), name="type_list"),
    path("permits/types/<str:code>/", PermitTypeCardApi.as_view(), name="type_card"),
    path("permits/fee-preview/", FeePreviewApi.as_view(), name="fee_preview"),
    path("permits/applications/", ApplicationListApi.as_view(), name="application_list"),
    path("permits/applications/<str:reference>/", ApplicationDetailApi.as_view(),
         name="application_detail"),
    path("permits/applications/<str:reference>/answers/", ApplicationAnswersApi.as_view(),
         name="application_answers"),
    path("permits/applications/<str:reference>/documents/", ApplicationDocumentApi.as_view(),
         name="application_document"),
    path("permits/applications/<str:reference>/submit/", ApplicationSubmitApi.as_view(),
         name="application_submit"),
]
