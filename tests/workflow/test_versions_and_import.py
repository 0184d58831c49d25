"""A running case keeps its version; definitions travel between municipalities as JSON."""

import io
import json

import pytest
from django.core.management import call_command

from amanah.enums import StaffRole
from amanah.errors import DomainError
from workflow.enums import StatusCategory, VersionStatus
from workflow.models import Case, DefinitionVersion, Transition
from workflow.services import (
    case_transition,
    definition_export,
    definition_import,
    version_draft_create,
    version_publish,
)

from .factories import case_new


def test_running_case_keeps_the_version_it_started_with(world):
    # given a case started on version 1
    old_case = case_new(world)
    first = world.versions["general_correspondence"]
    # when version 2 is published, in which only the head may answer
    draft = version_draft_create(definition_id=first.definition_id)
    Transition.objects.filter(version=draft, action="answer").update(allowed_roles=["head"])
    second = version_publish(version_id=draft.pk)
    new_case = case_new(world)
    # then the old case still follows version 1 (a reviewer may answer it) ...
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    case_transition(case_id=old_case.pk, action="answer", actor=reviewer, comment="تم")
    assert Case.objects.get(pk=old_case.pk).version == first
    assert Case.objects.get(pk=old_case.pk).category == StatusCategory.APPROVED
    # ... and the new case follows version 2
    assert new_case.version == second
    with pytest.raises(DomainError) as refused:
        case_transition(case_id=new_case.pk, action="answer", actor=reviewer, comment="تم")
    assert refused.value.code == "workflow.not_allowed"
    assert DefinitionVersion.objects.get(pk=first.pk).status == VersionStatus.RETIRED


def test_branch_definition_takes_precedence_over_the_amanah_one(world):
    data = definition_export(version=world.versions["complaint"])
    data["name_en"] = "Khobar complaint"
    own = definition_import(data=data, municipality=world.branch, publish=True)
    case = case_new(world, "complaint")
    assert case.version == own
    elsewhere = case_new(world, "complaint", municipality=world.other_branch)
    assert elsewhere.version == world.versions["complaint"]


def test_export_import_round_trip(world):
    # given the Amanah's published complaint procedure, exported
    exported = definition_export(version=world.versions["complaint"])
    # when it is imported into the branch and exported again
    imported = definition_import(data=json.loads(json.dumps(exported)),
                                 municipality=world.branch, publish=True)
    again = definition_export(version=imported)
    # then everything but the source matches
    assert again.pop("source") == {"municipality": "KHB", "version": 1}
    exported.pop("source")
    assert again == exported
    assert imported.status == VersionStatus.PUBLISHED


def test_import_of_a_broken_file_is_refused_and_writes_nothing(world):
    versions_before = DefinitionVersion.objects.count()
    bad = definition_export(version=world.versions["complaint"])
    bad["transitions"][0]["to"] = "nowhere"
    with pytest.raises(DomainError) as refused:
        definition_import(data=bad, municipality=world.branch)
    assert refused.value.code == "workflow.import_invalid"
    with pytest.raises(DomainError) as wrong_format:
        definition_import(data={"format": "something else"}, municipality=world.branch)
    assert wrong_format.value.code == "workflow.import_invalid"
    assert DefinitionVersion.objects.count() == versions_before


def test_export_and_import_commands(world, tmp_path):
    path = tmp_path / "complaint.json"
    call_command("workflow_export", "complaint", municipality="EPA", output=str(path),
                 stderr=io.StringIO())
    out = io.StringIO()
    call_command("workflow_import", str(path), municipality="DMM", publish=True, stdout=out)
    assert out.getvalue().strip() == "complaint @ DMM: v1 published"
    assert json.loads(path.read_text(encoding="utf-8"))["code"] == "complaint"


def test_published_kinds_for_a_branch_prefer_its_own(world):
    from workflow.selectors import definitions_published_for

    data = definition_export(version=world.versions["complaint"])
    own = definition_import(data=data, municipality=world.branch, publish=True)
    kinds = definitions_published_for(municipality=world.branch)
    assert [(v.definition.code, v.pk) for v in kinds] == [
        ("complaint", own.pk),
        ("general_correspondence", world.versions["general_correspondence"].pk)]
