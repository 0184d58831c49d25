"""API of the violations catalogue and of the caller's own violations, under /api/v1/:

- `violations/catalogue/items/?on=YYYY-MM-DD` — the items in force on a day (today by
  default): fine ranges per municipality class, the shares by size, correction and objection
  periods, repetition and penalties (any signed-in caller);
- `violations/catalogue/checklists/` — the active checklists and their questions;
- `violations/mine/` — the caller's notices (as a person and for every establishment they
  represent), newest first;
- `violations/mine/<number>/` — one of them: lines with the fine's computation, bills,
  objections and penalties. Someone else's notice is 404, as an unknown number is.

What an offender sees is what their page shows (violations.selectors): warnings, and fines
once approved; the inspector is not named.
"""


from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from amanah import clock
from amanah.api_schema import api_errors
from amanah.dates import business_date
from amanah.errors import NotFound
from amanah.pagination import COUNT_CAP, CappedPageNumberPagination

from . import selectors
from .enums import LineStatus, NoticeKind, PenaltyKind, PenaltyLift, ShareSize, ViolationStatus
from .models import Checklist

_ID_MAX = 2**63 - 1
_NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH,
                           description="The notice's number, e.g. `V-KHB-1448-000017`.")


def violation_not_found() -> NotFound:
    return NotFound("violations.not_found", "لا توجد مخالفة بهذا الرقم.",
                    "There is no violation with this number.", field="number")


# --- catalogue -------------------------------------------------------------------------------


class FineRangeSerializer(serializers.Serializer):
    municipality_class = serializers.IntegerField()
    fine_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    fine_max = serializers.DecimalField(max_digits=12, decimal_places=2)


class CatalogueItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    group = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    is_serious = serializers.BooleanField()
    correction_days = serializers.IntegerField(allow_null=True,
                                               help_text="Warned first with this many days to "
                                                         "correct; null: fined at once.")
    repeat_multipliers = serializers.ListField(child=serializers.CharField())
    repeat_cap_factor = serializers.DecimalField(max_digits=5, decimal_places=2)
    repeat_lookback_days = serializers.IntegerField()
    objectionable = serializers.BooleanField()
    objection_days = serializers.IntegerField()
    penalty_kind = serializers.ChoiceField(choices=PenaltyKind.choices, allow_blank=True)
    penalty_days = serializers.IntegerField(allow_null=True)
    penalty_lifts_on = serializers.ChoiceField(choices=PenaltyLift.choices, allow_blank=True)
    fines = FineRangeSerializer(many=True)


