"""JSON API of issued permits (part LIFECYCLE): the caller's permits, one permit by number (the
same access rule as the pages: holder, parties of the issuing application, staff of its
municipality — 404 for anyone else), and the public verification a QR code's token answers
with only what the certificate prints, limited per client address like the page."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from amanah.api_schema import api_errors
from amanah.errors import NotFound
from amanah.pagination import COUNT_CAP, CappedPageNumberPagination
from amanah.ratelimits import limit_check
from amanah.throttles import ScopeLimitThrottle

from . import permit_selectors as selectors
from .enums import PermitStatus
from .services.permits import permit_not_found

_ID_MAX = 2**63 - 1
_NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH,
                           description="The permit's number, e.g. `BP-KHB-1448-000123`.")
_TOKEN = OpenApiParameter("token", str, OpenApiParameter.PATH,
                          description="The verification token the certificate's QR code carries.")
STATUS_WORDS = {
    PermitStatus.VALID: ("سارية", "Valid"),
    PermitStatus.SUSPENDED: ("موقوفة", "Suspended"),
    PermitStatus.CANCELLED: ("ملغاة", "Cancelled"),
    PermitStatus.EXPIRED: ("منتهية", "Expired"),
}


class PermitVerifyThrottle(ScopeLimitThrottle):
    """The verification page's scope: every look-up counts (the token is in the path)."""

    scope = "permit_verify"

    def allow_request(self, request, view) -> bool:
        self._wait = limit_check(request, self.scope, every_request=True)
        return self._wait is None


# --- Shapes -----------------------------------------------------------------------------------


class _Named(serializers.Serializer):
    code = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()


class _Parcel(serializers.Serializer):
    plan_number = serializers.CharField()
    parcel_number = serializers.CharField()
    district = _Named()


class PermitVerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    permit_type = _Named()
    status = serializers.ChoiceField(choices=PermitStatus.choices,
                                     help_text="As of today: a permit past its last day is "
                                               "expired even before the nightly job runs.")
    status_ar = serializers.CharField()
    status_en = serializers.CharField()
    holder_name_ar = serializers.CharField()
    holder_name_en = serializers.CharField(allow_blank=True)
    holder_id_masked = serializers.CharField(help_text="All but the last four digits hidden.")
    municipality = _Named()
    parcel = _Parcel(allow_null=True)
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class _Detail(serializers.Serializer):
    key = serializers.CharField()
    label_ar = serializers.CharField()
    label_en = serializers.CharField()
    value = serializers.JSONField()


class _Version(serializers.Serializer):
    version = serializers.IntegerField()
    made_at = serializers.DateTimeField()
    valid_until = serializers.DateField(allow_null=True)


class PermitSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    permit_type = _Named()
    status = serializers.ChoiceField(choices=PermitStatus.choices)
    municipality = _Named()
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class PermitDetailSerializer(PermitSummarySerializer):
    holder_name_ar = serializers.CharField()
    holder_name_en = serializers.CharField(allow_blank=True)
    holder_id_masked = serializers.CharField()
    parcel = _Parcel(allow_null=True)
    valid_from = serializers.DateField()
    details = _Detail(many=True)
    versions = _Version(many=True)
    replacement_count = serializers.IntegerField()
    is_imported = serializers.BooleanField()
    paper_reference = serializers.CharField(allow_blank=True)
    certificate_ready = serializers.BooleanField()
    verification_token = serializers.CharField(
        help_text="What the certificate's QR code carries (`/api/v1/permits/verify/{token}/`).")


def _named(obj) -> dict:
    return {"code": getattr(obj, "code", ""), "name_ar": obj.name_ar,
            "name_en": obj.name_en or obj.name_ar}


def _holder(permit) -> dict:
    person, establishment = permit.holder_person, permit.holder_establishment
    holder = person or establishment
    number = person.national_id if person else establishment.unified_number
    return {"holder_name_ar": holder.name_ar, "holder_name_en": holder.name_en or "",
            "holder_id_masked": selectors.masked_id(number)}


def _parcel(permit) -> dict | None:
    parcel = permit.parcel
    if parcel is None:
        return None
    return {"plan_number": parcel.plan_number, "parcel_number": parcel.parcel_number,
            "district": _named(parcel.district)}


