"""A permit's certificate is made once from what the permit says, stored privately with its
SHA-256, and made again only when it no longer shows the permit: a new version, a replacement
of a lost certificate, a file gone missing."""

import datetime as dt
import hashlib
import io
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from pypdf import PdfReader

from amanah.events import audit_verify
from amanah.models import Municipality
from permits import certificates
from permits.certificate_tasks import certificate_sweep
from permits.certificates import (
    CertificateParcel,
    CertificateRow,
    certificate_ensure,
    permit_certificate_content,
)
from permits.enums import PermitEventKind, PermitStatus
from permits.models import Permit, PermitEvent
from permits.services.permits import permit_event_append, permit_lock, permit_save
from tests.factories import EstablishmentFactory
from tests.permits.factories import application_draft_make, permits_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_root(settings, tmp_path) -> Path:
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    settings.PORTAL_BASE_URL = "https://portal.example.sa"
    return tmp_path / "private"


@pytest.fixture
def world():
    return permits_world()


@pytest.fixture
def clock_at(clock):
    # 3 December 2026 in Riyadh: 23 Jumada al-Akhirah 1448.
    clock.set(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))
    return clock


def _issue(world) -> Permit:
    from permits.services.permits import permit_issue

    return permit_issue(application=application_draft_make(world))


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _text(permit: Permit) -> str:
    with permit.certificate.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _replace(permit_id: int) -> None:
    """What the replacement service (part LIFECYCLE) writes once its fee is paid."""
    permit = permit_lock(permit_id)
    permit.replacement_count += 1
    permit_event_append(permit, kind=PermitEventKind.REPLACED, reason="lost")
    permit_save(permit, ["replacement_count"])


def test_content_is_what_the_permit_says(world, private_root, clock_at):
    # given a building permit issued today to the world's owner on the world's parcel
    permit = _issue(world)
    # when its certificate's content is built
    content = permit_certificate_content(Permit.objects.get(pk=permit.pk))
    # then it prints the permit's own facts, its type's labels and the verification address
    assert content.number == permit.number
    assert (content.kind_name_ar, content.kind_name_en) == ("رخصة بناء جديدة",
                                                            "New building permit")
    assert (content.municipality_name_ar, content.municipality_name_en) == (
        world.municipality.name_ar, world.municipality.name_en)
    assert (content.holder_name_ar, content.holder_id, content.holder_is_establishment) == (
        world.owner.name_ar, world.owner.national_id, False)
    assert content.parcel == CertificateParcel(
        deed_number=world.deed.deed_number, plan_number="2145",
        parcel_number=world.deed.deed_number[-4:], district_ar="حي الشمال",
        district_en="North district", area_m2=world.parcel.area_m2)
    # the details in the order of the type's form, formatted by their kind
    assert content.details == (
        CertificateRow("عدد الأدوار", "Number of floors", "2", "2"),
        CertificateRow("مسطح البناء", "Built-up area", "420 م²", "420 m²"),
        CertificateRow("الاستخدام", "Use", "سكني", "Residential"),
    )
    assert (content.issued_on, content.valid_until) == (dt.date(2026, 12, 3),
                                                        dt.date(2029, 12, 2))
    assert (content.status_ar, content.status_en, content.version) == ("سارية", "Valid", 1)
    assert content.verify_url == (
        f"https://portal.example.sa/ar/permits/verify/{permit.verification_token}/")
    assert content.lost_replacement_on is None


def test_ensure_makes_and_stores_the_certificate_once(world, private_root, clock_at):
    # given an issued permit whose certificate was never made (tasks after commit do not run)
    permit = _issue(world)
    assert not Permit.objects.get(pk=permit.pk).certificate
    # when ensure runs twice
    first = certificate_ensure(permit_id=permit.pk)
    with mock.patch.object(certificates, "certificate_pdf_render") as render:
        second = certificate_ensure(permit_id=permit.pk)
    # then one file is stored privately under a name nobody can guess, with its SHA-256
    assert render.call_count == 0
    assert _files(private_root) == [first.certificate.name]
    assert first.certificate.name.startswith(f"permits/certificates/{permit.number}-v1-")
    stored = (private_root / first.certificate.name).read_bytes()
    assert stored.startswith(b"%PDF-")
    assert first.certificate_sha256 == hashlib.sha256(stored).hexdigest()
    assert (first.certificate_version, first.certificate_made_at) == (
        1, dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))
    # and the second run changed nothing, and one event records the making in the chain
    assert (second.certificate.name, second.row_version) == (first.certificate.name,
                                                             first.row_version)
    made = PermitEvent.objects.get(permit=permit, kind=PermitEventKind.CERTIFICATE_MADE)
    assert made.payload == {"sha256": first.certificate_sha256, "replacement": False}
    assert all(result.ok for result in audit_verify(chain="permit"))
    # and the PDF carries the permit's number, holder, dates and address
    text = _text(first)
    for fact in (permit.number, world.owner.national_id, "New building permit",
                 "3 December 2026", "23 Jumada al-Akhirah 1448 AH", "2 December 2029",
                 "Number of floors", "420 m²", "Residential",
                 f"https://portal.example.sa/ar/permits/verify/{permit.verification_token}/"):
        assert fact in text, fact


