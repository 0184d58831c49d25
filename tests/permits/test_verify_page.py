"""The public verification page a certificate's QR code opens: whether the permit is in force,
in big words in both languages, and only what the certificate prints (the ID masked)."""

import pytest
from django.urls import reverse
from django.utils import translation

from permits.enums import PermitStatus
from permits.models import Permit
from permits.services.lifecycle import permit_cancel, permit_suspend
from permits.services.permits import permit_lock, permit_status_change
from tests.permits.factories import permits_world

from .lifecycle_helpers import day, permit_make

pytestmark = pytest.mark.django_db

WORDS = {
    "valid": ("هذه الرخصة سارية", "This permit is valid"),
    "suspended": ("هذه الرخصة موقوفة", "This permit is suspended"),
    "cancelled": ("هذه الرخصة ملغاة", "This permit is cancelled"),
    "expired": ("هذه الرخصة منتهية", "This permit has expired"),
}


@pytest.fixture
def world(clock):
    clock.set(day(2026, 12, 1))
    return permits_world()


def _verify(client, permit, language="ar"):
    with translation.override(language):
        url = reverse("permits:permit_verify", args=[permit.verification_token])
    return client.get(url)


def test_a_valid_permit_shows_only_what_its_certificate_prints(client, world):
    permit = permit_make(world)
    response = _verify(client, permit)
    html = response.content.decode()
    assert response.status_code == 200
    for words in WORDS["valid"]:
        assert words in html
    owner, parcel = world.owner, world.parcel
    # what the certificate prints
    for printed in (permit.number, "رخصة بناء جديدة", "New building permit", owner.name_ar,
                    world.municipality.name_ar, world.municipality.name_en,
                    f"مخطط {parcel.plan_number}، قطعة {parcel.parcel_number}", "حي الشمال",
                    "North district", "1 ديسمبر 2026 م", "30 نوفمبر 2029 م"):
        assert printed in html, printed
    # the holder's ID masked to its last four digits, never in full
    assert f"••••••{owner.national_id[-4:]}" in html
    assert owner.national_id not in html
    # nothing the certificate does not print on this page: no mobile, no deed, no details
    assert owner.mobile not in html and owner.mobile[1:] not in html
    assert parcel.deed_number not in html
    assert "420.00" not in html


def test_the_english_page_still_says_it_in_both_languages(client, world):
    permit = permit_make(world)
    html = _verify(client, permit, "en").content.decode()
    assert all(words in html for words in WORDS["valid"])
    assert "Holder's ID (last four digits)" in html


@pytest.mark.parametrize("status", ["suspended", "cancelled", "expired"])
def test_each_status_in_its_words(client, world, status):
    permit = permit_make(world)
    if status == "suspended":
        permit_suspend(permit_id=permit.pk, actor=world.head, reason="مخالفة")
    elif status == "cancelled":
        permit_cancel(permit_id=permit.pk, actor=world.head, reason="مخالفة")
    else:
        permit_status_change(permit=permit_lock(permit.pk), to_status=PermitStatus.EXPIRED,
                             kind="expired")
    html = _verify(client, permit).content.decode()
    for words in WORDS[status]:
        assert words in html
    for other in set(WORDS) - {status}:
        assert WORDS[other][0] not in html


def test_a_permit_past_its_last_day_reads_expired_before_the_nightly_job(client, world, clock):
    permit = permit_make(world)
    clock.set(day(2029, 12, 1))
    html = _verify(client, permit).content.decode()
    assert Permit.objects.get(pk=permit.pk).status == "valid"
    assert WORDS["expired"][0] in html and WORDS["valid"][0] not in html


@pytest.mark.parametrize("token", ["Qm4Zt8Lx2Vb7Nc1Hs5Kd9Rw3Py6Ja0Ge", "short", "a" * 80,
                                   "bad token with spaces and more than twenty"])
def test_an_unknown_token_is_a_clear_404(client, world, token):
    permit_make(world)
    response = client.get(reverse("permits:permit_verify", args=[token]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "لا توجد رخصة بهذا الرمز" in html and "No such permit" in html


def test_verification_is_rate_limited_per_address(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "permit_verify": "address=2/m"}
    permit = permit_make(world)
    assert [_verify(client, permit).status_code for _ in range(3)] == [200, 200, 429]
    # unknown tokens count too: guessing is what the limit is for
    response = client.get(reverse("permits:permit_verify", args=["x" * 32]))
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1