def _summary(permit) -> dict:
    return {"number": permit.number, "permit_type": _named(permit.permit_type),
            "status": selectors.permit_status_today(permit),
            "municipality": _named(permit.municipality), "issued_on": permit.issued_on,
            "valid_until": permit.valid_until, "version": permit.version}


# --- Views ------------------------------------------------------------------------------------


class PermitListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(required=False, min_value=1, max_value=_ID_MAX,
                                        help_text="Page number, from 1.")

    @extend_schema(
        tags=["permits"], operation_id="permits_permits_list",
        summary="The caller's permits",
        description="Held by the caller (or an establishment they represent), or issued on an "
                    f"application they are a party to; newest first, 50 a page, counted up to "
                    f"{COUNT_CAP:,}.",
        parameters=[FilterSerializer],
        responses={200: inline_serializer("PaginatedPermitList", {
            "count": serializers.IntegerField(),
            "count_is_capped": serializers.BooleanField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": PermitSummarySerializer(many=True),
        }), **api_errors(400, 403, 404, e404="`not_found`: a page past the last")},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(selectors.permit_list_for_person(user=request.user),
                                           request, view=self)
        return paginator.get_paginated_response(
            PermitSummarySerializer([_summary(p) for p in page], many=True).data)


class PermitDetailApi(APIView):
    @extend_schema(
        tags=["permits"], operation_id="permits_permits_detail",
        summary="One permit: status, holder, parcel, approved details, versions",
        parameters=[_NUMBER],
        responses={200: PermitDetailSerializer, **api_errors(
            400, 403, 404, e404="`permits.permit_not_found` (also for a permit you may not "
                                "see)")},
    )
    def get(self, request, number: str):
        from .services.lifecycle import permit_detail_fields

        permit = selectors.permit_get_for(request.user, number)
        if permit is None:
            raise permit_not_found()
        fields = {f.key: f for f in permit_detail_fields(permit.permit_type)}
        # In the form's order, as the page and the certificate list them; keys the type no
        # longer has a field for (a paper permit's own) last, by name.
        keys = [k for k in fields if k in permit.details]
        keys += sorted(k for k in permit.details if k not in fields)
        details = [{"key": key, "label_ar": fields[key].label_ar if key in fields else key,
                    "label_en": fields[key].label_en if key in fields else key,
                    "value": permit.details[key]} for key in keys]
        return Response(PermitDetailSerializer({
            **_summary(permit), **_holder(permit), "parcel": _parcel(permit),
            "valid_from": permit.valid_from, "details": details,
            "versions": list(permit.versions.order_by("version")),
            "replacement_count": permit.replacement_count, "is_imported": permit.is_imported,
            "paper_reference": permit.paper_reference,
            "certificate_ready": selectors.certificate_is_ready(permit),
            "verification_token": permit.verification_token,
        }).data)


class PermitVerifyApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PermitVerifyThrottle]

    @extend_schema(
        tags=["permits"], operation_id="permits_verify",
        summary="Verify a permit by its certificate's QR token (public)",
        description="Whether the permit is genuine and in force, with only what its "
                    "certificate prints (the holder's ID masked). No sign-in; limited per "
                    "client address.",
        parameters=[_TOKEN],
        responses={200: PermitVerificationSerializer, **api_errors(
            400, 404, 429, e404="`permits.permit_not_found` (an unknown or malformed token)")},
    )
    def get(self, request, token: str):
        permit = selectors.permit_get_for_verification(token=token)
        if permit is None:
            raise NotFound("permits.permit_not_found", "لا توجد رخصة بهذا الرمز.",
                           "No permit has this verification code.")
        status = selectors.permit_status_today(permit)
        status_ar, status_en = STATUS_WORDS[status]
        return Response(PermitVerificationSerializer({
            **_summary(permit), "status": status, "status_ar": status_ar,
            "status_en": status_en, **_holder(permit), "parcel": _parcel(permit),
        }).data)


urlpatterns = [
    path("permits/permits/", PermitListApi.as_view(), name="permit_list"),
    path("permits/permits/<str:number>/", PermitDetailApi.as_view(), name="permit_detail"),
    path("permits/verify/<str:token>/", PermitVerifyApi.as_view(), name="permit_verify"),
]