def test_a_new_version_is_made_again_and_the_earlier_file_kept(world, private_root, clock_at):
    # given a permit whose version 1 certificate is stored
    permit = _issue(world)
    first = certificate_ensure(permit_id=permit.pk)
    # when it is amended to version 2 (part LIFECYCLE's writer; only the columns matter here)
    Permit.objects.filter(pk=permit.pk).update(version=2, details={"floors": 3})
    second = certificate_ensure(permit_id=permit.pk)
    # then a second file shows version 2, and the first stays as it was issued
    assert second.certificate.name != first.certificate.name
    assert second.certificate.name.startswith(f"permits/certificates/{permit.number}-v2-")
    assert _files(private_root) == sorted([first.certificate.name, second.certificate.name])
    assert second.certificate_version == 2
    text = _text(second)
    assert "Number of floors" in text and "Residential" not in text
    assert PermitEvent.objects.filter(permit=permit,
                                      kind=PermitEventKind.CERTIFICATE_MADE).count() == 2


def test_a_replacement_of_a_lost_certificate_is_made_again_and_says_so(world, private_root,
                                                                          clock_at):
    # given a permit with its certificate, reported lost and replaced on 15 March 2027
    permit = _issue(world)
    first = certificate_ensure(permit_id=permit.pk)
    assert "Replacement of a lost certificate" not in _text(first)
    clock_at.set(dt.datetime(2027, 3, 15, 8, 0, tzinfo=dt.UTC))
    _replace(permit.pk)
    # when ensure runs, and again
    second = certificate_ensure(permit_id=permit.pk)
    with mock.patch.object(certificates, "certificate_pdf_render") as render:
        third = certificate_ensure(permit_id=permit.pk)
    # then a new certificate says it replaces a lost one, and when; the next run keeps it
    assert second.certificate.name != first.certificate.name
    assert ("Replacement of a lost certificate — issued on 7 Shawwal 1448 AH (15 March 2027)"
            in _text(second))
    assert render.call_count == 0 and third.certificate.name == second.certificate.name
    made = PermitEvent.objects.filter(permit=permit, kind=PermitEventKind.CERTIFICATE_MADE
                                      ).order_by("seq").last()
    assert made.payload["replacement"] is True


def test_an_amendment_after_a_replacement_prints_no_replacement(world, private_root, clock_at):
    # given a replaced certificate
    permit = _issue(world)
    certificate_ensure(permit_id=permit.pk)
    _replace(permit.pk)
    certificate_ensure(permit_id=permit.pk)
    # when the permit is then amended to version 2
    Permit.objects.filter(pk=permit.pk).update(version=2)
    amended = certificate_ensure(permit_id=permit.pk)
    # then the new version's certificate is not a replacement of anything
    assert "Replacement of a lost certificate" not in _text(amended)
    assert permit_certificate_content(amended).lost_replacement_on is None


def test_a_missing_file_is_made_again(world, private_root, clock_at):
    # given a made certificate whose file was lost from the disk
    permit = _issue(world)
    first = certificate_ensure(permit_id=permit.pk)
    (private_root / first.certificate.name).unlink()
    # when ensure runs
    again = certificate_ensure(permit_id=permit.pk)
    # then a file is there again
    assert _files(private_root) == [again.certificate.name]


def test_an_unknown_permit_makes_nothing(private_root):
    assert certificate_ensure(permit_id=987654) is None
    assert not private_root.exists() or _files(private_root) == []


