"""Finance lists as files: /payments/finance/exports/bills.csv, …/payments.xlsx, … (a format
other than csv or xlsx is a 404, answered by the view)."""

from django.urls import path

from .views import exports

urlpatterns: list = [
    path("bills.<str:file_format>", exports.export_bills, name="export_bills"),
    path("payments.<str:file_format>", exports.export_payments, name="export_payments"),
    path("suspense.<str:file_format>", exports.export_suspense, name="export_suspense"),
    path("reconciliation/<int:run_id>.<str:file_format>", exports.export_recon_items,
         name="export_recon_items"),
]
