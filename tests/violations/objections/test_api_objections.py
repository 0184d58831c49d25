"""API /api/v1/violations/objections/: filing (JSON and multipart), the caller's list and one
objection; who may call each (another citizen → 404, staff → 403, signed out → 401/403)."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payments.models import Bill
from tests.samples import pdf
from violations.enums import LineStatus
from violations.models import Objection
from violations.services.objections import objection_file

from .helpers import lines_by_item, objection_world

pytestmark = pytest.mark.django_db
API = "/api/v1/violations/objections/"


def test_delegate_files_an_objection_as_json_and_reads_it_back(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]
    client.force_login(world.delegate.user)
    # when the delegate posts the notice number and one line with its reason
    response = client.post(API, {"violation": fine.number,
                                 "lines": [{"line": line.pk, "reason": "not on sale"}]},
                           content_type="application/json")
    # then it is filed: 201, the line frozen, the bill reduced
    assert response.status_code == 201, response.content
    body = response.json()
    objection = Objection.objects.get()
    assert (body["number"], body["violation"], body["status"]) == (objection.number,
                                                                   fine.number, "open")
    assert [(x["item_code"], x["reason"], x["decision"], x["amount"]) for x in body["lines"]] \
        == [("SERIOUS", "not on sale", "pending", "5000.00")]
    assert lines_by_item(fine)["SERIOUS"].status == LineStatus.OBJECTED
    assert Bill.objects.get(payable_ref=fine.number).amount == Decimal("500.00")
    # and the list and the detail show it
    listed = client.get(API).json()
    assert [x["number"] for x in listed] == [objection.number]
    assert client.get(f"{API}{objection.number}/").json() == body


def test_multipart_filing_with_a_document(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    client.force_login(world.delegate.user)
    response = client.post(API, {
        "violation": fine.number,
        "lines": json.dumps([{"line": line.pk, "reason": "inside the shop"}]),
        "documents": [SimpleUploadedFile("proof.pdf", pdf(), "application/pdf")]})
    assert response.status_code == 201, response.content
    assert [d["name"] for d in response.json()["documents"]] == ["proof.pdf"]


def test_refusals_carry_the_code_and_field_and_change_nothing(client, clock):
    import datetime as dt

    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]
    client.force_login(world.delegate.user)
    clock.set(clock.now() + dt.timedelta(days=30))
    response = client.post(API, {"violation": fine.number,
                                 "lines": [{"line": line.pk, "reason": "late"}]},
                           content_type="application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("violations.objection_late",
                                                                   "lines")
    bad = client.post(API, {"violation": fine.number, "lines": "not json"},
                      content_type="application/json")
    assert bad.status_code == 400
    assert Objection.objects.count() == 0
    assert lines_by_item(fine)["SERIOUS"].status == LineStatus.PAYABLE


def test_another_citizen_gets_404_for_the_notice_and_the_objection(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "x")])
    client.force_login(world.outsider.user)
    other_line = lines_by_item(fine)["SERIOUS"]
    filed = client.post(API, {"violation": fine.number,
                              "lines": [{"line": other_line.pk, "reason": "x"}]},
                        content_type="application/json")
    assert (filed.status_code, filed.json()["code"]) == (404, "violations.not_found")
    detail = client.get(f"{API}{objection.number}/")
    assert (detail.status_code, detail.json()["code"]) == (404,
                                                           "violations.objection_not_found")
    assert client.get(API).json() == []
    assert Objection.objects.count() == 1


@pytest.mark.parametrize("who", ["legal_head", "inspector", "approver"])
def test_staff_get_403_on_the_citizen_endpoints(client, who):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "x")])
    client.force_login(getattr(world, who))
    responses = [client.get(API), client.get(f"{API}{objection.number}/"),
                 client.post(API, {"violation": fine.number, "lines": []},
                             content_type="application/json")]
    assert [(r.status_code, r.json()["code"]) for r in responses] == [
        (403, "violations.citizens_only")] * 3


def test_signed_out_callers_are_refused(client):
    world, fine = objection_world()
    responses = [client.get(API), client.post(API, {}, content_type="application/json")]
    assert [r.status_code for r in responses] in ([401, 401], [403, 403])


def test_the_list_takes_the_same_number_of_queries_for_1_and_10(client,
                                                                django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world, fine = objection_world()
    client.force_login(world.delegate.user)
    line = lines_by_item(fine)["FINE"]
    objection_file(user=world.delegate.user, violation_number=fine.number,
                   lines=[(line.pk, "x")])
    client.get(API)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(API).json()) == 1
    from tests.violations.factories import fine_issued_make

    for _ in range(9):
        other = fine_issued_make(world, no=("SERIOUS",))
        objection_file(user=world.delegate.user, violation_number=other.number,
                       lines=[(other.lines.get().pk, "y")])
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(API).json()) == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_malformed_lines_get_a_flat_validation_error(client):
    world, fine = objection_world()
    client.force_login(world.delegate.user)
    response = client.post(API, {"violation": fine.number, "lines": [{}]},
                           content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert all(isinstance(message, str) for message in body["errors"]["lines"])
    assert Objection.objects.count() == 0
