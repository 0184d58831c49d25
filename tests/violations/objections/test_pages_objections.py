"""The objection pages: the offender's "Object" page (one block per objectable line, the
deadline, late lines closed with their due date, errors next to the field), the legal
department's page (decide each line, then the case's decide step) and the documents, served
only to those who may see them."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amanah.dates import dual_date_format
from tests.samples import pdf
from violations.enums import LineStatus, ObjectionDecision, ObjectionStatus
from violations.models import Objection
from violations.services.objections import objection_file
from workflow.services.cases import case_route

from .helpers import lines_by_item, objection_world

pytestmark = pytest.mark.django_db


def object_url(fine) -> str:
    return f"/en/violations/{fine.number}/object/"


def test_the_object_page_offers_each_line_and_closes_late_ones(client, clock):
    # given FINE (15 days to object) and SERIOUS (10 days), 12 days later
    clock.set(clock.now())
    world, fine = objection_world()
    clock.advance(days=12)
    client.force_login(world.delegate.user)
    response = client.get(object_url(fine))
    assert response.status_code == 200
    html = response.content.decode()
    lines = lines_by_item(fine)
    # then FINE has its checkbox and reason; SERIOUS is shown closed with its due date
    assert f'name="object_{lines["FINE"].pk}"' in html
    assert f'name="reason_{lines["FINE"].pk}"' in html
    assert f'name="object_{lines["SERIOUS"].pk}"' not in html
    assert dual_date_format(lines["SERIOUS"].objection_due, "en") in html
    assert dual_date_format(lines["FINE"].objection_due, "en") in html


def test_filing_from_the_page_with_a_document(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    client.force_login(world.delegate.user)
    response = client.post(object_url(fine), {
        f"object_{line.pk}": "on", f"reason_{line.pk}": "inside the shop",
        "documents": [SimpleUploadedFile("proof.pdf", pdf(), "application/pdf")]})
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/violations/objections/{objection.number}/"
    assert lines_by_item(fine)["FINE"].status == LineStatus.OBJECTED
    page = client.get(response["Location"]).content.decode()
    assert "inside the shop" in page and "proof.pdf" in page
    document = objection.documents.get()
    download = client.get(f"/en/violations/objections/{objection.number}/documents/"
                          f"{document.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_missing_reason_is_shown_next_to_its_field_and_nothing_is_filed(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    client.force_login(world.delegate.user)
    response = client.post(object_url(fine), {f"object_{line.pk}": "on",
                                              f"reason_{line.pk}": ""})
    assert response.status_code == 400
    assert f'id="id_reason_{line.pk}_error"' in response.content.decode()
    assert "Write the reason for each item" in response.content.decode()
    assert Objection.objects.count() == 0
    assert lines_by_item(fine)["FINE"].status == LineStatus.PAYABLE


def test_nothing_chosen_is_refused_on_the_page(client):
    world, fine = objection_world()
    client.force_login(world.delegate.user)
    response = client.post(object_url(fine), {})
    assert response.status_code == 400
    assert "Choose at least one item" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "legal_head", "inspector"])
def test_others_cannot_see_the_object_page_or_the_objection(client, who):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "x")],
                               documents=[SimpleUploadedFile("p.pdf", pdf(), "application/pdf")])
    user = getattr(world, who)
    client.force_login(getattr(user, "user", user))
    document = objection.documents.get()
    assert client.get(object_url(fine)).status_code == 404
    assert client.get(f"/en/violations/objections/{objection.number}/").status_code == 404
    expected = 200 if who == "legal_head" else 404
    assert client.get(f"/en/violations/objections/{objection.number}/documents/"
                      f"{document.pk}/").status_code == expected


def test_legal_staff_decide_each_line_then_take_the_decide_step(
        client, django_capture_on_commit_callbacks):
    world, fine = objection_world()
    lines = lines_by_item(fine)
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(lines["FINE"].pk, "a"), (lines["SERIOUS"].pk, "b")])
    case_route(case_id=objection.case_id)
    rows = {r.line.item_code: r for r in objection.lines.select_related("line")}
    client.force_login(world.legal_head)
    url = f"/en/violations/objections/{objection.number}/review/"
    page = client.get(url)
    assert page.status_code == 200 and "a" in page.content.decode()
    # a reduced amount above the fine is refused next to its field
    bad = client.post(url, {"row": rows["SERIOUS"].pk, f"l{rows['SERIOUS'].pk}-line":
                            rows["SERIOUS"].pk, f"l{rows['SERIOUS'].pk}-decision": "reduced",
                            f"l{rows['SERIOUS'].pk}-reduced_amount": "9000"})
    assert bad.status_code == 400
    assert f'id="id_l{rows["SERIOUS"].pk}-reduced_amount_error"' in bad.content.decode()
    # the decide step before every line is decided is refused with the reason
    early = client.post(url, {"action": "decide", "comment": "too early"})
    assert early.status_code == 400 and "Decide every item" in early.content.decode()
    for code, decision in (("FINE", "accepted"), ("SERIOUS", "rejected")):
        prefix = f"l{rows[code].pk}"
        response = client.post(url, {"row": rows[code].pk, f"{prefix}-line": rows[code].pk,
                                     f"{prefix}-decision": decision})
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"action": "decide", "comment": "decided"})
    assert done.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DECIDED
    assert {c: r.decision for c, r in ((r.line.item_code, r) for r in objection.lines.all())} \
        == {"FINE": ObjectionDecision.ACCEPTED, "SERIOUS": ObjectionDecision.REJECTED}
    assert {x.item_code: x.status for x in fine.lines.all()} == {
        "FINE": LineStatus.CANCELLED, "SERIOUS": LineStatus.PAYABLE}


def test_legal_staff_of_another_municipality_and_citizens_get_404_on_the_review_page(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "x")])
    url = f"/en/violations/objections/{objection.number}/review/"
    for user in (world.delegate.user, world.inspector, world.other_inspector):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_object_page_in_arabic(client):
    world, fine = objection_world()
    client.force_login(world.delegate.user)
    response = client.get(f"/ar/violations/{fine.number}/object/")
    assert response.status_code == 200
    assert "الاعتراض على مخالفة" in response.content.decode()


def test_the_legal_queue_takes_the_same_queries_for_1_and_10_objections(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.violations.factories import fine_issued_make

    world, fine = objection_world(no=("SERIOUS",))
    objection_file(user=world.delegate.user, violation_number=fine.number,
                   lines=[(fine.lines.get().pk, "x")])
    client.force_login(world.legal_reviewer)
    url = "/en/violations/objections/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.content.decode().count("/review/") == 1
    for _ in range(9):
        other = fine_issued_make(world, no=("SERIOUS",))
        objection_file(user=world.delegate.user, violation_number=other.number,
                       lines=[(other.lines.get().pk, "y")])
    with CaptureQueriesContext(connection) as ten:
        response = client.get(url)
    assert response.content.decode().count("/review/") == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_the_main_menu_offers_the_objections_queue_to_legal_staff_only(client):
    world, _ = objection_world()
    for user, shown in ((world.legal_reviewer, True), (world.inspector, False)):
        client.force_login(user)
        html = client.get("/ar/staff/").content.decode()
        assert ('href="/ar/violations/objections/"' in html) is shown


def test_the_case_page_links_to_the_objection(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "x")])
    case_route(case_id=objection.case_id)
    client.force_login(world.legal_head)
    staff_page = client.get(f"/en/transactions/cases/{objection.case_id}/").content.decode()
    assert f'href="/en/violations/objections/{objection.number}/review/"' in staff_page
    client.force_login(world.delegate.user)
    own = client.get(f"/en/transactions/mine/{objection.case_id}/")
    assert own.status_code == 200, own.status_code
    assert f'href="/en/violations/objections/{objection.number}/"' in own.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    world, fine = objection_world()
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(lines_by_item(fine)["FINE"].pk, "x")])
    client.logout()
    for url in (object_url(fine), f"/en/violations/objections/{objection.number}/",
                f"/en/violations/objections/{objection.number}/review/",
                "/en/violations/objections/"):
        response = client.get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"], url


def test_an_objected_line_is_shown_closed_as_under_objection(client):
    world, fine = objection_world()
    line = lines_by_item(fine)["FINE"]
    objection_file(user=world.delegate.user, violation_number=fine.number,
                   lines=[(line.pk, "x")])
    client.force_login(world.delegate.user)
    html = client.get(object_url(fine)).content.decode()
    assert f'name="object_{line.pk}"' not in html
    assert "An objection to item FINE is already being heard." in html


def test_a_decided_objection_shows_the_decisions_without_forms(client, queued):
    from violations.services.objections import objection_line_decide, objection_settle
    from workflow.services.cases import case_transition

    world, fine = objection_world()
    line = lines_by_item(fine)["SERIOUS"]
    objection = objection_file(user=world.delegate.user, violation_number=fine.number,
                               lines=[(line.pk, "x")])
    case_route(case_id=objection.case_id)
    objection_line_decide(objection_line_id=objection.lines.get().pk, actor=world.legal_head,
                          decision=ObjectionDecision.REDUCED, reduced_amount="2000")
    with queued():
        case_transition(case_id=objection.case_id, action="decide", actor=world.legal_head,
                        comment="reduced")
    objection_settle(objection_id=objection.pk)
    client.force_login(world.legal_head)
    html = client.get(f"/en/violations/objections/{objection.number}/review/").content.decode()
    assert 'name="action"' not in html and 'name="row"' not in html
    assert "Partly accepted: the fine is reduced" in html
    client.force_login(world.delegate.user)
    mine = client.get(f"/en/violations/objections/{objection.number}/").content.decode()
    assert "Partly accepted: the fine is reduced" in mine and "Decided" in mine
