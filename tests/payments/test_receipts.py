"""Receipt PDFs: made once, stored privately, served to the payer and finance staff only;
the public verification page confirms the receipt without personal data."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from amanah.enums import StaffRole
from payments.models import Receipt
from payments.receipts import receipt_pdf_ensure, receipt_verify_url

from .pages_helpers import client_for, world_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_ensure_makes_the_pdf_once(world, settings):
    # given a paid bill whose receipt has no PDF yet (tasks after commit do not run here)
    bill, receipt = world.paid_bill(amount="150.00")
    assert not receipt.pdf
    # when ensure runs twice
    first = receipt_pdf_ensure(receipt_id=receipt.pk)
    first_bytes = first.pdf.open("rb").read()
    first.pdf.close()
    second = receipt_pdf_ensure(receipt_id=receipt.pk)
    # then there is one file, with the same name and bytes, under a private path
    assert _files(settings.MEDIA_ROOT) == [first.pdf.name]
    assert second.pdf.name == first.pdf.name
    assert second.pdf_made_at == first.pdf_made_at
    with default_storage.open(second.pdf.name, "rb") as handle:
        assert handle.read() == first_bytes
    assert first.pdf.name.startswith("private/receipts/")
    assert first.pdf.name.endswith(".pdf") and receipt.number in first.pdf.name
    assert first_bytes.startswith(b"%PDF-")


def test_a_second_download_serves_the_stored_pdf_without_rendering_again(client, world):
    from unittest import mock

    from payments import receipts

    # given a paid bill whose receipt PDF was never made, and its payer signed in
    bill, receipt = world.paid_bill(amount="150.00")
    payer = client_for(client, world.citizen.user)
    url = reverse("payments:receipt_pdf", args=[receipt.number])
    # when the payer downloads the receipt twice
    with mock.patch.object(receipts, "receipt_pdf_render",
                           wraps=receipts.receipt_pdf_render) as render:
        first = b"".join(payer.get(url).streaming_content)
        second = b"".join(payer.get(url).streaming_content)
    # then it was rendered once, stored, and the second download is the stored file
    assert render.call_count == 1
    assert first.startswith(b"%PDF-") and second == first
    stored = Receipt.objects.get(pk=receipt.pk)
    with default_storage.open(stored.pdf.name, "rb") as handle:
        assert handle.read() == first


def test_receipt_pdf_carries_the_receipt_facts(world):
    # given a made receipt
    bill, receipt = world.paid_bill(amount="150.00")
    receipt = receipt_pdf_ensure(receipt_id=receipt.pk)
    # when its text is extracted
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(receipt.pdf.path).pages)
    # then it carries number, bill, SPTN, bank and the verification address
    for fact in (receipt.number, bill.billing_account, receipt.payment.sptn,
                 receipt.payment.bank_id, "Payment receipt", "SAR 150.00",
                 "Internet banking"):
        assert fact in text
    assert len(PdfReader(receipt.pdf.path).pages) == 1


def test_payer_downloads_the_pdf(client, world):
    # given a paid bill
    bill, receipt = world.paid_bill(amount="150.00")
    # when its payer downloads the receipt
    response = client_for(client, world.citizen.user).get(
        reverse("payments:receipt_pdf", args=[receipt.number]))
    # then it is a private PDF attachment
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert f'filename="{receipt.number}.pdf"' in response["Content-Disposition"]


def test_other_citizen_gets_no_pdf_and_none_is_made(client, world, settings):
    # given a paid bill whose PDF was never made
    bill, receipt = world.paid_bill(amount="150.00")
    # when another citizen asks for it
    response = client_for(client, world.other_citizen.user).get(
        reverse("payments:receipt_pdf", args=[receipt.number]))
    # then not found, and no file was written
    assert response.status_code == 404
    assert not Receipt.objects.get(pk=receipt.pk).pdf
    assert not (settings.MEDIA_ROOT).exists() or _files(settings.MEDIA_ROOT) == []


def test_finance_staff_of_the_municipality_download_the_pdf(client, world):
    bill, receipt = world.paid_bill(amount="150.00")
    cashier = world.staff("finance", StaffRole.CASHIER)
    response = client_for(client, cashier).get(
        reverse("payments:receipt_pdf", args=[receipt.number]))
    assert response.status_code == 200


def test_verification_page_confirms_without_personal_data(client, world):
    # given a paid bill of a named citizen
    bill, receipt = world.paid_bill(amount="150.00")
    # when anyone opens the verification address printed in the QR code
    path = receipt_verify_url(receipt).split("testserver", 1)[-1].split("8000", 1)[-1]
    assert path == f"/ar/payments/receipts/verify/{receipt.verify_token}"
    response = client.get(path)
    # then number, amount, date and status are confirmed
    html = response.content.decode()
    assert response.status_code == 200
    assert receipt.number in html
    assert "150.00" in html
    assert "صحيح — مدفوع بالكامل" in html
    # and nothing personal is shown: no name, no ID, no mobile, no bill number, no SPTN
    person = world.citizen
    for secret in (person.name_ar, person.name_en, person.national_id, person.mobile,
                   person.email, bill.billing_account, receipt.payment.sptn):
        assert secret not in html


def test_verification_token_is_not_the_receipt_number(client, world):
    # given a receipt
    bill, receipt = world.paid_bill(amount="150.00")
    # then its sequential number does not open the verification page, nor a guessed token
    assert client.get(f"/ar/payments/receipts/verify/{receipt.number}").status_code == 404
    assert client.get("/ar/payments/receipts/verify/" + "A" * 22).status_code == 404
    assert len(receipt.verify_token) >= 20
