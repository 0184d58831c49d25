from django.urls import include, path

from .views import citizen, finance, public, reconciliation

app_name = "payments"
urlpatterns = [
    path("bills/", citizen.my_bills, name="my_bills"),
    path("bills/<str:billing_account>/", citizen.bill_detail, name="bill_detail"),
    path("receipts/", citizen.my_receipts, name="my_receipts"),
    path("receipts/verify/<str:token>", public.receipt_verify, name="receipt_verify"),
    path("receipts/<str:number>/pdf/", citizen.receipt_pdf, name="receipt_pdf"),
    path("inquiry/", public.bill_inquiry, name="bill_inquiry"),
    path("finance/", finance.dashboard, name="finance_dashboard"),
    path("finance/bills/", finance.bills, name="finance_bills"),
    path("finance/bills/new/", finance.bill_new, name="finance_bill_new"),
    path("finance/payments/", finance.payments, name="finance_payments"),
    path("finance/suspense/", finance.suspense, name="finance_suspense"),
    path("finance/suspense/<int:payment_id>/", finance.suspense_item,
         name="finance_suspense_item"),
    path("finance/reconciliation/", reconciliation.runs, name="finance_reconciliation"),
    path("finance/reconciliation/<int:run_id>/", reconciliation.run_report,
         name="finance_reconciliation_run"),
    path("finance/fees/", include("payments.urls_fees")),
    path("finance/exports/", include("payments.urls_exports")),
    path("counter/", include("payments.urls_counter")),
]
