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


def test_the_export_names_the_e_service_and_the_import_keeps_it(world):
    # given the Amanah's complaint procedure, which serves the complaint e-service
    exported = definition_export(version=world.versions["complaint"])
    # when it is imported into the branch
    imported = definition_import(data=exported, municipality=world.branch)
    # then the file carried the e-service's code, and the branch's procedure serves it too
    assert exported["eservice"] == "complaint"
    assert imported.definition.eservice.code == "complaint"


@pytest.mark.parametrize(("file_says", "serves"), [
    ("absent", "complaint"),     # a file made before procedures named their e-service
    (None, None),                # an internal procedure
    ("general_correspondence", "general_correspondence"),
], ids=["older-file", "internal", "named"])
def test_the_e_service_an_imported_definition_serves(world, file_says, serves):
    # given an exported complaint procedure, its e-service key as the file says
    data = definition_export(version=world.versions["complaint"])
    if file_says == "absent":
        del data["eservice"]
    else:
        data["eservice"] = file_says
    # when it is imported as a new procedure of the branch
    imported = definition_import(data=data, municipality=world.branch)
    # then it serves the e-service the file names, or the one of its own code for older files
    definition = imported.definition
    assert (definition.eservice.code if definition.eservice_id else None) == serves


def test_an_import_naming_an_unknown_or_another_e_service_is_refused(world):
    # given the Amanah's complaint procedure, which serves the complaint e-service
    versions_before = DefinitionVersion.objects.count()
    data = definition_export(version=world.versions["complaint"])
    # when a file names an e-service the catalogue lacks, or another than the procedure's
    for eservice, detail in (
            ("no_such_service", "the e-service 'no_such_service' is not in the catalogue"),
            ("general_correspondence", "it names the e-service 'general_correspondence', "
                                       "but 'complaint' here serves another one")):
        with pytest.raises(DomainError) as refused:
            definition_import(data={**data, "eservice": eservice}, municipality=world.amanah)
        # then it is refused with the reason, and no version is added
        assert refused.value.code == "workflow.import_invalid"
        assert refused.value.message_en == f"The definition file is not valid: {detail}"
    assert DefinitionVersion.objects.count() == versions_before
    assert world.versions["complaint"].definition.eservice.code == "complaint"


def test_the_migration_links_definitions_to_the_e_service_of_their_code(world):
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from workflow.models import WorkflowDefinition

    name = "0007_workflowdefinition_eservice_link"
    migration = import_module(f"workflow.migrations.{name}")
    # The models as the migration sees them (no history signals, as in a real migrate).
    apps = MigrationExecutor(connection).loader.project_state(("workflow", name)).apps
    # given definitions from before the link: one with an e-service of its code, one without
    WorkflowDefinition.objects.update(eservice=None)
    data = definition_export(version=world.versions["complaint"])
    definition_import(data={**data, "code": "no_such_kind", "eservice": None},
                      municipality=world.amanah)
    # when the migration's data step runs
    migration.link_to_eservice_of_same_code(apps, None)
    # then each is linked to the e-service of its own code, where there is one, with a record
    linked = dict(WorkflowDefinition.objects.values_list("code", "eservice__code"))
    assert linked == {"complaint": "complaint",
                      "general_correspondence": "general_correspondence",
                      "no_such_kind": None}
    complaint = WorkflowDefinition.objects.get(code="complaint")
    latest = complaint.history.first()
    assert (latest.eservice_id, latest.history_type, latest.history_change_reason) == (
        complaint.eservice_id, "~", "Linked to the e-service of the same code")
