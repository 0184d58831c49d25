"""Page URLs of the violations app's offender part (included by violations/urls.py).

A notice's page sits at /<lang>/violations/<number>/; the number's shape (V-… or W-…) is in
the pattern so that no other part's page (reports/, verify/…) is taken for a notice."""

from django.urls import path, re_path

from . import offender

NOTICE_NUMBER = r"(?P<number>[VW]-[A-Za-z0-9]{1,12}-[0-9]{4}-[0-9]{6,})"

urlpatterns = [
    path("mine/", offender.my_violations, name="mine"),
    re_path(rf"^{NOTICE_NUMBER}/photos/(?P<photo_id>[0-9]{{1,12}})/$", offender.evidence_photo,
            name="evidence_photo"),
    re_path(rf"^{NOTICE_NUMBER}/$", offender.notice, name="notice"),
]
