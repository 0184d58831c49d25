"""The evidence seal: a photo's bytes or an answer changed after submission is named by
`audit_verify` on the "inspection" chain; untouched evidence verifies."""

import pytest

from amanah.events import audit_verify
from tests.violations.factories import violations_world
from violations.enums import InspectionEventKind, OffenderKind
from violations.models import EvidencePhoto, Finding
from violations.services.inspections import inspection_open, inspection_submit

from .helpers import answer_all

pytestmark = pytest.mark.django_db


def _submitted(world, *, no=("WARN", "FINE")):
    inspection, _ = inspection_open(
        actor=world.inspector, municipality=world.municipality, checklist_code="general",
        offender_kind=OffenderKind.ESTABLISHMENT,
        unified_number=world.establishment.unified_number)
    answer_all(inspection, world.inspector, no=no, notes={"WARN": "واجهة متسخة"})
    inspection_submit(inspection_id=inspection.pk, actor=world.inspector)
    inspection.refresh_from_db()
    return inspection


def _result():
    (result,) = audit_verify(chain="inspection")
    return result


def test_untouched_evidence_verifies():
    world = violations_world()
    _submitted(world)
    assert _result().ok is True


def test_a_photo_changed_on_disk_is_named_with_its_inspection():
    world = violations_world()
    inspection = _submitted(world)
    photo = EvidencePhoto.objects.filter(inspection=inspection).order_by("id")[1]
    # when someone rewrites the second photo's bytes in storage
    with open(photo.file.path, "r+b") as stored:
        stored.seek(-3, 2)
        stored.write(b"\x00\x01\x02")
    # then the chain names the inspection and the photo
    result = _result()
    assert (result.ok, result.head_key, result.reason) == (
        False, inspection.number, "evidence changed after submission: photo 2")


def test_a_photo_removed_from_disk_is_named():
    world = violations_world()
    inspection = _submitted(world)
    photo = EvidencePhoto.objects.filter(inspection=inspection).order_by("id").first()
    photo.file.delete(save=False)
    result = _result()
    assert (result.ok, result.head_key, result.reason) == (
        False, inspection.number, "evidence changed after submission: photo 1")


@pytest.mark.parametrize("change", [{"answer": "yes"}, {"note": "نظيفة"}])
def test_an_answer_or_note_changed_in_the_database_is_named_by_its_item(change):
    world = violations_world()
    inspection = _submitted(world)
    Finding.objects.filter(inspection=inspection, item_code="WARN").update(**change)
    result = _result()
    assert (result.ok, result.head_key, result.reason) == (
        False, inspection.number, "evidence changed after submission: finding WARN")


def test_only_the_changed_inspection_is_named_and_the_seal_is_in_the_chain():
    world = violations_world()
    clean = _submitted(world, no=())
    changed = _submitted(world, no=("FINE",))
    assert clean.events.get(kind=InspectionEventKind.SUBMITTED).payload["evidence"] == (
        clean.evidence_digest)
    Finding.objects.filter(inspection=changed, item_code="SERIOUS").update(note="edited")
    result = _result()
    assert (result.ok, result.head_key, result.reason) == (
        False, changed.number, "evidence changed after submission: finding SERIOUS")
    assert audit_verify(chain="inspection", head_id=clean.pk)[0].ok is True
