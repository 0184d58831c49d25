"""The establishment workspace: what the delegate sees of their establishment (licences with
their activities and sub-permits, open applications and bills, deadlines, who may act for
it), the switcher between establishments, and that nobody sees another establishment's."""

import datetime as dt

import pytest

from amanah.dates import RIYADH
from permits.enums import PermitStatus
from permits.models import Permit
from tests.factories import EstablishmentFactory

from .factories import BARBER, GROCERY, licence_issue_make, licence_world

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=RIYADH)
URL = "/{lang}/permits/establishment/"


@pytest.fixture
def world(clock):
    clock.set(NOW)
    return licence_world()


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_delegate_sees_the_establishments_licence_in_arabic(client, world):
    # given a licence of the establishment for a grocery and a barber's
    licence = licence_issue_make(world, activities=(GROCERY, BARBER))
    # when its delegate opens the workspace in Arabic
    response = _get(client, world.delegate.user, URL.format(lang="ar"))
    # then it names the establishment, the licence with its trade name, activities and days
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>مؤسسة النخيل التجارية</h1>" in body
    assert licence.number in body
    assert "بقالة النخيل" in body
    assert "بقالة، حلاقة رجالية" in body
    assert [r.days_to_expiry for r in response.context["w"].licence_rows] == [
        (licence.valid_until - NOW.date()).days]
    assert response.context["w"].licence_rows[0].status == PermitStatus.VALID


def test_the_workspace_in_english(client, world):
    licence_issue_make(world)
    response = _get(client, world.delegate.user, URL.format(lang="en"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Al Nakheel Trading</h1>" in body
    assert "Establishment workspace" in body
    assert "Grocery" in body
    assert "Who may act for it" in body


def _awaiting_fee(world):
    """A licence application of the establishment billed its issuance fee (60 m² × 10.00 a
    year = 600.00), waiting for payment."""
    from django.db import transaction

    from permits.enums import ApplicationStatus, FeeStage
    from permits.services.applications import application_lock, application_status_change
    from permits.services.fees import application_fee_bill

    from .factories import licence_draft_make

    draft = licence_draft_make(world)
    with transaction.atomic():
        locked = application_lock(draft.pk)
        for status in (ApplicationStatus.IN_REVIEW, ApplicationStatus.AWAITING_FEE):
            application_status_change(application=locked, to_status=status)
        fee = application_fee_bill(application=locked, stage=FeeStage.ISSUANCE)
    return draft, fee


def test_open_applications_show_the_bill_to_pay_and_bills_list_unpaid_first(client, world):
    # given an application awaiting its 600.00 fee, and an older bill already paid
    from payments.enums import BillStatus
    from payments.models import Bill

    from .pages_helpers import establishment_bill_make

    paid = establishment_bill_make(world, amount="100.00")
    Bill.objects.filter(pk=paid.pk).update(status=BillStatus.PAID, paid_at=NOW,
                                           amount_paid="100.00")
    application, fee = _awaiting_fee(world)
    # when the delegate opens the workspace
    response = _get(client, world.delegate.user, URL.format(lang="en"))
    body = response.content.decode()
    w = response.context["w"]
    # then the application is listed with its bill number and amount, and the unpaid bill first
    assert [a.reference for a in w.open_applications] == [application.reference]
    assert f'Bill <span dir="ltr">{fee.bill.billing_account}</span>: SAR 600.00' in body
    assert [b.billing_account for b in w.bills] == [fee.bill.billing_account,
                                                    paid.billing_account]


def test_deadlines_name_the_renewal_due_and_the_sample_inspection(client, world):
    # given a licence ending in 20 days and another chosen for a sample inspection
    from .pages_helpers import sample_queue

    ending = licence_issue_make(world)
    Permit.objects.filter(pk=ending.pk).update(valid_until=NOW.date() + dt.timedelta(days=20))
    sampled = licence_issue_make(world, activities=(BARBER,))
    sample_queue(world, sampled, due_by=dt.date(2026, 12, 31))
    # when the delegate opens the workspace in English
    response = _get(client, world.delegate.user, URL.format(lang="en"))
    body = response.content.decode()
    # then both deadlines are shown
    assert [(d.kind, d.permit_number) for d in response.context["w"].deadlines] == [
        ("renewal", ending.number), ("sample", sampled.number)]
    assert f"Renew licence {ending.number}: it ends on" in body
    assert f"Licence {sampled.number} was chosen for an inspection visit by" in body


def test_representatives_are_named_with_masked_ids(client, world):
    response = _get(client, world.delegate.user, URL.format(lang="ar"))
    body = response.content.decode()
    masked = "•" * 6 + world.delegate.national_id[-4:]
    assert masked in body
    assert world.delegate.national_id not in body
    assert "من يحق له التصرف عنها" in body


def test_a_person_representing_two_establishments_switches_between_them(client, world):
    # given the delegate also represents a second establishment, which holds a licence
    second = EstablishmentFactory(municipality=world.municipality,
                                  representatives=[world.delegate], name_ar="مؤسسة الواحة",
                                  name_en="Al Waha Est")
    theirs = licence_issue_make(world, establishment=second)
    ours = licence_issue_make(world)
    # when they open the workspace naming the second one
    response = _get(client, world.delegate.user,
                    URL.format(lang="en") + f"?e={second.unified_number}")
    body = response.content.decode()
    # then the switcher lists both and only the second's licence is shown
    assert response.status_code == 200
    assert 'name="e"' in body
    assert "You represent several establishments" in body
    assert theirs.number in body
    assert ours.number not in body


def test_an_establishment_the_person_does_not_represent_is_not_found(client, world):
    licence = licence_issue_make(world, establishment=world.other_establishment,
                                 delegate=world.other_delegate)
    response = _get(client, world.delegate.user,
                    URL.format(lang="en") + f"?e={world.other_establishment.unified_number}")
    assert response.status_code == 404
    assert licence.number not in response.content.decode()


def test_a_citizen_representing_no_establishment_is_told_so(client, world):
    response = _get(client, world.citizen.user, URL.format(lang="ar"))
    assert response.status_code == 200
    assert "لا تمثّل أي منشأة." in response.content.decode()
    english = _get(client, world.citizen.user, URL.format(lang="en")).content.decode()
    assert "You do not represent any establishment." in english


def test_my_permits_links_the_workspace(client, world):
    body = _get(client, world.delegate.user, "/en/permits/mine/").content.decode()
    assert 'href="/en/permits/establishment/"' in body
