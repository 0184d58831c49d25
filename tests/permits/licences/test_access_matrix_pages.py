"""Every licence page and action, GET and POST, for each kind of visitor: the delegate of the
holding establishment, the delegate of another establishment, a citizen, staff of the
municipality (a head of licensing), staff of another municipality, anonymous. Exact status per
cell (302 = sent to sign in; 404 = you do not learn it exists; 403 = you see it but may not act
on it), no other establishment's licence or bill numbers in any body, and nothing written by
a refused request."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from amanah.enums import StaffRole
from payments.models import Bill
from permits.models import Application, ApplicationEvent, Permit, PermitEvent, SampleInspection
from tests.conftest import otp_session_verify
from tests.factories import DepartmentFactory, MunicipalityFactory
from tests.permits.factories import staff_make

from .factories import licence_issue_make, licence_world
from .pages_helpers import establishment_bill_make, sample_queue, sub_permit_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)
WHO = ["delegate", "other_delegate", "citizen", "staff", "other_staff", "anonymous"]
# (page, method) → expected status per WHO.
MATRIX = {
    ("workspace", "get"): [200, 200, 200, 200, 200, 302],
    ("workspace_chosen", "get"): [200, 404, 404, 404, 404, 302],
    ("workspace", "post"): [405, 405, 405, 405, 405, 302],
    ("licence", "get"): [200, 404, 404, 200, 404, 302],
    ("sub_permit", "get"): [200, 404, 404, 200, 404, 302],
    ("renew", "get"): [200, 404, 404, 403, 404, 302],
    ("decide", "get"): [403, 404, 404, 200, 404, 302],
    ("decide", "post"): [403, 404, 404, 400, 404, 302],
    ("cancel", "get"): [200, 404, 404, 403, 404, 302],
    ("cancel", "post"): [400, 404, 404, 403, 404, 302],
    ("sub_permit_start", "get"): [200, 404, 404, 403, 404, 302],
    ("sub_permit_start", "post"): [302, 404, 404, 403, 404, 302],
    ("samples", "get"): [404, 404, 404, 200, 200, 302],
    ("samples", "post"): [405, 405, 405, 405, 405, 302],
}


@pytest.fixture
def world(clock):
    clock.set(NOW)
    world = licence_world()
    world.licence = licence_issue_make(world)
    world.sub_permit = sub_permit_make(world, world.licence)
    world.bill = establishment_bill_make(world)
    world.sample = sample_queue(world, world.licence)
    # the other establishment's own licence and bill, which our people must never see
    world.other_licence = licence_issue_make(world, establishment=world.other_establishment,
                                             delegate=world.other_delegate)
    world.other_bill = establishment_bill_make(world, world.other_establishment)
    world.other_staff = staff_make(DepartmentFactory(
        municipality=MunicipalityFactory(code="M977"), code="licensing"), StaffRole.HEAD)
    return world


def _user(world, who):
    return {"delegate": world.delegate.user, "other_delegate": world.other_delegate.user,
            "citizen": world.citizen.user, "staff": world.head,
            "other_staff": world.other_staff, "anonymous": None}[who]


def _url(world, page: str) -> str:
    number = world.licence.number
    return {
        "workspace": "/ar/permits/establishment/",
        "workspace_chosen": f"/ar/permits/establishment/?e={world.establishment.unified_number}",
        "licence": f"/ar/permits/permit/{number}/",
        "sub_permit": f"/ar/permits/permit/{world.sub_permit.number}/",
        "renew": f"/ar/permits/permit/{number}/renew/",
        "decide": f"/ar/permits/permit/{number}/staff/suspend/",
        "cancel": f"/ar/permits/licence/{number}/cancel/",
        "sub_permit_start": f"/ar/permits/licence/{number}/sub-permits/signage_permit/",
        "samples": "/ar/permits/staff/sample-inspections/",
    }[page]


def _rows():
    return {
        "applications": list(Application.objects.order_by("pk").values_list(
            "pk", "status", "row_version")),
        "application_events": ApplicationEvent.objects.count(),
        "permits": list(Permit.objects.order_by("pk").values_list("pk", "status",
                                                                  "row_version")),
        "permit_events": PermitEvent.objects.count(),
        "bills": Bill.objects.count(),
        "samples": list(SampleInspection.objects.values_list("pk", "status")),
    }


def _cells():
    for (page, method), statuses in MATRIX.items():
        for who, status in zip(WHO, statuses):
            yield pytest.param(page, method, who, status, id=f"{page}-{method}-{who}")


@pytest.mark.parametrize(("page", "method", "who", "expected"), list(_cells()))
def test_licence_page_access(client, world, page, method, who, expected):
    # given the establishment's licence with a sub-permit, a bill and a sample inspection,
    # and the other establishment's licence and bill
    user = _user(world, who)
    if user is not None:
        client.force_login(user)
        otp_session_verify(client, user)
    before = _rows()
    # when the visitor opens the page or posts to it (an empty form)
    url = _url(world, page)
    response = getattr(client, method)(url)
    # then they get exactly the expected status
    assert response.status_code == expected
    if expected == 302 and user is None:
        assert "/account/" in response["Location"]
    # and no body shows another establishment's licence or bill (the 404 page may repeat the
    # address asked for, as in test_access_leaks)
    body = response.content.decode("utf-8", "replace")
    theirs = [world.other_licence.number, world.other_bill.billing_account]
    ours = [world.licence.number, world.sub_permit.number, world.bill.billing_account]
    secrets = {"delegate": theirs, "other_delegate": ours, "citizen": ours + theirs,
               "staff": [world.bill.billing_account, world.other_bill.billing_account],
               "other_staff": ours + theirs, "anonymous": ours + theirs}[who]
    assert [s for s in secrets if s in body and s not in url] == []
    # and a refused or invalid request wrote nothing
    if expected != 302 or user is None:
        assert _rows() == before


def test_the_other_delegate_sees_only_their_own_establishment(client, world):
    # given the delegate of the other establishment
    client.force_login(world.other_delegate.user)
    # when they open their workspace
    body = client.get("/en/permits/establishment/").content.decode()
    # then they see their own licence and bill, and none of ours
    assert world.other_licence.number in body
    assert world.other_bill.billing_account in body
    assert [s for s in (world.licence.number, world.sub_permit.number,
                        world.bill.billing_account) if s in body] == []
