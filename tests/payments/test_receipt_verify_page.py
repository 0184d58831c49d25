"""The receipt QR code's page says plainly when a receipt is not genuine: a forged, unknown or
malformed token gets one and the same answer (404), with what to do, in the URL's language."""

import re

import pytest

from .pages_helpers import world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

NOT_GENUINE = {
    "ar": ("هذا الإيصال غير صحيح", "لا تقبل هذا الإيصال إثباتاً للدفع"),
    "en": ("This receipt is not genuine", "Do not accept this receipt as proof of payment"),
}
BAD_TOKENS = [
    "A" * 22,                        # well formed, issued to nobody (a forged QR code)
    "RC-20261130-00000001",          # a receipt number, not its token
    "abc",                           # too short
    "A" * 200,                       # too long
    "%27%20OR%201%3D1--abcdefghijk",  # SQL-ish
    "%E2%80%AEabcdefghijklmnopqrs",   # a right-to-left override
    "%3Cscript%3Ealert(1)%3C",        # markup
]


def _main(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_forged_token_says_the_receipt_is_not_genuine_and_what_to_do(client, world, language):
    # given a real receipt exists (so the page is not simply empty)
    world.paid_bill(amount="150.00")
    # when someone opens the page of a QR code the portal never issued
    response = client.get(f"/{language}/payments/receipts/verify/{'A' * 22}")
    html = response.content.decode()
    # then it says, in the page's language, that the receipt is not genuine, and what to do
    heading, advice = NOT_GENUINE[language]
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in html
    assert advice in html
    assert 'class="verify-fail"' in html
    assert "150.00" not in html


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_malformed_and_unknown_tokens_get_the_same_answer(client, world, token):
    forged = client.get(f"/ar/payments/receipts/verify/{'A' * 22}")
    response = client.get(f"/ar/payments/receipts/verify/{token}")
    assert response.status_code == 404
    assert _main(response.content.decode()) == _main(forged.content.decode())


def test_a_nul_byte_in_the_token_never_reaches_the_database(client, world):
    response = client.get("/ar/payments/receipts/verify/abcdefgh%00ijklmnopqrst")
    # 404 from this page, or 400 from the portal's guard against hostile input — never a 500
    assert response.status_code in (400, 404)


def test_a_genuine_receipt_still_says_genuine(client, world):
    bill, receipt = world.paid_bill(amount="150.00")
    response = client.get(f"/en/payments/receipts/verify/{receipt.verify_token}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "This is a genuine receipt issued by the Amanah e-services portal." in html
    assert "not genuine" not in html
