"""The API's own reference: the OpenAPI document and the page that renders it, both public."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from . import api_schema

app_name = "amanah_api"
urlpatterns = [
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", api_schema.api_docs, name="docs"),
]
