"""The approver's queue and decision page, the staff evidence photo, the notice PDF and the
public verification page: who sees what, the decision through the case, the query counts."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amanah import clock as amanah_clock
from amanah.enums import StaffRole
from amanah.models import Department
from payments.models import Bill
from tests.permits.factories import staff_make
from violations.enums import LineStatus, ViolationStatus
from violations.models import EvidencePhoto, Violation
from violations.notice import notice_send
from violations.services.approval import approval_decided

from ..factories import (
    approval_case_make,
    fine_approved_make,
    procedures_make,
    submitted_inspection_make,
    violations_world,
)

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _pending(world, **values):
    procedures_make(world)
    _, notices = submitted_inspection_make(world, **values)
    fine = next(n for n in notices if n.kind == "fine")
    photo = EvidencePhoto(inspection=fine.inspection, item_code="FINE", content_type="image/png",
                          size=len(PNG), sha256=hashlib.sha256(PNG).hexdigest(),
                          taken_at=amanah_clock.now(), uploaded_by=world.inspector)
    photo.file.save("evidence.png", ContentFile(PNG), save=False)
    photo.save()
    return fine, photo


def _other_head(world):
    department = Department.objects.get(municipality=world.other_municipality,
                                        code="inspection")
    return staff_make(department, StaffRole.HEAD)


def test_the_queue_shows_my_municipalitys_pending_fines_oldest_first(client):
    world = violations_world()
    first, _ = _pending(world)
    second, _ = _pending(world, no=("SERIOUS",))
    client.force_login(world.approver)
    response = client.get("/ar/violations/approvals/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(first.number) < html.index(second.number)
    assert "عرض البضائع على الرصيف" in html and "500.00 ر.س" in html
    assert "مخالفات بانتظار الاعتماد" in html and "50.00%" in html
    # in English too
    response = client.get("/en/violations/approvals/")
    assert "Goods displayed on the pavement" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "citizen", "delegate", "inspector", "legal_head",
                                 "other_head"])
def test_nobody_else_sees_the_queue_the_notice_or_the_photo(client, who):
    world = violations_world()
    fine, photo = _pending(world)
    user = {"anonymous": None, "citizen": getattr(world.citizen, "user", None),
            "delegate": world.delegate.user, "inspector": world.inspector,
            "legal_head": world.legal_head, "other_head": _other_head(world)}[who]
    if user is not None:
        client.force_login(user)
    for url in ("/ar/violations/approvals/", f"/ar/violations/approvals/{fine.number}/"):
        response = client.get(url)
        if who == "other_head" and url.endswith("approvals/"):
            # another municipality's head has a queue of their own, without this notice
            assert response.status_code == 200
            assert fine.number not in response.content.decode()
            continue
        assert response.status_code == (302 if user is None else 404), (who, url)
    # staff of the municipality (inspector, legal) may see the evidence; others may not
    response = client.get(f"/ar/violations/evidence/{photo.pk}/staff/")
    expected = 200 if who in ("inspector", "legal_head") else (302 if user is None else 404)
    assert response.status_code == expected


def test_the_approver_sees_the_photo(client):
    world = violations_world()
    _, photo = _pending(world)
    client.force_login(world.approver)
    response = client.get(f"/ar/violations/evidence/{photo.pk}/staff/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"


def test_approving_on_the_page_moves_the_case_and_the_task_bills_it(client, queued):
    world = violations_world()
    fine, _ = _pending(world)
    case = approval_case_make(world, fine)
    client.force_login(world.approver)
    with queued() as tasks:
        response = client.post(f"/ar/violations/approvals/{fine.number}/",
                               {"decision": "approve", "comment": ""})
    assert response.status_code == 302 and response["Location"] == "/ar/violations/approvals/"
    names = [name for name, _ in tasks]
    assert "violations.approval_decided" in names
    # no bill until the task runs
    assert not Bill.objects.filter(payable_ref=fine.number).exists()
    approval_decided(case_id=case.pk)
    assert Violation.objects.get(pk=fine.pk).status == ViolationStatus.ISSUED
    assert Bill.objects.filter(payable_ref=fine.number).count() == 1


def test_not_confirming_without_a_reason_is_refused_next_to_the_field(client):
    world = violations_world()
    fine, _ = _pending(world)
    case = approval_case_make(world, fine)
    client.force_login(world.approver)
    response = client.post(f"/en/violations/approvals/{fine.number}/",
                           {"decision": "not_confirm", "comment": "  "})
    assert response.status_code == 400
    assert 'id="comment-error"' in response.content.decode()
    assert "Say why the fine is not confirmed." in response.content.decode()
    # nothing changed
    assert Violation.objects.get(pk=fine.pk).status == ViolationStatus.PENDING_APPROVAL
    assert case.events.count() == type(case).objects.get(pk=case.pk).events.count()
    assert type(case).objects.get(pk=case.pk).state.code == "approval"


def test_a_place_notice_is_decided_on_the_page_without_a_case(client):
    world = violations_world()
    fine, _ = _pending(world, offender="place")
    client.force_login(world.approver)
    response = client.post(f"/ar/violations/approvals/{fine.number}/",
                           {"decision": "not_confirm", "comment": "لا يوجد مخالف محدد"})
    assert response.status_code == 302
    fine = Violation.objects.get(pk=fine.pk)
    assert fine.status == ViolationStatus.NOT_CONFIRMED
    assert list(fine.lines.values_list("status", flat=True)) == [LineStatus.NOT_CONFIRMED]


def _queue_queries(client, user) -> int:
    client.force_login(user)
    client.get("/ar/violations/approvals/")  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ar/violations/approvals/")
    assert response.status_code == 200
    return len(queries)


def test_the_queue_runs_the_same_queries_for_1_and_20_notices(client):
    world = violations_world()
    _pending(world, no=("FINE", "SERIOUS"))
    one = _queue_queries(client, world.approver)
    for _ in range(19):
        _pending(world, no=("FINE", "SERIOUS"))
    assert _queue_queries(client, world.approver) == one


def test_the_notice_pdf_is_for_its_offender_and_staff_only(client):
    world = violations_world()
    fine = fine_approved_make(world)
    notice_send(violation_id=fine.pk)
    url = f"/ar/violations/notice/{fine.number}/pdf/"
    client.force_login(world.delegate.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    client.force_login(world.outsider.user)
    assert client.get(url).status_code == 404
    client.force_login(_other_head(world))
    assert client.get(url).status_code == 404


def test_the_public_verification_page_shows_number_status_amount_and_paid(client):
    world = violations_world()
    fine = fine_approved_make(world)
    response = client.get(f"/en/violations/verify/{fine.verify_token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert fine.number in html and "SAR 500.00" in html and "This fine is not paid" in html
    # nothing personal
    assert world.establishment.name_en not in html and world.establishment.name_ar not in html
    assert world.establishment.unified_number not in html
    assert client.get("/en/violations/verify/not-a-token/").status_code == 404


def test_the_menu_offers_the_queue_to_approvers_only(client):
    world = violations_world()
    client.force_login(world.approver)
    assert 'href="/ar/violations/approvals/"' in client.get("/ar/staff/").content.decode()
    client.force_login(world.inspector)
    assert 'href="/ar/violations/approvals/"' not in client.get("/ar/staff/").content.decode()


def test_staff_see_that_an_approved_place_fine_has_no_payer_on_record(client):
    world = violations_world()
    fine = fine_approved_make(world, offender="place")
    client.force_login(world.approver)
    html = client.get(f"/en/violations/approvals/{fine.number}/").content.decode()
    assert "No payer on record" in html
    html = client.get(f"/ar/violations/approvals/{fine.number}/").content.decode()
    assert "لا يوجد دافع مسجل" in html
