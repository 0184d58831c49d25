"""Page URLs of the violations app's approval part (included by violations/urls.py)."""

urlpatterns: list = []
