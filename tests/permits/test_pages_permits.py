"""The permit pages: who may open each (holder, the office that filed, another citizen, staff
of the municipality, a head there, staff of another municipality, anonymous), guessed numbers,
the holder's actions, staff decisions with their confirmation step, and query counts."""

import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amanah.enums import StaffRole
from payments.services.outbox import outbox_flush
from permits.certificates import certificate_ensure
from permits.enums import FeeStage
from permits.models import Permit, PermitEvent, PermitFeeRule, PermitObjection
from tests.factories import CitizenFactory, DepartmentFactory, MunicipalityFactory
from tests.permits.factories import permits_world, staff_make

from .lifecycle_helpers import (
    application_rejected_make,
    day,
    lifecycle_fees_make,
    objection_procedure_publish,
    permit_make,
)

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "holder", "office", "other_citizen", "clerk", "head", "other_staff"]
# page → expected status per WHO (302 = sent to sign in)
MATRIX = {
    "my_permits": [302, 200, 200, 200, 200, 200, 200],
    "permit": [302, 200, 200, 404, 200, 200, 404],
    "permit_certificate": [302, 200, 200, 404, 200, 200, 404],
    "permit_renew": [302, 200, 403, 404, 403, 403, 404],
    "permit_amend": [302, 200, 403, 404, 403, 403, 404],
    "permit_replace": [302, 200, 403, 404, 403, 403, 404],
    "permit_object": [302, 200, 403, 404, 403, 403, 404],
    "permit_decide": [302, 403, 403, 404, 403, 200, 404],
    "application_object": [302, 200, 200, 404, 404, 404, 404],
    "permit_verify": [200, 200, 200, 200, 200, 200, 200],
}


@pytest.fixture
def world():
    world = permits_world()
    objection_procedure_publish(world)
    world.other_staff = staff_make(DepartmentFactory(
        municipality=MunicipalityFactory(code="M901"), code="engineering"), StaffRole.HEAD)
    return world


def _user(world, who):
    return {"anonymous": None, "holder": world.owner.user, "office": world.office_worker.user,
            "other_citizen": CitizenFactory().user, "clerk": world.clerk, "head": world.head,
            "other_staff": world.other_staff}[who]


def _signed_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _url(page, permit, rejected=None, number=None):
    number = number or permit.number
    args = {"my_permits": [], "permit_decide": [number, "suspend"],
            "application_object": [rejected.reference if rejected else "PA000000000000"],
            "permit_verify": [permit.verification_token]}.get(page, [number])
    return reverse(f"permits:{page}", args=args)


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("who", WHO)
def test_page_access_matrix(client, world, page, who):
    # given a permit of the owner, filed by the office, and a rejected application of theirs
    permit = permit_make(world)
    rejected = application_rejected_make(world)
    response = _signed_in(client, _user(world, who)).get(_url(page, permit, rejected))
    expected = MATRIX[page][WHO.index(who)]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/ar/account/sign-in/")


@pytest.mark.parametrize("page", [p for p in MATRIX if p not in ("my_permits",
                                                                 "permit_verify",
                                                                 "application_object")])
@pytest.mark.parametrize("who", ["holder", "head"])
def test_guessed_numbers_are_not_found(client, world, page, who):
    permit = permit_make(world)
    # a number of the same series that does not exist, and another's permit number
    guessed = permit.number[:-6] + "999999"
    response = _signed_in(client, _user(world, who)).get(_url(page, permit, number=guessed))
    assert response.status_code == 404


def test_an_unknown_decision_is_not_found(client, world):
    permit = permit_make(world)
    url = reverse("permits:permit_decide", args=[permit.number, "revoke"])
    assert _signed_in(client, world.head).get(url).status_code == 404


def test_my_permits_lists_the_holders_and_the_offices_permits_only(client, world):
    mine = permit_make(world)
    # another citizen's permit, on a paper-era record nobody here filed
    theirs = permit_make(world)
    Permit.objects.filter(pk=theirs.pk).update(holder_person=CitizenFactory(), application=None)
    response = _signed_in(client, world.owner.user).get(reverse("permits:my_permits"))
    assert [p.pk for p, _ in response.context["rows"]] == [mine.pk]
    assert theirs.number not in response.content.decode()
    office = _signed_in(client, world.office_worker.user).get(reverse("permits:my_permits"))
    assert [p.pk for p, _ in office.context["rows"]] == [mine.pk]


