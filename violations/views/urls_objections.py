"""Page URLs of the violations app's objections part (included by violations/urls.py)."""

urlpatterns: list = []
