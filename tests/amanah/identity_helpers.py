"""Driving the simulated Nafath from tests, the way a person would from the portal's pages."""

from django.urls import reverse
from django.utils import translation

from amanah.auth.nafath import SimulatedNafathClient
from amanah.models import IdentityVerification


def url(name: str, language: str = "ar", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def verification_of(client) -> IdentityVerification:
    """The verification the client's session is waiting on."""
    return IdentityVerification.objects.get(token=client.session["amanah_identity_verification"])


def nafath_answer(verification: IdentityVerification, *, right_number: bool = True,
                  name_ar: str = "سارة أحمد", name_en: str = "Sara Ahmed",
                  reject: bool = False) -> str:
    """The person answers in the (simulated) Nafath app."""
    simulator = SimulatedNafathClient()
    entry = simulator.request_get(transaction_id=verification.transaction_id)
    if reject:
        chosen = ""
    elif right_number:
        chosen = verification.random
    else:
        chosen = next(n for n in entry["choices"] if n != verification.random)
    return simulator.decide(transaction_id=verification.transaction_id, chosen=chosen,
                            name_ar=name_ar, name_en=name_en)


def nafath_prove(client, national_id: str, *, start: str = "amanah:sign_up",
                 language: str = "ar", **answer) -> IdentityVerification:
    """Start a verification from `start`'s page, answer in Nafath, come back to the portal."""
    if start == "amanah:sign_up":
        client.post(url(start, language), {"national_id": national_id})
    else:
        client.post(url(start, language), {"how": "nafath", "nafath-national_id": national_id})
    verification = verification_of(client)
    nafath_answer(verification, **answer)
    client.get(url("amanah:identity_verify", language))
    verification.refresh_from_db()
    return verification
