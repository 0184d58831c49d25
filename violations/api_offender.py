"""API endpoints of the violations app's offender part (included by violations/api_urls.py)."""

urlpatterns: list = []
