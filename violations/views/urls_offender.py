"""Page URLs of the violations app's offender part (included by violations/urls.py)."""

urlpatterns: list = []
