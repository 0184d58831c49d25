"""API endpoints of the violations app's objections part (included by violations/api_urls.py)."""

urlpatterns: list = []
