"""§5: GET /api/v1/bills/{BillingAcct}?official_id=… — no login, exact JSON, one 404, throttled."""

import datetime as dt

import pytest

from payments.enums import BillStatus
from payments.services import bill_cancel, bill_expire_due, outbox_flush
from tests.factories import EstablishmentFactory, national_id_for

from .factories import UNKNOWN_ACCOUNT
from .pages_helpers import counts, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

KEYS = ["billing_account", "status", "amount_due", "amount_paid", "due_date", "expiry_date",
        "description_ar", "description_en", "receipt_url"]


def _ask(client, account, official_id, **headers):
    return client.get(f"/api/v1/bills/{account}", {"official_id": official_id}, **headers)


def test_unpaid_bill_answers_exactly_the_spec_json(client, world):
    # given an unpaid bill accepted by SADAD, for an amount with one decimal
    bill = world.bill(amount="150.5", due_date=dt.date(2026, 12, 30),
                      expiry_date=dt.date(2027, 3, 30), description_ar="رسوم نسخة مخطط",
                      description_en="Copy of a plan")
    # when anyone asks with the payer's national ID, without signing in
    response = _ask(client, bill.billing_account, world.citizen.national_id)
    # then the JSON is exactly §5's
    assert response.status_code == 200
    assert response.json() == {
        "billing_account": bill.billing_account, "status": "unpaid", "amount_due": "150.50",
        "amount_paid": "0.00", "due_date": "2026-12-30", "expiry_date": "2027-03-30",
        "description_ar": "رسوم نسخة مخطط", "description_en": "Copy of a plan",
        "receipt_url": None}
    assert list(response.json()) == KEYS


def test_pending_registration_until_sadad_accepts(client, world):
    bill = world.bill(amount="150.00", registered=False)
    assert _ask(client, bill.billing_account, world.citizen.national_id).json()["status"] == \
        "pending_registration"


def test_paid_bill_gives_amount_paid_and_an_absolute_receipt_url(client, world):
    # given a bill paid through SADAD
    bill, receipt = world.paid_bill(amount="99.90")
    # when asked about it
    body = _ask(client, bill.billing_account, world.citizen.national_id).json()
    # then it is paid, with its amounts as two-place strings and the public receipt address
    assert (body["status"], body["amount_due"], body["amount_paid"]) == ("paid", "99.90",
                                                                         "99.90")
    assert body["receipt_url"] == (
        f"http://testserver/ar/payments/receipts/verify/{receipt.verify_token}")


def test_expired_bill(client, world):
    bill = world.bill(amount="150.00", due_date=dt.date(2026, 12, 30),
                      expiry_date=dt.date(2027, 1, 15))
    assert bill_expire_due(today=dt.date(2027, 1, 16)) == 1
    assert _ask(client, bill.billing_account, world.citizen.national_id).json()["status"] == \
        "expired"


def test_cancelled_bill(client, world):
    # given a bill whose cancellation SADAD accepted
    bill = world.bill(amount="150.00")
    bill_cancel(bill_id=bill.pk, reason="issued by mistake")
    outbox_flush()
    bill.refresh_from_db()
    assert bill.status == BillStatus.CANCELLED
    assert _ask(client, bill.billing_account, world.citizen.national_id).json()["status"] == \
        "cancelled"


def test_establishment_bill_is_found_by_its_unified_number(client, world):
    from payments.services import bill_issue

    from .factories import misc_fee_service

    establishment = EstablishmentFactory(municipality=world.branch)
    bill = bill_issue(payable_kind="misc_fee", payable_ref="EST-1", municipality=world.branch,
                      eservice=misc_fee_service(), payer_establishment=establishment,
                      amount="300")
    response = _ask(client, bill.billing_account, establishment.unified_number)
    assert response.status_code == 200
    assert response.json()["amount_due"] == "300.00"


def test_arabic_indic_digits_in_the_official_id_are_understood(client, world):
    bill = world.bill(amount="150.00")
    arabic = world.citizen.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert _ask(client, bill.billing_account, arabic).status_code == 200


def test_unknown_account_and_wrong_id_get_the_same_404(client, world):
    # given a real bill
    bill = world.bill(amount="150.00")
    before = counts()
    # when asked with a wrong official ID, and about an account that does not exist
    wrong_id = _ask(client, bill.billing_account, world.other_citizen.national_id)
    unknown = _ask(client, UNKNOWN_ACCOUNT, world.citizen.national_id)
    # then both answers are the same 404, byte for byte
    assert wrong_id.status_code == unknown.status_code == 404
    assert wrong_id.content == unknown.content
    assert wrong_id.json()["code"] == "bill.not_found"
    assert counts() == before


def test_missing_official_id_is_a_400_with_a_code(client, world):
    bill = world.bill(amount="150.00")
    response = client.get(f"/api/v1/bills/{bill.billing_account}")
    assert response.status_code == 400
    assert response.json()["code"] == "inquiry.official_id_required"


def test_only_get_is_allowed(client, world):
    bill = world.bill(amount="150.00")
    response = client.post(f"/api/v1/bills/{bill.billing_account}?official_id=1")
    assert response.status_code in (403, 405)
    assert "code" in response.json()


def test_rate_limited_after_thirty_a_minute_from_one_address(client, world):
    # given the configured rate of 30 inquiries a minute per address
    bill = world.bill(amount="150.00")
    ids = [national_id_for(62_000_000 + n) for n in range(31)]
    # when one address asks 30 times (about different IDs), then once more
    answers = [_ask(client, bill.billing_account, ident).status_code for ident in ids[:30]]
    limited = _ask(client, bill.billing_account, ids[30])
    # then the first 30 are answered and the 31st is refused with the stable code
    assert answers == [404] * 30
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert "Retry-After" in limited
    # and another address is still answered
    other = _ask(client, bill.billing_account, world.citizen.national_id,
                 REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_rate_limited_after_ten_an_hour_for_one_official_id(client, world):
    # given the configured rate of 10 inquiries an hour about one official ID
    bill = world.bill(amount="150.00")
    # when that ID is asked about ten times, from ten addresses, then once more
    answers = [_ask(client, bill.billing_account, world.citizen.national_id,
                    REMOTE_ADDR=f"10.0.1.{n}").status_code for n in range(10)]
    limited = _ask(client, bill.billing_account, world.citizen.national_id,
                   REMOTE_ADDR="10.0.1.99")
    assert answers == [200] * 10
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"


def test_wrong_guesses_count_against_the_limit_too(client, world):
    # given someone probing account numbers
    for n in range(30):
        _ask(client, f"1000000{n:04d}", world.other_citizen.national_id)
    # then even a correct question is refused for the rest of the minute
    bill = world.bill(amount="150.00")
    assert _ask(client, bill.billing_account, world.citizen.national_id).status_code == 429
