"""Page URLs of the violations app's approval part (included by violations/urls.py)."""

from django.urls import path

from . import approval

urlpatterns: list = [
    path("approvals/", approval.approval_queue, name="approvals"),
    path("approvals/<str:number>/", approval.approval_notice, name="approval_notice"),
    path("evidence/<int:photo_id>/staff/", approval.evidence_photo, name="evidence_photo_staff"),
    path("notice/<str:number>/pdf/", approval.notice_pdf, name="notice_pdf"),
    path("verify/<str:token>/", approval.notice_verify, name="verify"),
]
