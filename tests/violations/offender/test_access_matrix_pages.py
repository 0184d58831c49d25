"""Who sees which notice and which evidence photo, page by page: the citizen fined as a person,
the delegate of the fined establishment, an unrelated citizen, the inspector of the
municipality, an inspector of another municipality, the legal reviewer, anonymous. Exact
status per cell (302 = sent to sign in; 404 = you do not learn it exists), no other offender's
notice number in any body, a hidden photo never served to the offender, and nothing written."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from payments.models import Bill
from violations.models import Violation, ViolationEvent, ViolationLine

from ..factories import (
    fine_issued_make,
    photo_make,
    submitted_inspection_make,
    violations_world,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)
WHO = ["citizen", "delegate", "outsider", "inspector", "other_inspector", "legal", "anonymous"]
MATRIX = {
    ("mine", "get"): [200, 200, 200, 200, 200, 200, 302],
    ("mine", "post"): [405, 405, 405, 405, 405, 405, 302],
    ("fine", "get"): [404, 200, 404, 200, 404, 200, 302],
    ("fine", "post"): [405, 405, 405, 405, 405, 405, 302],
    ("warning", "get"): [200, 404, 404, 200, 404, 200, 302],
    ("pending", "get"): [404, 404, 404, 200, 404, 200, 302],
    ("photo", "get"): [404, 200, 404, 200, 404, 200, 302],
    ("hidden_photo", "get"): [404, 404, 404, 200, 404, 200, 302],
    ("other_photo", "get"): [404, 404, 404, 404, 404, 404, 302],
    ("unknown", "get"): [404, 404, 404, 404, 404, 404, 302],
}


@pytest.fixture
def world(clock):
    clock.set(NOW)
    world = violations_world()
    world.fine = fine_issued_make(world, no=("FINE",))
    world.photo = photo_make(world, world.fine.inspection, item_code="FINE")
    world.hidden = photo_make(world, world.fine.inspection, visible=False,
                              content=b"\x89PNG hidden face")
    _, (world.warning,) = submitted_inspection_make(world, offender="person", no=("WARN",))
    world.warning_photo = photo_make(world, world.warning.inspection,
                                     content=b"\x89PNG person's shop")
    _, (world.pending,) = submitted_inspection_make(world, no=("SERIOUS",))
    return world


def _user(world, who):
    return {"citizen": world.citizen.user, "delegate": world.delegate.user,
            "outsider": world.outsider.user, "inspector": world.inspector,
            "other_inspector": world.other_inspector, "legal": world.legal_reviewer,
            "anonymous": None}[who]


def _url(world, page: str) -> str:
    fine = world.fine.number
    return {
        "mine": "/ar/violations/mine/",
        "fine": f"/ar/violations/{fine}/",
        "warning": f"/ar/violations/{world.warning.number}/",
        "pending": f"/ar/violations/{world.pending.number}/",
        "photo": f"/ar/violations/{fine}/photos/{world.photo.pk}/",
        "hidden_photo": f"/ar/violations/{fine}/photos/{world.hidden.pk}/",
        # a photo of another inspection asked for under this notice
        "other_photo": f"/ar/violations/{fine}/photos/{world.warning_photo.pk}/",
        "unknown": "/ar/violations/V-M911-1448-999999/",
    }[page]


def _rows():
    return {"violations": list(Violation.objects.order_by("pk").values_list("pk", "status")),
            "lines": list(ViolationLine.objects.order_by("pk").values_list("pk", "status")),
            "events": ViolationEvent.objects.count(),
            "bills": list(Bill.objects.order_by("pk").values_list("pk", "status", "amount"))}


def _cells():
    for (page, method), statuses in MATRIX.items():
        for who, status in zip(WHO, statuses, strict=True):
            yield pytest.param(page, method, who, status, id=f"{page}-{method}-{who}")


@pytest.mark.parametrize(("page", "method", "who", "expected"), list(_cells()))
def test_violation_page_access(client, world, page, method, who, expected):
    # given an issued fine of the establishment (a visible and a hidden photo), a warning of
    # the citizen as a person, and a fine of the establishment still awaiting approval
    user = _user(world, who)
    if user is not None:
        client.force_login(user)
    before = _rows()
    # when the visitor opens the page (or posts to it)
    url = _url(world, page)
    response = getattr(client, method)(url)
    # then the status is exactly the expected one
    assert response.status_code == expected
    if expected == 302:
        assert "/account/" in response["Location"]
    # and no body names a notice the visitor may not see
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    hidden = {"citizen": [world.fine.number, world.pending.number],
              "delegate": [world.warning.number, world.pending.number],
              "outsider": [world.fine.number, world.warning.number, world.pending.number],
              "other_inspector": [world.fine.number, world.warning.number,
                                  world.pending.number],
              "anonymous": [world.fine.number, world.warning.number, world.pending.number],
              }.get(who, [])
    assert [n for n in hidden if n in text and n not in url] == []
    # and nothing was written
    assert _rows() == before


def test_the_offender_is_served_the_visible_photo_bytes_and_never_a_media_url(client, world):
    # given the delegate of the fined establishment
    client.force_login(world.delegate.user)
    # when they open the notice and the photo it links to
    page = client.get(f"/en/violations/{world.fine.number}/").content.decode()
    response = client.get(f"/en/violations/{world.fine.number}/photos/{world.photo.pk}/")
    # then the page links the access-checked view for the visible photo only
    assert f"/photos/{world.photo.pk}/" in page
    assert f"/photos/{world.hidden.pk}/" not in page
    assert "/media/" not in page and world.photo.file.name not in page
    # and the photo's bytes come back, private and not sniffable
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == world.photo.file.open("rb").read()
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_see_the_hidden_photo_marked_and_the_inspector_named(client, world):
    client.force_login(world.inspector)
    page = client.get(f"/en/violations/{world.fine.number}/").content.decode()
    assert f"/photos/{world.hidden.pk}/" in page
    assert "not shown to the offender" in page
    assert (world.inspector.get_full_name() or world.inspector.username) in page


def test_the_offender_reads_the_municipalitys_inspector_not_a_name(client, world):
    client.force_login(world.delegate.user)
    page = client.get(f"/en/violations/{world.fine.number}/").content.decode()
    assert "The municipality&#x27;s inspector" in page or "The municipality's inspector" in page
    assert world.inspector.username not in page
