"""Finance lists as files: /payments/finance/exports/bills.csv, …/payments.xlsx, …"""

from django.urls import re_path

from .views import exports

FORMAT = r"\.(?P<file_format>csv|xlsx)$"

urlpatterns: list = [
    re_path(r"^bills" + FORMAT, exports.export_bills, name="export_bills"),
    re_path(r"^payments" + FORMAT, exports.export_payments, name="export_payments"),
    re_path(r"^suspense" + FORMAT, exports.export_suspense, name="export_suspense"),
    re_path(r"^reconciliation/(?P<run_id>[0-9]{1,18})" + FORMAT, exports.export_recon_items,
            name="export_recon_items"),
]