def test_an_establishment_holder_in_a_branch_of_an_amanah(world, private_root, clock_at):
    # given a permit held by an establishment, issued by a branch of an Amanah
    amanah = Municipality.objects.create(code="EPA", name_ar="أمانة المنطقة الشرقية",
                                         name_en="Eastern Province Amanah", kind="amanah")
    Municipality.objects.filter(pk=world.municipality.pk).update(parent=amanah)
    company = EstablishmentFactory(name_ar="شركة البناء المتقن", name_en="Al-Mutqan Building Co.")
    permit = _issue(world)
    Permit.objects.filter(pk=permit.pk).update(holder_person=None, holder_establishment=company)
    # when its certificate is made
    made = certificate_ensure(permit_id=permit.pk)
    content = permit_certificate_content(made)
    # then the Amanah heads it, the branch follows, and the holder's unified number is printed
    assert (content.amanah_name_en, content.municipality_name_en) == (
        "Eastern Province Amanah", world.municipality.name_en)
    assert (content.holder_name_en, content.holder_id, content.holder_is_establishment) == (
        "Al-Mutqan Building Co.", company.unified_number, True)
    text = _text(made)
    assert "Unified number" in text and company.unified_number in text


def test_status_words_are_those_of_the_moment_it_is_made(world, private_root, clock_at):
    # given a suspended permit whose certificate is made now (a replacement while suspended)
    permit = _issue(world)
    Permit.objects.filter(pk=permit.pk).update(status=PermitStatus.SUSPENDED)
    # when its content is built
    content = permit_certificate_content(Permit.objects.get(pk=permit.pk))
    # then it prints the status in both languages
    assert (content.status_ar, content.status_en) == ("موقوفة", "Suspended")


def test_the_sweeper_makes_what_the_lost_tasks_did_not(world, private_root, clock):
    # given, 10 minutes ago, a permit whose task was lost, and one replaced since its making
    clock.set(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))
    lost = _issue(world)
    replaced = permit_issue_again(world)
    certificate_ensure(permit_id=replaced.pk)
    _replace(replaced.pk)
    # and one issued a minute ago, whose task is still to come
    clock.set(dt.datetime(2026, 12, 3, 9, 9, tzinfo=dt.UTC))
    fresh = permit_issue_again(world)
    clock.set(dt.datetime(2026, 12, 3, 9, 10, tzinfo=dt.UTC))
    # when the sweeper runs, and again
    made = certificate_sweep()
    again = certificate_sweep()
    # then it made the lost one and the replaced one, and left the fresh one to its task
    assert (made, again) == (2, 0)
    assert Permit.objects.get(pk=lost.pk).certificate
    assert not Permit.objects.get(pk=fresh.pk).certificate
    assert "Replacement of a lost certificate" in _text(Permit.objects.get(pk=replaced.pk))


def permit_issue_again(world) -> Permit:
    """Another permit of the same world, on a parcel of its own."""
    from tests.permits.factories import deed_make, parcel_make

    count = Permit.objects.count()
    deed = deed_make(owner_id=world.owner.national_id, municipality_code=world.municipality.code,
                     number=f"31011234{count + 1:04d}")
    world.parcel = parcel_make(municipality=world.municipality, district=world.district,
                               deed=deed)
    return _issue(world)


def test_ensure_takes_a_bounded_number_of_queries(world, private_root, clock_at,
                                                  django_assert_max_num_queries):
    # given an issued permit; a test transaction adds a savepoint and its release to each run
    permit = _issue(world)
    # when its certificate is made: the locked row with what it prints, the type's fields,
    # the replacement check, the event and the row
    with django_assert_max_num_queries(8):
        certificate_ensure(permit_id=permit.pk)
    # then asking again reads the locked row and nothing else
    with django_assert_max_num_queries(3):
        certificate_ensure(permit_id=permit.pk)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ensures_make_one_file(world, private_root, clock_at):
    # given an issued permit without a certificate (its after-commit task not sent)
    with mock.patch("amanah.dispatch.TaskSend.__call__"):
        permit = _issue(world)
    barrier = threading.Barrier(2)
    names, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            names.append(certificate_ensure(permit_id=permit.pk).certificate.name)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    # when two workers ensure it at the same moment
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then they took turns on the row: one file, one event
    assert errors == []
    assert names[0] == names[1]
    assert _files(private_root) == [names[0]]
    assert PermitEvent.objects.filter(permit=permit,
                                      kind=PermitEventKind.CERTIFICATE_MADE).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_issuing_a_permit_has_the_real_worker_make_its_certificate(world, real_worker, clock_at):
    import time

    # given a permit issued in a transaction that commits (the worker process stores the file
    # where its own settings say, like a deployed worker)
    permit = _issue(world)
    # when the task its commit queued runs on the worker, then the certificate is there
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Permit.objects.get(pk=permit.pk).certificate:
        time.sleep(0.2)
    made = Permit.objects.get(pk=permit.pk)
    try:
        assert made.certificate.name.startswith(f"permits/certificates/{permit.number}-v1-")
        assert made.certificate_version == 1
        with made.certificate.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == made.certificate_sha256
    finally:
        made.certificate.storage.delete(made.certificate.name)
