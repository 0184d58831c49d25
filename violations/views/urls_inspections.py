"""Page URLs of the violations app's inspections part (included by violations/urls.py)."""

urlpatterns: list = []