def test_my_permits_takes_the_same_queries_for_10_and_50_permits(client, world):
    _signed_in(client, world.owner.user)
    url = reverse("permits:my_permits")
    for _ in range(10):
        permit_make(world)
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(40):
        permit_make(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["page"].paginator.count == 50
    assert len(few) == len(many)


def test_the_permit_page_shows_details_versions_history_and_actions(client, world):
    permit = permit_make(world)
    response = _signed_in(client, world.owner.user).get(
        reverse("permits:permit", args=[permit.number]))
    html = response.content.decode()
    assert response.status_code == 200
    # the approved details with their labels, the status in words, the certificate pending
    assert [(r.label, r.value) for r in response.context["p"].details] == [
        ("عدد الأدوار", "2"), ("مسطح البناء", "420.00 م²"), ("الاستخدام", "سكني")]
    assert "سارية" in html  # the status, in words
    assert "جاري إعداد الشهادة" in html
    # and what the holder can do now, each explained
    actions = {a.code: a.available for a in response.context["p"].actions}
    assert actions == {"renew": False, "amend": True, "replace": True, "object": True}


def test_staff_decide_with_a_reason_and_a_confirmation(client, world):
    permit = permit_make(world)
    url = reverse("permits:permit_decide", args=[permit.number, "suspend"])
    client = _signed_in(client, world.head)
    # a decision without a reason is refused next to the field
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and empty.context["form"].errors["reason"]
    # the reason first leads to the confirmation step, which changes nothing yet
    step = client.post(url, {"reason": "مخالفة اشتراطات السلامة"})
    assert step.status_code == 200 and step.context["confirming"]
    assert Permit.objects.get(pk=permit.pk).status == "valid"
    # confirmed, it is done
    done = client.post(url, {"reason": "مخالفة اشتراطات السلامة", "confirm": "True"})
    assert done.status_code == 302
    assert done["Location"] == reverse("permits:permit", args=[permit.number])
    assert Permit.objects.get(pk=permit.pk).status == "suspended"
    assert PermitEvent.objects.get(permit=permit, kind="suspended").reason == (
        "مخالفة اشتراطات السلامة")


def test_a_decision_refused_by_the_service_is_shown_on_the_page(client, world):
    permit = permit_make(world)
    url = reverse("permits:permit_decide", args=[permit.number, "reinstate"])
    response = _signed_in(client, world.head).post(url, {"reason": "x", "confirm": "True"})
    assert response.status_code == 409
    assert "الرخصة ليست موقوفة." in response.content.decode()
    assert list(PermitEvent.objects.filter(permit=permit).values_list("kind", flat=True)) == [
        "issued"]


def test_the_holder_amends_through_the_form(client, world):
    PermitFeeRule.objects.filter(permit_type=world.permit_type,
                                 stage=FeeStage.APPLICATION).delete()
    permit = permit_make(world)
    url = reverse("permits:permit_amend", args=[permit.number])
    client = _signed_in(client, world.owner.user)
    form = client.get(url)
    assert form.context["form"].initial == {"floors": 2, "built_area_m2": "420.00",
                                            "use": "residential"}
    unchanged = client.post(url, {"floors": "2", "built_area_m2": "420.00", "use": "residential"})
    assert unchanged.status_code == 400
    assert "لم تغيّر أي بيان من بيانات الرخصة." in unchanged.content.decode()
    sent = client.post(url, {"floors": "3", "built_area_m2": "420.00", "use": "residential"})
    assert sent.status_code == 302
    assert permit.applications.get().answers["floors"] == 3


def test_the_holder_objects_through_the_form(client, world):
    permit = permit_make(world)
    url = reverse("permits:permit_object", args=[permit.number])
    response = _signed_in(client, world.owner.user).post(url, {"grounds": "أسباب الاعتراض"})
    objection = PermitObjection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:my_case", args=[objection.case_id])
    refused = client.post(url, {"grounds": "مرة أخرى"})
    assert refused.status_code == 400
    assert "يوجد اعتراض قيد الدراسة على هذا القرار." in refused.content.decode()
    assert PermitObjection.objects.count() == 1


def test_the_certificate_downloads_once_made(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    permit = permit_make(world)
    url = reverse("permits:permit_certificate", args=[permit.number])
    client = _signed_in(client, world.owner.user)
    # while it is being made the page says so
    pending = client.get(url)
    assert pending.status_code == 200 and "جاري إعداد الشهادة" in pending.content.decode()
    # once made, the holder downloads the stored file
    made = certificate_ensure(permit_id=permit.pk)
    response = client.get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{permit.number}-v1.pdf"')
    assert response["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(body).hexdigest() == made.certificate_sha256
    page = client.get(reverse("permits:permit", args=[permit.number]))
    assert page.context["p"].certificate_ready


def test_the_holder_renews_from_the_page_and_is_shown_the_bill(client, world, clock):
    clock.set(day(2026, 12, 1))
    lifecycle_fees_make(world)
    permit = permit_make(world)
    url = reverse("permits:permit_renew", args=[permit.number])
    # before the window the page explains, and asking is refused with the date (a new session
    # after each jump of the clock: an idle one ends)
    clock.set(day(2029, 8, 31))
    early = _signed_in(client, world.owner.user).post(url)
    assert early.status_code == 400
    assert "لم يبدأ التجديد بعد: يمكن التجديد من" in early.content.decode()
    assert not permit.applications.exists()
    # inside it, the fee is shown before asking, and the bill after
    clock.set(day(2029, 10, 15))
    client.logout()
    form = _signed_in(client, world.owner.user).get(url)
    assert form.context["action"].fees == (("renewal", Decimal("420.00")),)
    done = client.post(url)
    assert done.status_code == 302
    outbox_flush()  # SADAD accepts the bill: it is payable, its number shown to pay with
    bill = permit.applications.get().fees.get().bill
    page = client.get(reverse("permits:permit", args=[permit.number])).content.decode()
    assert bill.billing_account in page and "420.00" in page


def test_the_holder_asks_for_a_replacement_from_the_page(client, world):
    lifecycle_fees_make(world)
    permit = permit_make(world)
    url = reverse("permits:permit_replace", args=[permit.number])
    client = _signed_in(client, world.owner.user)
    missing = client.post(url, {})
    assert missing.status_code == 400 and missing.context["form"].errors["reason"]
    done = client.post(url, {"reason": "lost", "note": "فُقدت أثناء النقل"})
    assert done.status_code == 302
    application = permit.applications.get()
    assert application.events.get(kind="created").reason == "فُقدت الشهادة: فُقدت أثناء النقل"
    assert application.fees.get().amount == Decimal("150.00")
