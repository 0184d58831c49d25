"""Public bill inquiry (spec §5): no sign-in, rate-limited, the same 404 for unknown and wrong."""

from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from amanah.api_schema import api_errors
from amanah.errors import DomainError, NotFound
from amanah.identity import digits_normalise

from . import selectors
from .enums import BillStatus
from .throttles import BillInquiryThrottle


def _money(value) -> str:
    return f"{value:.2f}"


class BillInquiryApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [BillInquiryThrottle]

    @extend_schema(
        tags=["payments"], summary="Public bill inquiry (no sign-in)",
        description="Rate-limited per client address and per official ID asked about "
                    "(shared with the inquiry page). An unknown bill and a bill of another "
                    "payer get the same 404, so probing teaches nothing.",
        parameters=[
            OpenApiParameter("billing_account", str, OpenApiParameter.PATH,
                             description="SADAD `BillingAcct`: digits with a Luhn check digit."),
            OpenApiParameter("official_id", str, required=True,
                             description="The payer's national ID, iqama or unified number "
                                         "(Arabic-Indic digits accepted)."),
        ],
        responses={200: inline_serializer("BillInquiry", {
            "billing_account": serializers.CharField(),
            "status": serializers.ChoiceField(choices=BillStatus.choices),
            "amount_due": serializers.DecimalField(max_digits=14, decimal_places=2,
                                                   coerce_to_string=True,
                                                   help_text="SAR, as a string."),
            "amount_paid": serializers.DecimalField(max_digits=14, decimal_places=2,
                                                    coerce_to_string=True,
                                                    help_text="SAR, as a string."),
            "due_date": serializers.DateField(),
            "expiry_date": serializers.DateField(),
            "description_ar": serializers.CharField(),
            "description_en": serializers.CharField(),
            "receipt_url": serializers.URLField(
                allow_null=True, help_text="Public verification page of the receipt, once paid."),
        }), **api_errors(400, 404, 429, e400="`inquiry.official_id_required`",
                         e404="`bill.not_found`")},
    )
    def get(self, request, billing_account: str):
        official_id = digits_normalise(request.query_params.get("official_id", ""))
        if not official_id:
            raise DomainError("inquiry.official_id_required",
                              "أدخل رقم الهوية أو الإقامة أو الرقم الموحد.",
                              "Give the payer's official ID (official_id).",
                              field="official_id")
        bill = selectors.bill_get_for_inquiry(billing_account=billing_account,
                                              official_id=official_id)
        if bill is None:
            # One body for "no such bill" and "not your ID": nothing to learn by probing.
            raise NotFound("bill.not_found",
                           "لا توجد فاتورة بهذا الرقم لهذا الرقم الرسمي.",
                           "No bill with this number for this official ID.")
        receipt = next(iter(bill.receipts.all()), None)
        receipt_url = None
        if receipt is not None:
            with translation.override("ar"):
                path = reverse("payments:receipt_verify", args=[receipt.verify_token])
            receipt_url = request.build_absolute_uri(path)
        return Response({
            "billing_account": bill.billing_account,
            "status": bill.status,
            "amount_due": _money(bill.amount),
            "amount_paid": _money(bill.amount_paid),
            "due_date": bill.due_date.isoformat(),
            "expiry_date": bill.expiry_date.isoformat(),
            "description_ar": bill.description_ar,
            "description_en": bill.description_en,
            "receipt_url": receipt_url,
        })
