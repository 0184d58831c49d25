"""Page URLs of the violations app's objections part (included by violations/urls.py)."""

from django.urls import path

from . import objections

urlpatterns = [
    path("objections/", objections.legal_queue, name="legal_objections"),
    path("objections/<str:number>/", objections.objection_detail, name="objection"),
    path("objections/<str:number>/review/", objections.legal_objection,
         name="legal_objection"),
    path("objections/<str:number>/documents/<int:document_id>/",
         objections.objection_document, name="objection_document"),
    path("<str:number>/object/", objections.objection_new, name="objection_new"),
]
