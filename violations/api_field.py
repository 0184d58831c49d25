"""API endpoints of the violations app's field part (included by violations/api_urls.py)."""

urlpatterns: list = []
