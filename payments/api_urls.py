from django.urls import path

from .api import BillInquiryApi

app_name = "payments_api"
urlpatterns = [
    path("bills/<str:billing_account>", BillInquiryApi.as_view(), name="bill_inquiry"),
]