class ShareSerializer(serializers.Serializer):
    size = serializers.ChoiceField(choices=ShareSize.choices)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class CatalogueItemsApi(APIView):
    class FilterSerializer(serializers.Serializer):
        on = serializers.DateField(required=False, help_text="The day (default: today, Riyadh).")

    @extend_schema(
        tags=["violations"], operation_id="violations_catalogue_items",
        summary="The violation items in force on a day, with fines, shares and periods",
        parameters=[FilterSerializer],
        responses={200: inline_serializer("ViolationCatalogue", {
            "on": serializers.DateField(),
            "shares": ShareSerializer(many=True),
            "items": CatalogueItemSerializer(many=True),
        }), **api_errors(400, 403, e400="`validation_error`: `on` is not a date")},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        on = filters.validated_data.get("on") or business_date(clock.now())
        items = selectors.items_in_force(on)
        in_force = selectors.shares_in_force(on)
        shares = [{"size": size, "percent": in_force.get(size)} for size in ShareSize.values]
        return Response({
            "on": on.isoformat(),
            "shares": ShareSerializer(shares, many=True).data,
            "items": CatalogueItemSerializer([{
                "code": i.code, "group": i.group.code, "name_ar": i.name_ar,
                "name_en": i.name_en, "effective_from": i.effective_from,
                "effective_to": i.effective_to, "is_serious": i.is_serious,
                "correction_days": i.correction_days,
                "repeat_multipliers": [str(m) for m in i.repeat_multipliers or []],
                "repeat_cap_factor": i.repeat_cap_factor,
                "repeat_lookback_days": i.repeat_lookback_days,
                "objectionable": i.objectionable, "objection_days": i.objection_days,
                "penalty_kind": i.penalty_kind, "penalty_days": i.penalty_days,
                "penalty_lifts_on": i.penalty_lifts_on,
                "fines": [{"municipality_class": f.municipality_class, "fine_min": f.fine_min,
                           "fine_max": f.fine_max}
                          for f in sorted(i.fines.all(), key=lambda f: f.municipality_class)],
            } for i in items], many=True).data,
        })


class ChecklistSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ar = serializers.CharField()
    name_en = serializers.CharField()
    activity_code = serializers.CharField(allow_blank=True)
    permit_type_code = serializers.CharField(allow_blank=True)
    is_general = serializers.BooleanField()
    questions = inline_serializer("ChecklistQuestion", {
        "id": serializers.IntegerField(), "position": serializers.IntegerField(),
        "text_ar": serializers.CharField(), "text_en": serializers.CharField(),
        "item_code": serializers.CharField()}, many=True)


class CatalogueChecklistsApi(APIView):
    @extend_schema(
        tags=["violations"], operation_id="violations_catalogue_checklists",
        summary="The active inspection checklists and their questions",
        responses={200: ChecklistSerializer(many=True), **api_errors(400, 403)},
    )
    def get(self, request):
        checklists = (Checklist.objects.filter(is_active=True).prefetch_related("questions")
                      .order_by("code"))
        return Response(ChecklistSerializer([{
            "code": c.code, "name_ar": c.name_ar, "name_en": c.name_en,
            "activity_code": c.activity_code, "permit_type_code": c.permit_type_code,
            "is_general": c.is_general,
            "questions": [{"id": q.pk, "position": q.position, "text_ar": q.text_ar,
                           "text_en": q.text_en, "item_code": q.item_code}
                          for q in c.questions.all()],
        } for c in checklists], many=True).data)


# --- the caller's violations -----------------------------------------------------------------


class NoticeSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    status = serializers.ChoiceField(choices=ViolationStatus.choices)
    municipality = serializers.CharField(help_text="The municipality's code.")
    recorded_at = serializers.DateTimeField()
    establishment_unified_number = serializers.CharField(allow_null=True)
    correction_due = serializers.DateField(allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_due = serializers.DecimalField(max_digits=12, decimal_places=2)
    billing_account = serializers.CharField(allow_blank=True,
                                            help_text="The open bill to pay; empty: none.")
    objection_until = serializers.DateField(allow_null=True, help_text=(
        "The last day an objection may be filed; null: none may."))


def _summary(v, *, amount_due, billing_account, objection_until) -> dict:
    return {"number": v.number, "kind": v.kind, "status": v.status,
            "municipality": v.municipality.code, "recorded_at": v.recorded_at,
            "establishment_unified_number": (v.establishment.unified_number
                                             if v.establishment_id else None),
            "correction_due": v.correction_due, "total": v.total, "amount_due": amount_due,
            "billing_account": billing_account, "objection_until": objection_until}


class MyViolationsApi(APIView):
    class FilterSerializer(serializers.Serializer):
        page = serializers.IntegerField(required=False, min_value=1, max_value=_ID_MAX,
                                        help_text="Page number, from 1.")

    @extend_schema(
        tags=["violations"], operation_id="violations_mine_list",
        summary="The caller's violations",
        description="Notices against the caller as a person or against an establishment they "
                    f"represent; newest first, 50 a page, counted up to {COUNT_CAP:,}.",
        parameters=[FilterSerializer],
        responses={200: inline_serializer("PaginatedViolationList", {
            "count": serializers.IntegerField(),
            "count_is_capped": serializers.BooleanField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": NoticeSummarySerializer(many=True),
        }), **api_errors(400, 403, 404, e404="`not_found`: a page past the last")},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = CappedPageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.violation_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(NoticeSummarySerializer([
            _summary(v, amount_due=v.amount_due, billing_account=v.pay_account,
                     objection_until=v.object_until) for v in page], many=True).data)


class LineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item_code = serializers.CharField()
    item_name_ar = serializers.CharField()
    item_name_en = serializers.CharField()
    question_ar = serializers.CharField(allow_blank=True)
    question_en = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=LineStatus.choices)
    occurrence = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    computation = serializers.DictField(help_text=(
        "How the fine was reached: class, min, max, size, share, base, occurrence, "
        "multiplier, cap, capped, amount."))
    correction_due = serializers.DateField(allow_null=True)
    objection_due = serializers.DateField(allow_null=True)
    billing_account = serializers.CharField(allow_blank=True)
    penalty = inline_serializer("ViolationPenalty", {
        "kind": serializers.ChoiceField(choices=PenaltyKind.choices),
        "status": serializers.CharField(), "lifts_on": serializers.CharField(),
        "days": serializers.IntegerField(allow_null=True),
        "starts_on": serializers.DateField(allow_null=True),
        "ends_on": serializers.DateField(allow_null=True),
        "target_ref": serializers.CharField(allow_blank=True)}, allow_null=True)


class NoticeDetailSerializer(NoticeSummarySerializer):
    place_description = serializers.CharField(allow_blank=True)
    district = serializers.CharField(allow_blank=True)
    permit_number = serializers.CharField(allow_blank=True)
    lines = LineSerializer(many=True)
    bills = inline_serializer("ViolationBill", {
        "biller_code": serializers.CharField(), "billing_account": serializers.CharField(),
        "amount": serializers.DecimalField(max_digits=12, decimal_places=2),
        "amount_paid": serializers.DecimalField(max_digits=12, decimal_places=2),
        "due_date": serializers.DateField(), "status": serializers.CharField()}, many=True)
    objections = inline_serializer("ViolationObjection", {
        "number": serializers.CharField(), "status": serializers.CharField(),
        "filed_at": serializers.DateTimeField(),
        "decided_at": serializers.DateTimeField(allow_null=True),
        "lines": inline_serializer("ViolationObjectionLine", {
            "line_id": serializers.IntegerField(), "item_code": serializers.CharField(),
            "decision": serializers.CharField(),
            "reduced_amount": serializers.DecimalField(max_digits=12, decimal_places=2,
                                                       allow_null=True),
            "note": serializers.CharField(allow_blank=True)}, many=True)}, many=True)
    photos = serializers.IntegerField(help_text="How many evidence photos the page shows.")


def _penalty(penalty) -> dict | None:
    if penalty is None:
        return None
    return {"kind": penalty.kind, "status": penalty.status, "lifts_on": penalty.lifts_on,
            "days": penalty.days, "starts_on": penalty.starts_on, "ends_on": penalty.ends_on,
            "target_ref": penalty.target_ref}


class MyViolationDetailApi(APIView):
    @extend_schema(
        tags=["violations"], operation_id="violations_mine_detail",
        summary="One of the caller's violations: lines, computation, bills, objections",
        parameters=[_NUMBER],
        responses={200: NoticeDetailSerializer, **api_errors(
            400, 403, 404, e404="`violations.not_found` (also for a notice that is not yours)")},
    )
    def get(self, request, number: str):
        from django.conf import settings

        detail = selectors.violation_detail_for_user(user=request.user, number=number[:40])
        if detail is None or detail.viewer != "offender":
            raise violation_not_found()
        v = detail.violation
        return Response(NoticeDetailSerializer({
            **_summary(v, amount_due=detail.amount_due, billing_account=detail.pay_account,
                       objection_until=detail.object_until),
            "place_description": v.place_description, "district": v.district,
            "permit_number": v.permit_number,
            "lines": [{
                "id": x.pk, "item_code": x.item_code, "item_name_ar": x.item.name_ar,
                "item_name_en": x.item.name_en,
                "question_ar": x.finding.question.text_ar if x.finding_id else "",
                "question_en": x.finding.question.text_en if x.finding_id else "",
                "status": x.status, "occurrence": x.occurrence, "amount": x.amount,
                "computation": x.computation or {}, "correction_due": x.correction_due,
                "objection_due": x.objection_due,
                "billing_account": x.bill.billing_account if x.bill_id else "",
                "penalty": _penalty(x.penalty_shown)} for x in detail.lines],
            "bills": [{"biller_code": settings.SADAD_BILLER_ID,
                       "billing_account": b.billing_account, "amount": b.amount,
                       "amount_paid": b.amount_paid, "due_date": b.due_date,
                       "status": b.status} for b in detail.bills],
            "objections": [{
                "number": o.number, "status": o.status, "filed_at": o.filed_at,
                "decided_at": o.decided_at,
                "lines": [{"line_id": ol.line_id, "item_code": ol.line.item_code,
                           "decision": ol.decision, "reduced_amount": ol.reduced_amount,
                           "note": ol.decision_note} for ol in o.lines.all()]}
                for o in detail.objections],
            "photos": len(detail.photos),
        }).data)


urlpatterns = [
    path("violations/catalogue/items/", CatalogueItemsApi.as_view(),
         name="catalogue_items"),
    path("violations/catalogue/checklists/", CatalogueChecklistsApi.as_view(),
         name="catalogue_checklists"),
    path("violations/mine/", MyViolationsApi.as_view(), name="mine"),
    path("violations/mine/<str:number>/", MyViolationDetailApi.as_view(), name="mine_detail"),
]

