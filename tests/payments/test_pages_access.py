"""Who may open each payments page: anonymous, the payer, another citizen, staff of another
department, finance staff of the bill's municipality, and an admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from amanah import clock
from amanah.enums import StaffRole
from payments.services import payment_record

from .pages_helpers import WHO, client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

SIGN_IN = "/ar/account/sign-in/"

# page → expected status per WHO (302 = sent to sign in)
MATRIX = {
    "my_bills": [302, 200, 200, 200, 200, 200],
    "my_receipts": [302, 200, 200, 200, 200, 200],
    "bill_detail": [302, 200, 404, 404, 200, 200],
    "receipt_pdf": [302, 200, 404, 404, 200, 200],
    "receipt_verify": [200, 200, 200, 200, 200, 200],
    "bill_inquiry": [200, 200, 200, 200, 200, 200],
    "finance_dashboard": [302, 403, 403, 403, 200, 200],
    "finance_bills": [302, 403, 403, 403, 200, 200],
    "finance_payments": [302, 403, 403, 403, 200, 200],
    "finance_suspense": [302, 403, 403, 403, 200, 200],
    "finance_bill_new": [302, 403, 403, 403, 200, 200],
    "finance_reconciliation": [302, 403, 403, 403, 200, 200],
    "finance_suspense_item": [302, 403, 403, 403, 200, 200],
}


def _url(name: str, bill, receipt, suspense) -> str:
    args = {"bill_detail": [bill.billing_account], "receipt_pdf": [receipt.number],
            "receipt_verify": [receipt.verify_token],
            "finance_suspense_item": [suspense.pk]}.get(name, [])
    return reverse(f"payments:{name}", args=args)


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("who", WHO)
def test_page_access_matrix(client, world, page, who):
    # given a paid bill of the citizen in the branch municipality, and a second payment for it
    bill, receipt = world.paid_bill(amount="150.00")
    suspense = payment_record(sptn="SP-AGAIN", amount=Decimal("150.00"),
                              billing_account=bill.billing_account, bank_id="RJHISARI",
                              channel="ATM", method="CASH", processed_at=clock.now()).payment
    client = client_for(client, world.who(who))
    # when the page is opened
    response = client.get(_url(page, bill, receipt, suspense))
    # then the answer is the one the matrix says
    expected = MATRIX[page][WHO.index(who)]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(SIGN_IN)


def test_my_bills_shows_only_the_citizens_own_bills(client, world):
    # given a bill of the citizen and one of another citizen
    mine = world.bill(amount="150.00")
    theirs = world.bill(amount="150.00", person=world.other_citizen)
    # when the citizen opens my bills
    response = client_for(client, world.citizen.user).get(reverse("payments:my_bills"))
    # then only their own bill is listed
    assert [b.pk for b in response.context["page"].object_list] == [mine.pk]
    assert theirs.billing_account not in response.content.decode()


def test_finance_staff_of_another_municipality_cannot_open_the_bill(client, world):
    # given a bill in the branch, and a cashier of another branch
    bill, receipt = world.paid_bill(amount="150.00")
    cashier = world.staff("finance", StaffRole.CASHIER, world.other_branch)
    client = client_for(client, cashier)
    # then neither the bill nor its receipt PDF are theirs to see
    assert client.get(reverse("payments:bill_detail", args=[bill.billing_account])
                      ).status_code == 404
    assert client.get(reverse("payments:receipt_pdf", args=[receipt.number])).status_code == 404
    # and their bill list does not show it
    response = client.get(reverse("payments:finance_bills"))
    assert list(response.context["page"].object_list) == []


def test_amanah_finance_sees_every_municipality(client, world):
    # given a bill in a branch, and the Amanah's finance head
    bill = world.bill(amount="150.00")
    head = world.staff("finance", StaffRole.HEAD, world.amanah)
    # when they open the bill list
    response = client_for(client, head).get(reverse("payments:finance_bills"))
    # then the branch's bill is there
    assert [b.pk for b in response.context["page"].object_list] == [bill.pk]


def test_finance_head_may_not_issue_bills_but_cashier_may(client, world):
    head = world.staff("finance", StaffRole.HEAD)
    assert client_for(client, head).get(reverse("payments:finance_bill_new")).status_code == 403


@pytest.mark.parametrize("language", ["ar", "en"])
def test_pages_render_in_both_languages(client, world, language):
    # given a paid bill and an unpaid one
    bill, receipt = world.paid_bill(amount="150.00")
    world.bill(amount="75.50")
    client = client_for(client, world.citizen.user)
    # when the citizen's pages are opened in each language
    bills = client.get(f"/{language}/payments/bills/").content.decode()
    detail = client.get(f"/{language}/payments/bills/{bill.billing_account}/").content.decode()
    # then the text is in that language
    if language == "ar":
        assert "فواتيري" in bills and "رمز المفوتر" in bills and "مدفوعة" in detail
        assert 'dir="rtl"' in bills
    else:
        assert "My bills" in bills and "Biller code" in bills and "Paid" in detail
        assert 'dir="ltr"' in bills
