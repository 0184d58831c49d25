"""JSON API of commercial licences (issue 10), under /api/v1/licences/:

- `activities/` — the public catalogue of activities a licence can cover;
- `fee-preview/` — what a licence would cost (public), line by line, under the activities'
  highest tariff;
- `applications/` — an establishment's delegate (or an integrator acting for a signed-in
  delegate) files a licence in one call: draft, activities, shop, answers, declaration, submit,
  through the same services as the pages (part A's);
- `applications/<reference>/` — where a licence application is: status, path, bills, licence;
- `licences/<number>/` — one licence or sub-permit (its holder's delegates, parties, staff of
  its municipality; 404 for anyone else, as for permits);
- `verify/<token>/` — public verification, the permits' answer plus the activities.

Errors are the project's: a stable `code`, bilingual messages, the `field` at fault.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
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

from .. import permit_selectors
from ..api_apply import _fee_lines, _municipality, _refused
from ..api_permits import STATUS_WORDS, PermitVerifyThrottle
from ..enums import ApplicationStatus, FeeStage, PermitStatus
from ..models import Activity, Application, Permit, PermitType
from ..selectors import application_get_for
from ..services.applications import application_not_found
from ..services.fees import fee_preview, fee_total
from ..services.permits import permit_not_found
from .catalogue import LICENCE_CODE

_MAX_ACTIVITIES = 5
_REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH,
                              description="The application's reference, e.g. `PA3F9C01B2D4E6`.")
_NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH,
                           description="The licence's number, e.g. `CL-KHB-1448-000123`.")
_TOKEN = OpenApiParameter("token", str, OpenApiParameter.PATH,
                          description="The verification token the certificate's QR code carries.")
INSTANT, REVIEWED = "instant", "reviewed"


def _licence_family(permit_type: PermitType) -> bool:
    """The licence itself and the sub-permits hanging from it: what this API answers for."""
    return permit_type.uses_activities or permit_type.is_sub_permit


def _licence_type() -> PermitType:
    permit_type = (PermitType.objects.select_related("eservice")
                   .filter(code=LICENCE_CODE, is_active=True).first())
    if permit_type is None:
        raise NotFound("permits.type_not_found", "لا توجد خدمة بهذا الرمز.",
                       "There is no such service.", field="permit_type")
    return permit_type


def _activities_or_refuse(codes: list[str]) -> list[Activity]:
    """The active catalogue activities of `codes`, in the order given; an unknown or repeated
    code refuses, naming it."""
    if len(set(codes)) != len(codes):
        raise DomainError("licences.activity_repeated", "تكرر نشاط في القائمة.",
                          "An activity is listed twice.", field="activities")
    found = {a.code: a for a in Activity.objects.filter(code__in=codes, is_active=True)}
    for code in codes:
        if code not in found:
            raise DomainError("licences.activity_unknown",
                              f"لا يوجد نشاط فعّال بالرمز {code}.",
                              f"There is no active activity with the code {code}.",
                              field="activities")
    return [found[code] for code in codes]


def _path(activities) -> str | None:
    """Instant when every activity is; reviewed when any is not; None before any is chosen."""
    if not activities:
        return None
    return INSTANT if all(a.is_instant for a in activities) else REVIEWED


# --- Shapes -----------------------------------------------------------------------------------


class LicenceNamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class LicenceActivityDocumentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    help_ar = serializers.CharField(allow_blank=True)
    help_en = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()
    content_types = serializers.ListField(child=serializers.CharField())
    max_bytes = serializers.IntegerField()


class LicenceActivitySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISIC-based, e.g. `471101`.")
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    instant = serializers.BooleanField(help_text="Licensed at once against a self-declaration; "
                                                 "otherwise reviewed (a case).")
    min_area_m2 = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    allowed_zones = serializers.ListField(child=serializers.CharField(),
                                          help_text="Zone codes; empty: any zone.")
    civil_defence_required = serializers.BooleanField()
    fee_tariff = serializers.CharField(allow_blank=True,
                                       help_text="The fee tariff that prices it; empty: the "
                                                 "standard one.")
    self_declaration_ar = serializers.CharField(allow_blank=True)
    self_declaration_en = serializers.CharField(allow_blank=True)
    documents = LicenceActivityDocumentSerializer(many=True)
    sub_permits = LicenceNamedSerializer(many=True,
                                         help_text="Sub-permit types a licence with it may add.")


class LicenceFeeLineSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=FeeStage.choices)
    label_ar = serializers.CharField()
    label_en = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    rule = serializers.CharField(allow_blank=True)
    rate = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    minimum = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    minimum_applied = serializers.BooleanField()
    unit_ar = serializers.CharField(allow_blank=True)
    unit_en = serializers.CharField(allow_blank=True)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                        help_text="m² (or months left) for one year.")
    years = serializers.IntegerField(allow_null=True,
                                     help_text="A per-year stage: the quantity counts this "
                                               "many times.")
    tariff = serializers.CharField(allow_blank=True,
                                   help_text="The tariff that priced it; empty: standard.")


class LicenceFeePreviewSerializer(serializers.Serializer):
    lines = LicenceFeeLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class LicenceBillSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=FeeStage.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    billing_account = serializers.CharField(help_text="The SADAD bill number to pay.")
    biller_code = serializers.CharField()
    due_date = serializers.DateField()
    paid_at = serializers.DateTimeField(allow_null=True)


class LicenceApplicationSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    permit_type = LicenceNamedSerializer()
    municipality = LicenceNamedSerializer()
    establishment = inline_serializer("LicenceEstablishment", {
        "unified_number": serializers.CharField(), "name_ar": serializers.CharField(),
        "name_en": serializers.CharField(allow_blank=True)}, allow_null=True)
    activities = LicenceNamedSerializer(many=True)
    path = serializers.ChoiceField(choices=[INSTANT, REVIEWED], allow_null=True)
    case_number = serializers.CharField(allow_null=True)
    bills = LicenceBillSerializer(many=True)
    licence_number = serializers.CharField(allow_null=True,
                                           help_text="Once issued.")


class LicenceDetailRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label_ar = serializers.CharField()
    label_en = serializers.CharField()
    value = serializers.JSONField()


class LicenceSubPermitSerializer(serializers.Serializer):
    number = serializers.CharField()
    permit_type = LicenceNamedSerializer()
    status = serializers.ChoiceField(choices=PermitStatus.choices)
    valid_until = serializers.DateField(allow_null=True)


class LicenceDetailSerializer(serializers.Serializer):
    number = serializers.CharField()
    permit_type = LicenceNamedSerializer()
    status = serializers.ChoiceField(choices=PermitStatus.choices)
    municipality = LicenceNamedSerializer()
    holder_name_ar = serializers.CharField()
    holder_name_en = serializers.CharField(allow_blank=True)
    holder_id_masked = serializers.CharField()
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    details = LicenceDetailRowSerializer(many=True)
    activities = LicenceNamedSerializer(many=True)
    parent_number = serializers.CharField(allow_null=True,
                                          help_text="A sub-permit's licence.")
    sub_permits = LicenceSubPermitSerializer(many=True)
    verification_token = serializers.CharField()


class LicenceVerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    permit_type = LicenceNamedSerializer()
    status = serializers.ChoiceField(choices=PermitStatus.choices)
    status_ar = serializers.CharField()
    status_en = serializers.CharField()
    holder_name_ar = serializers.CharField()
    holder_name_en = serializers.CharField(allow_blank=True)
    holder_id_masked = serializers.CharField()
    municipality = LicenceNamedSerializer()
    parcel = inline_serializer("LicenceVerifyParcel", {
        "plan_number": serializers.CharField(), "parcel_number": serializers.CharField(),
        "district": LicenceNamedSerializer()}, allow_null=True)
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    activities = LicenceNamedSerializer(many=True)
    parent_number = serializers.CharField(allow_null=True)


def _named(obj) -> dict:
    return {"code": getattr(obj, "code", ""), "name_ar": obj.name_ar,
            "name_en": obj.name_en or obj.name_ar}


def _permit_activities(permit: Permit) -> list[dict]:
    """The licence's activities as approved (details["activities"], in order; one query)."""
    codes = [str(c) for c in (permit.details or {}).get("activities") or []]
    if not codes:
        return []
    found = {a.code: a for a in Activity.objects.filter(code__in=codes)}
    return [_named(found[c]) if c in found else {"code": c, "name_ar": c, "name_en": c}
            for c in codes]


