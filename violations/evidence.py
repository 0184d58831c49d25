"""The seal on an inspection's evidence.

At submission the inspection's offender, place, inspector and time, every answer and every
photo (its hash recomputed from the stored bytes) are hashed as canonical JSON; the digest is
kept on the inspection and in its SUBMITTED event, so the chain proves it. The "inspection"
chain's content check recomputes it: a photo's bytes or an answer changed afterwards makes
`audit_verify` name the inspection and, from the chain's own ANSWERED and PHOTO_ADDED links,
the photo or the item that changed.
"""

import datetime as dt
import hashlib
import json

from .enums import InspectionEventKind, InspectionStatus
from .models import EvidencePhoto, Finding, Inspection, InspectionEvent

OFFENDER_SEALED = ("offender_kind", "offender_key", "establishment_id", "person_id",
                   "permit_number", "activity_codes", "size", "place_description", "district")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return str(value)


def photo_bytes_sha256(photo: EvidencePhoto) -> str:
    """SHA-256 of the photo as stored now ("missing" when the file is gone)."""
    digest = hashlib.sha256()
    try:
        with photo.file.open("rb") as stored:
            for chunk in iter(lambda: stored.read(1024 * 1024), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError, ValueError):
        return "missing"
    return digest.hexdigest()


def _canonical(inspection: Inspection, findings: list[Finding],
               photos: list[EvidencePhoto], photo_shas: dict[int, str]) -> bytes:
    content = {
        "inspection": inspection.number,
        "offender": {name: getattr(inspection, name) for name in OFFENDER_SEALED},
        "latitude": _text(inspection.latitude), "longitude": _text(inspection.longitude),
        "inspector": inspection.inspector_id,
        "submitted_at": _text(inspection.submitted_at),
        "findings": [{"question": f.question_id, "item_code": f.item_code, "answer": f.answer,
                      "note": f.note} for f in findings],
        "photos": [{"id": p.pk, "sha256": photo_shas[p.pk], "taken_at": _text(p.taken_at),
                    "latitude": _text(p.latitude), "longitude": _text(p.longitude),
                    "item_code": p.item_code, "visible_to_offender": p.visible_to_offender}
                   for p in photos],
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def _rows(inspection_ids: list[int]) -> tuple[dict[int, list], dict[int, list]]:
    findings: dict[int, list[Finding]] = {}
    for finding in Finding.objects.filter(inspection_id__in=inspection_ids).order_by(
            "question_id", "id"):
        findings.setdefault(finding.inspection_id, []).append(finding)
    photos: dict[int, list[EvidencePhoto]] = {}
    for photo in EvidencePhoto.objects.filter(inspection_id__in=inspection_ids).order_by("id"):
        photos.setdefault(photo.inspection_id, []).append(photo)
    return findings, photos


def evidence_digest(inspection: Inspection) -> str:
    """SHA-256 of the inspection's evidence as it stands (photo bytes re-read from storage)."""
    findings, photos = _rows([inspection.pk])
    mine = photos.get(inspection.pk, [])
    shas = {p.pk: photo_bytes_sha256(p) for p in mine}
    return hashlib.sha256(_canonical(inspection, findings.get(inspection.pk, []), mine,
                                     shas)).hexdigest()


def _what_changed(inspection: Inspection, events: list[InspectionEvent],
                  findings: list[Finding], photos: list[EvidencePhoto],
                  shas: dict[int, str]) -> str:
    """Name the first photo or finding that differs from what the chain sealed."""
    sealed_photos = {e.payload.get("photo"): e.payload.get("sha256") for e in events
                     if e.kind == InspectionEventKind.PHOTO_ADDED}
    for position, photo in enumerate(photos, start=1):
        if shas[photo.pk] != sealed_photos.get(photo.pk) or shas[photo.pk] != photo.sha256:
            return f"evidence changed after submission: photo {position}"
    sealed_answers: dict[int, tuple[str, str]] = {}
    for event in events:  # in chain order: the last answer to a question is the one sealed
        if event.kind == InspectionEventKind.ANSWERED:
            sealed_answers[event.payload.get("question")] = (event.payload.get("answer"),
                                                            event.payload.get("note", ""))
    for finding in findings:
        if sealed_answers.get(finding.question_id) != (finding.answer, finding.note):
            return f"evidence changed after submission: finding {finding.item_code}"
    if set(sealed_photos) != {p.pk for p in photos}:
        return "evidence changed after submission: a photo was added or removed"
    return "evidence changed after submission"


def evidence_content_check(head_ids: list[int]) -> dict[int, str]:
    """The "inspection" chain's content check: {inspection id: reason} for each submitted
    inspection whose evidence no longer hashes to the digest its SUBMITTED event sealed."""
    inspections = {i.pk: i for i in Inspection.objects.filter(
        pk__in=head_ids, status=InspectionStatus.SUBMITTED)}
    if not inspections:
        return {}
    events: dict[int, list[InspectionEvent]] = {}
    for event in InspectionEvent.objects.filter(inspection_id__in=inspections).order_by("seq"):
        events.setdefault(event.inspection_id, []).append(event)
    findings, photos = _rows(list(inspections))
    broken: dict[int, str] = {}
    for pk, inspection in inspections.items():
        sealed = next((e.payload.get("evidence") for e in reversed(events.get(pk, []))
                       if e.kind == InspectionEventKind.SUBMITTED), None)
        if not sealed:
            continue  # submitted before evidence was sealed (or by a fixture): nothing to check
        mine, answers = photos.get(pk, []), findings.get(pk, [])
        shas = {p.pk: photo_bytes_sha256(p) for p in mine}
        digest = hashlib.sha256(_canonical(inspection, answers, mine, shas)).hexdigest()
        if digest != sealed or inspection.evidence_digest != sealed:
            broken[pk] = _what_changed(inspection, events.get(pk, []), answers, mine, shas)
    return broken
