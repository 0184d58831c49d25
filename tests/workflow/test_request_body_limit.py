"""A body that is not a form (JSON, XML, text) is held whole in memory by whoever parses it — DRF
reads it without Django's DATA_UPLOAD_MAX_MEMORY_SIZE — so one over that limit is refused from
its Content-Length, before a byte of it is read (issue 8, point 6). Forms are bounded where they
are parsed (the upload handler, DATA_UPLOAD_MAX_MEMORY_SIZE); the SADAD reconciliation endpoint
has its own, larger cap."""

import pytest

from tests.samples import Body
from workflow.models import CaseComment

from .factories import case_new
from .pages_helpers import snapshot

MB = 1024 * 1024


def _json_body(total: int) -> Body:
    return Body(b'{"body": "', total, b'"}')


def _post(client, url: str, body: Body, **extra):
    return client.generic("POST", url, data=b"-", content_type="application/json",
                          **{"wsgi.input": body, "CONTENT_LENGTH": str(body.total), **extra})


def test_a_json_body_over_the_memory_limit_is_refused_unread(client, settings, world):
    # given a citizen's case, and a 100 MB JSON comment for it
    case = case_new(world)
    before = snapshot(case.pk)
    client.force_login(world.applicant.user)
    body = _json_body(100 * MB)
    # when it is posted to the case API
    response = _post(client, f"/api/v1/workflow/cases/{case.pk}/comments/", body,
                     HTTP_ACCEPT_LANGUAGE="en")
    # then it is refused as too large, with the API's error shape, and none of it was read
    assert response.status_code == 413
    assert response.json() == {
        "code": "request.too_large",
        "detail": "The request is too large (at most 2.5 MB).",
        "detail_ar": "الطلب أكبر من الحجم المسموح (بحد أقصى ٢٫٥ ميجابايت).",
        "detail_en": "The request is too large (at most 2.5 MB)."}
    assert body.read_bytes == 0
    assert snapshot(case.pk) == before
    assert CaseComment.objects.filter(case_id=case.pk).count() == 0


def test_a_json_body_within_the_limit_is_read_as_before(client, world):
    # given the same case, and a comment of ordinary size
    case = case_new(world)
    client.force_login(world.applicant.user)
    response = client.post(f"/api/v1/workflow/cases/{case.pk}/comments/",
                           {"body": "متى يصدر الرد؟"}, content_type="application/json")
    # then the API takes it (the limit is not in the way of real requests)
    assert response.status_code in (200, 201), response.content
    assert CaseComment.objects.filter(case_id=case.pk).count() == 1


@pytest.mark.parametrize("limit", [1024, 4096])
def test_the_limit_is_data_upload_max_memory_size(client, settings, world, limit):
    # given a lower DATA_UPLOAD_MAX_MEMORY_SIZE
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = limit
    case = case_new(world)
    client.force_login(world.applicant.user)
    # when a body one byte over it is posted
    body = _json_body(limit + 1)
    response = _post(client, f"/api/v1/workflow/cases/{case.pk}/comments/", body)
    # then it is refused unread
    assert response.status_code == 413
    assert body.read_bytes == 0
