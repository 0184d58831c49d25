"""Page URLs of the violations app's reports part (included by violations/urls.py)."""

urlpatterns: list = []