def _holder(permit: Permit) -> dict:
    person, establishment = permit.holder_person, permit.holder_establishment
    holder = person or establishment
    number = person.national_id if person else establishment.unified_number
    return {"holder_name_ar": holder.name_ar, "holder_name_en": holder.name_en or "",
            "holder_id_masked": permit_selectors.masked_id(number)}


# --- Public: the activities and the fee preview ----------------------------------------------


class ActivityListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["licences"], operation_id="licences_activities_list",
        summary="The activities a shop licence can cover (public)",
        description="Every active activity, in catalogue order: instant or reviewed, where and "
                    "in how much space, whether a civil defence certificate is needed, the "
                    "documents it asks for and the sub-permits it allows.",
        responses={200: LicenceActivitySerializer(many=True), **api_errors(
            429, e429="`rate_limited`: too many requests from this address")},
    )
    def get(self, request):
        activities = (Activity.objects.filter(is_active=True)
                      .prefetch_related("documents", "sub_permit_types")
                      .order_by("display_order", "code"))
        return Response(LicenceActivitySerializer([{
            "code": a.code, "name_ar": a.name_ar, "name_en": a.name_en,
            "instant": a.is_instant, "min_area_m2": a.min_area_m2,
            "allowed_zones": list(a.allowed_zones or []),
            "civil_defence_required": a.civil_defence_required, "fee_tariff": a.fee_variant,
            "self_declaration_ar": a.self_declaration_ar,
            "self_declaration_en": a.self_declaration_en,
            "documents": [{"kind": d.kind, "name_ar": d.name_ar, "name_en": d.name_en,
                           "help_ar": d.help_ar, "help_en": d.help_en, "required": d.required,
                           "content_types": list(d.content_types or []),
                           "max_bytes": d.max_bytes}
                          for d in sorted(a.documents.all(), key=lambda d: (d.order, d.pk))],
            "sub_permits": [_named(t) for t in sorted(a.sub_permit_types.all(),
                                                      key=lambda t: t.code)],
        } for a in activities], many=True).data)


class LicenceFeePreviewApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="LicenceFeePreviewRequest")
    class InputSerializer(serializers.Serializer):
        municipality = serializers.CharField(max_length=8, help_text="The municipality's code.")
        activities = serializers.ListField(child=serializers.CharField(max_length=10),
                                           min_length=1, max_length=_MAX_ACTIVITIES,
                                           help_text="Activity codes, 1 to 5.")
        shop_area_m2 = serializers.DecimalField(max_digits=9, decimal_places=2,
                                                min_value=Decimal("1"),
                                                max_value=Decimal("100000"))
        signage_area_m2 = serializers.DecimalField(max_digits=6, decimal_places=2,
                                                   min_value=Decimal("0"),
                                                   max_value=Decimal("500"), required=False,
                                                   default=Decimal("0"))
        years = serializers.IntegerField(min_value=1, max_value=3, default=1)

    @extend_schema(
        tags=["licences"], operation_id="licences_fee_preview",
        summary="What a shop licence would cost (public)",
        description="The issuance fee per m² per year and, with a sign, the signage fee per m² "
                    "per year, priced today for the municipality under the highest tariff "
                    "the activities name.",
        request=InputSerializer,
        responses={200: LicenceFeePreviewSerializer, **api_errors(
            400, 404, e400="`validation_error`, `licences.activity_unknown`, "
                           "`licences.activity_repeated`",
            e404="`permits.municipality_not_found`, `permits.type_not_found`")},
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        permit_type = _licence_type()
        municipality = _municipality(data["municipality"], None)
        activities = _activities_or_refuse(data["activities"])
        signage = data["signage_area_m2"]
        answers = {"shop_area_m2": f"{data['shop_area_m2']:.2f}",
                   "validity_years": str(data["years"])}
        stages = [FeeStage.ISSUANCE]
        if signage > 0:
            answers["signage_area_m2"] = f"{signage:.2f}"
            stages.append(FeeStage.SIGNAGE)
        lines = fee_preview(permit_type=permit_type, municipality=municipality,
                            answers=answers, stages=stages, activities=activities)
        return Response(LicenceFeePreviewSerializer({
            "lines": [{**row, "years": line.years, "tariff": line.variant}
                      for row, line in zip(_fee_lines(lines), lines, strict=True)],
            "total": fee_total(lines)}).data)


# --- Applications -----------------------------------------------------------------------------


def _application_answer(application: Application) -> dict:
    activities = [row.activity for row in application.activities.select_related("activity")
                  .order_by("order", "pk")]
    establishment = application.owner_establishment
    licence = (Permit.objects.filter(application=application).values_list("number", flat=True)
               .first())
    return {
        "reference": application.reference, "status": application.status,
        "permit_type": _named(application.permit_type),
        "municipality": _named(application.municipality),
        "establishment": None if establishment is None else {
            "unified_number": establishment.unified_number, "name_ar": establishment.name_ar,
            "name_en": establishment.name_en or ""},
        "activities": [_named(a) for a in activities], "path": _path(activities),
        "case_number": application.case.number if application.case_id else None,
        "bills": [{"stage": f.stage, "amount": f.amount,
                   "billing_account": f.bill.billing_account,
                   "biller_code": settings.SADAD_BILLER_ID, "due_date": f.bill.due_date,
                   "paid_at": f.paid_at}
                  for f in application.fees.select_related("bill").order_by("pk")],
        "licence_number": licence,
    }


class LicenceApplicationCreateApi(APIView):
    @extend_schema_serializer(component_name="LicenceApplicationRequest")
    class InputSerializer(serializers.Serializer):
        establishment = serializers.CharField(max_length=10,
                                              help_text="The establishment's unified number; "
                                                        "the caller must be its delegate.")
        municipality = serializers.CharField(max_length=8)
        activities = serializers.ListField(child=serializers.CharField(max_length=10),
                                           min_length=1, max_length=_MAX_ACTIVITIES)
        # The shop's place, flat (errors are reported per field): its deed, as the
        # registry knows it, and a point inside the district.
        deed_number = serializers.CharField(max_length=20)
        deed_date = serializers.DateField(required=False, allow_null=True, default=None)
        district = serializers.CharField(max_length=40)
        latitude = serializers.DecimalField(max_digits=10, decimal_places=7)
        longitude = serializers.DecimalField(max_digits=10, decimal_places=7)
        answers = serializers.DictField(child=serializers.JSONField(allow_null=True),
                                        help_text="The licence form's answers by field key.")
        declaration_accepted = serializers.BooleanField(
            default=False, help_text="Required for an instant licence: the delegate accepts "
                                     "the activities' self-declaration.")

    @extend_schema(
        tags=["licences"], operation_id="licences_applications_create",
        summary="File a shop licence in one call (an establishment's delegate)",
        description="Starts the draft for the establishment, sets its activities, shop and "
                    "answers, and submits it: all or nothing. An instant licence comes back "
                    "`awaiting_fee` with its bills; a reviewed one `in_review` with its case.",
        request=InputSerializer,
        responses={201: LicenceApplicationSerializer, **api_errors(
            400, 403, 404, 409,
            e400="`validation_error`, `permits.submission_refused` (with `errors`), "
                 "`permits.declaration_required`, `licences.activity_unknown`, "
                 "`permits.answers_invalid`",
            e403="`permits.not_a_representative`, `permits.establishment_required`",
            e404="`permits.municipality_not_found`, `permits.establishment_not_found`")},
    )
    def post(self, request):
        from amanah.models import Establishment

        from ..services.drafts import (
            AnswersInvalid,
            application_answers_save,
            application_draft_create,
        )
        from ..services.parcels import application_parcel_set
        from ..services.submission import SubmissionRefused, application_submit

        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        municipality = _municipality(data["municipality"], None)
        establishment = Establishment.objects.filter(
            unified_number=data["establishment"]).first()
        if establishment is None:
            raise NotFound("permits.establishment_not_found", "لا توجد منشأة بهذا الرقم.",
                           "There is no establishment with this unified number.",
                           field="establishment")
        _activities_or_refuse(data["activities"])
        user = request.user
        # Part A's: imported here so that the refusals above stand without it.
        from .services import licence_activities_set

        try:
            with transaction.atomic():
                application = application_draft_create(
                    user=user, permit_type_code=LICENCE_CODE, municipality=municipality,
                    establishment_id=establishment.pk)
                licence_activities_set(application_id=application.pk, user=user,
                                       activity_codes=list(data["activities"]))
                application_parcel_set(
                    application_id=application.pk, user=user,
                    deed_number=data["deed_number"], deed_date=data["deed_date"],
                    district_code=data["district"], latitude=data["latitude"],
                    longitude=data["longitude"])
                steps = sorted({f.step for f in application.permit_type.fields.all()})
                for step in steps:
                    application_answers_save(application_id=application.pk, user=user,
                                             step=step, data=data["answers"])
                application_submit(application_id=application.pk, user=user,
                                   declaration_accepted=data["declaration_accepted"])
        except SubmissionRefused as refused:
            errors: dict[str, list[str]] = {}
            for refusal in refused.refusals:
                errors.setdefault(refusal.field or refusal.code, []).append(refusal.reason())
            return _refused(refused, errors)
        except AnswersInvalid as invalid:
            errors: dict[str, list[str]] = {}
            for error in invalid.errors:
                errors.setdefault(error.field, []).append(error.message())
            return _refused(invalid, errors)
        application = application_get_for(user, application.reference)
        return Response(LicenceApplicationSerializer(_application_answer(application)).data,
                        status=status.HTTP_201_CREATED)


class LicenceApplicationDetailApi(APIView):
    @extend_schema(
        tags=["licences"], operation_id="licences_applications_detail",
        summary="Where a licence application is: status, path, bills, licence",
        parameters=[_REFERENCE],
        responses={200: LicenceApplicationSerializer, **api_errors(
            400, 403, 404, e404="`permits.application_not_found` (also for an application "
                                "you may not see, or one that is not a licence's)")},
    )
    def get(self, request, reference: str):
        application = application_get_for(request.user, reference[:16])
        if application is None or not _licence_family(application.permit_type):
            raise application_not_found()
        return Response(LicenceApplicationSerializer(_application_answer(application)).data)


# --- Licences ---------------------------------------------------------------------------------


class LicenceDetailApi(APIView):
    @extend_schema(
        tags=["licences"], operation_id="licences_licences_detail",
        summary="One licence or sub-permit: status, holder, details, activities, sub-permits",
        description="For the holding establishment's delegates, the parties of its "
                    "application and staff of its municipality.",
        parameters=[_NUMBER],
        responses={200: LicenceDetailSerializer, **api_errors(
            400, 403, 404, e404="`permits.permit_not_found` (also for one you may not see, "
                                "or a permit that is not a licence)")},
    )
    def get(self, request, number: str):
        from ..services.lifecycle import permit_detail_fields

        permit = permit_selectors.permit_get_for(request.user, number[:32])
        if permit is None or not _licence_family(permit.permit_type):
            raise permit_not_found()
        fields = {f.key: f for f in permit_detail_fields(permit.permit_type)}
        shown = {k: v for k, v in (permit.details or {}).items() if k != "activities"}
        keys = [k for k in fields if k in shown] + sorted(k for k in shown if k not in fields)
        details = [{"key": k, "label_ar": fields[k].label_ar if k in fields else k,
                    "label_en": fields[k].label_en if k in fields else k, "value": shown[k]}
                   for k in keys]
        parent = (Permit.objects.filter(pk=permit.parent_id).values_list("number", flat=True)
                  .first() if permit.parent_id else None)
        subs = permit.sub_permits.select_related("permit_type").order_by("number")
        return Response(LicenceDetailSerializer({
            "number": permit.number, "permit_type": _named(permit.permit_type),
            "status": permit_selectors.permit_status_today(permit),
            "municipality": _named(permit.municipality), **_holder(permit),
            "issued_on": permit.issued_on, "valid_from": permit.valid_from,
            "valid_until": permit.valid_until, "version": permit.version, "details": details,
            "activities": _permit_activities(permit), "parent_number": parent,
            "sub_permits": [{"number": s.number, "permit_type": _named(s.permit_type),
                             "status": permit_selectors.permit_status_today(s),
                             "valid_until": s.valid_until} for s in subs],
            "verification_token": permit.verification_token,
        }).data)


class LicenceVerifyApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PermitVerifyThrottle]

    @extend_schema(
        tags=["licences"], operation_id="licences_verify",
        summary="Verify a licence by its certificate's QR token (public)",
        description="The permits' verification answer plus the licence's activities (and a "
                    "sub-permit's licence). No sign-in; limited per client address.",
        parameters=[_TOKEN],
        responses={200: LicenceVerificationSerializer, **api_errors(
            400, 404, 429, e404="`permits.permit_not_found` (an unknown or malformed token, "
                                "or a permit that is not a licence)")},
    )
    def get(self, request, token: str):
        permit = permit_selectors.permit_get_for_verification(token=token)
        if permit is None or not _licence_family(permit.permit_type):
            raise NotFound("permits.permit_not_found", "لا توجد رخصة بهذا الرمز.",
                           "No permit has this verification code.")
        state = permit_selectors.permit_status_today(permit)
        status_ar, status_en = STATUS_WORDS[state]
        parcel = permit.parcel
        parent = (Permit.objects.filter(pk=permit.parent_id).values_list("number", flat=True)
                  .first() if permit.parent_id else None)
        return Response(LicenceVerificationSerializer({
            "number": permit.number, "permit_type": _named(permit.permit_type),
            "status": state, "status_ar": status_ar, "status_en": status_en,
            **_holder(permit), "municipality": _named(permit.municipality),
            "parcel": None if parcel is None else {
                "plan_number": parcel.plan_number, "parcel_number": parcel.parcel_number,
                "district": _named(parcel.district)},
            "issued_on": permit.issued_on, "valid_until": permit.valid_until,
            "version": permit.version, "activities": _permit_activities(permit),
            "parent_number": parent,
        }).data)


urlpatterns = [
    path("licences/activities/", ActivityListApi.as_view(), name="licence_activities"),
    path("licences/fee-preview/", LicenceFeePreviewApi.as_view(), name="licence_fee_preview"),
    path("licences/applications/", LicenceApplicationCreateApi.as_view(),
         name="licence_application_create"),
    path("licences/applications/<str:reference>/", LicenceApplicationDetailApi.as_view(),
         name="licence_application_detail"),
    path("licences/licences/<str:number>/", LicenceDetailApi.as_view(), name="licence_detail"),
    path("licences/verify/<str:token>/", LicenceVerifyApi.as_view(), name="licence_verify"),
]
