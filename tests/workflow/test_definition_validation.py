"""Publishing refuses a definition that breaks any rule, and says which."""

import copy

import pytest

from amanah.errors import DomainError
from workflow import registry
from workflow.demo_definitions import GENERAL_CORRESPONDENCE
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion, WorkflowDefinition
from workflow.services import (
    DefinitionInvalid,
    definition_import,
    version_draft_create,
    version_publish,
)


def _guard_yes(**kwargs):
    return True


def _data(**changes):
    data = copy.deepcopy(GENERAL_CORRESPONDENCE)
    data["code"] = "test_procedure"
    data.update(changes)
    return data


def _state(data, code):
    return next(s for s in data["states"] if s["code"] == code)


def _publish_codes(world, data) -> list[str]:
    draft = definition_import(data=data, municipality=world.amanah)
    with pytest.raises(DefinitionInvalid) as refused:
        version_publish(version_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert draft.published_at is None
    return [p.code for p in refused.value.problems]


def test_valid_definition_publishes(world):
    # given a draft of a well-formed procedure
    draft = definition_import(data=_data(), municipality=world.amanah)
    # when it is published
    version = version_publish(version_id=draft.pk)
    # then it is the published version
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None


def test_no_start_state_is_refused(world):
    data = _data()
    _state(data, "submitted")["is_start"] = False
    assert _publish_codes(world, data)[0] == "workflow.validation.start_state"


def test_two_start_states_are_refused(world):
    data = _data()
    _state(data, "in_review")["is_start"] = True
    assert "workflow.validation.start_state" in _publish_codes(world, data)


def test_unreachable_state_is_refused(world):
    # given a state no transition leads to
    data = _data()
    data["states"].append({"code": "orphan", "name_ar": "يتيمة", "name_en": "Orphan",
                           "category": "in_review", "department_code": "legal",
                           "sla_hours": None, "is_start": False,
                           "transfer_department_codes": []})
    data["transitions"].append({"action": "finish", "name_ar": "إنهاء", "name_en": "Finish",
                                "from": "orphan", "to": "answered", "allowed_roles": ["head"],
                                "comment_required": False, "document_required": False,
                                "guards": [], "effects": []})
    codes = _publish_codes(world, data)
    assert codes == ["workflow.validation.unreachable_state"]


def test_state_with_no_way_to_a_final_state_is_refused(world):
    # given a dead end: a review step whose only exit loops back to itself
    data = _data()
    data["states"].append({"code": "limbo", "name_ar": "معلقة", "name_en": "Limbo",
                           "category": "in_review", "department_code": "legal",
                           "sla_hours": None, "is_start": False,
                           "transfer_department_codes": []})
    data["transitions"].append({"action": "park", "name_ar": "تعليق", "name_en": "Park",
                                "from": "in_review", "to": "limbo", "allowed_roles": ["head"],
                                "comment_required": False, "document_required": False,
                                "guards": [], "effects": []})
    data["transitions"].append({"action": "stay", "name_ar": "بقاء", "name_en": "Stay",
                                "from": "limbo", "to": "limbo", "allowed_roles": ["head"],
                                "comment_required": False, "document_required": False,
                                "guards": [], "effects": []})
    refused = _publish_codes(world, data)
    assert refused == ["workflow.validation.no_terminal_path"]


def test_unregistered_guard_is_refused(world):
    data = _data()
    data["transitions"][2]["guards"] = ["no_such_guard"]
    assert _publish_codes(world, data) == ["workflow.validation.unknown_guard"]


def test_unregistered_effect_is_refused(world):
    data = _data()
    data["transitions"][2]["effects"] = ["no_such_effect"]
    assert _publish_codes(world, data) == ["workflow.validation.unknown_effect"]


def test_state_without_department_is_refused(world):
    data = _data()
    _state(data, "in_review")["department_code"] = ""
    assert _publish_codes(world, data) == ["workflow.validation.state_unowned"]


def test_state_owned_by_unknown_department_is_refused(world):
    data = _data()
    _state(data, "in_review")["department_code"] = "astronomy"
    assert _publish_codes(world, data) == ["workflow.validation.state_unowned"]


def test_unknown_role_is_refused(world):
    data = _data()
    data["transitions"][2]["allowed_roles"] = ["wizard"]
    assert _publish_codes(world, data) == ["workflow.validation.bad_actor"]


def test_every_broken_rule_is_reported_at_once(world):
    data = _data()
    _state(data, "submitted")["is_start"] = False
    data["transitions"][2]["guards"] = ["no_such_guard"]
    assert _publish_codes(world, data) == ["workflow.validation.start_state",
                                           "workflow.validation.unknown_guard"]


def test_guard_registered_by_another_app_makes_it_valid(world):
    # given a guard name only another app knows, registered the way its ready() would
    registry.guard_register("test_only_guard")(_guard_yes)
    data = _data()
    data["transitions"][2]["guards"] = ["test_only_guard"]
    draft = definition_import(data=data, municipality=world.amanah)
    # then publishing accepts it
    assert version_publish(version_id=draft.pk).status == VersionStatus.PUBLISHED


def test_publishing_retires_the_previous_version(world):
    # given the published demo procedure and a new draft copied from it
    first = world.versions["general_correspondence"]
    draft = version_draft_create(definition_id=first.definition_id)
    assert draft.number == 2
    assert draft.states.count() == first.states.count()
    # when the draft is published
    version_publish(version_id=draft.pk)
    # then only it is published; the first is retired, not deleted
    statuses = dict(DefinitionVersion.objects.filter(definition_id=first.definition_id)
                    .values_list("number", "status"))
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.PUBLISHED}


def test_a_published_version_cannot_be_published_again(world):
    version = world.versions["complaint"]
    with pytest.raises(DomainError) as refused:
        version_publish(version_id=version.pk)
    assert refused.value.code == "workflow.version_not_draft"
    assert WorkflowDefinition.objects.get(pk=version.definition_id).versions.count() == 1


def test_a_published_version_is_frozen_for_editing(world):
    from django.core.exceptions import ValidationError

    version = world.versions["general_correspondence"]
    state = version.states.get(code="in_review")
    state.sla_hours = 1
    with pytest.raises(ValidationError) as refused:
        state.full_clean()
    assert refused.value.error_dict["__all__"][0].code == "version_not_draft"
    draft = version_draft_create(definition_id=version.definition_id)
    copy_state = draft.states.get(code="in_review")
    copy_state.sla_hours = 1
    copy_state.full_clean()


def test_a_transition_must_join_states_of_its_own_version(world):
    from django.core.exceptions import ValidationError

    draft = version_draft_create(definition_id=world.versions["complaint"].definition_id)
    transition = draft.transitions.first()
    transition.to_state = world.versions["complaint"].states.first()
    with pytest.raises(ValidationError) as refused:
        transition.full_clean()
    assert "to_state" in refused.value.error_dict
