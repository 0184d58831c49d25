"""The designer's services: a draft is edited state by state and transition by transition,
under the version's lock, only while it is a draft, by an admin of its municipality; problems
name what they concern; publishing a valid draft moves new cases to it."""

import datetime as dt

import pytest

from amanah.errors import Conflict, PermissionDenied
from workflow import registry
from workflow.enums import VersionStatus
from workflow.models import Case, DefinitionVersion, State, Transition
from workflow.services import DefinitionInvalid, version_publish, version_validate
from workflow.services.definitions import _content_dump
from workflow.services.designer import (
    FieldChange,
    ItemChange,
    draft_start,
    draft_state_delete,
    draft_state_save,
    draft_transition_save,
    version_diff,
    version_discard,
)

from ..factories import case_new

ADMIN_ROLE = "admin"


def _admin(world):
    return world.staff("customer_service", ADMIN_ROLE, world.amanah)


def _draft(world):
    published = world.versions["general_correspondence"]
    return draft_start(definition_id=published.definition_id, actor=_admin(world))


def _state(draft, admin, **changes):
    fields = {"code": "legal_opinion", "name_ar": "رأي قانوني", "name_en": "Legal opinion",
              "category": "in_review", "department_code": "legal", "sla_hours": 8,
              "is_start": False, "transfer_department_codes": []}
    fields.update(changes)
    return draft_state_save(version_id=draft.pk, actor=admin, **fields)


def _transition(draft, admin, source, target, **changes):
    fields = {"action": "ask_legal", "name_ar": "طلب رأي قانوني", "name_en": "Ask legal",
              "from_state_id": source.pk, "to_state_id": target.pk,
              "allowed_roles": ["reviewer"], "guards": [], "effects": []}
    fields.update(changes)
    return draft_transition_save(version_id=draft.pk, actor=admin, **fields)


def _targets(version) -> dict[str, tuple[str, ...]]:
    return {p.code: p.targets for p in version_validate(version=version)}


def test_a_draft_starts_from_the_published_version_once(world):
    published = world.versions["general_correspondence"]
    draft = _draft(world)
    assert (draft.number, draft.status) == (published.number + 1, VersionStatus.DRAFT)
    assert _content_dump(draft) == _content_dump(published)
    # asking again gives the same draft, not a second one
    assert _draft(world).pk == draft.pk


def test_problems_name_the_state_and_transition_they_concern(world):
    admin = _admin(world)
    draft = _draft(world)
    # given a state nobody reaches, with no department and no way out
    orphan = _state(draft, admin, code="orphan", department_code="")
    # and a transition with a guard the system does not know, and nobody allowed to take it
    review = draft.states.get(code="in_review")
    odd = _transition(draft, admin, review, review, action="odd", allowed_roles=[],
                      guards=["no_such_guard"])
    # then each problem names its state or transition
    assert _targets(draft) == {
        "workflow.validation.unreachable_state": ("state:orphan",),
        "workflow.validation.no_terminal_path": ("state:orphan",),
        "workflow.validation.unknown_guard": (f"transition:{odd.pk}",),
        "workflow.validation.bad_actor": (f"transition:{odd.pk}",),
        "workflow.validation.state_unowned": ("state:orphan",),
    }
    # and publishing is refused with all of them; the draft stays a draft
    with pytest.raises(DefinitionInvalid) as refused:
        version_publish(version_id=draft.pk, actor=admin)
    assert len(refused.value.problems) == 5
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (VersionStatus.DRAFT, None)
    assert DefinitionVersion.objects.get(
        pk=world.versions["general_correspondence"].pk).status == VersionStatus.PUBLISHED
    assert orphan.pk is not None


def test_a_valid_draft_is_published_new_cases_follow_it_open_ones_keep_theirs(world, clock):
    admin = _admin(world)
    old = world.versions["general_correspondence"]
    open_case = case_new(world)
    draft = _draft(world)
    review = draft.states.get(code="in_review")
    legal = _state(draft, admin)
    _transition(draft, admin, review, legal)
    _transition(draft, admin, legal, review, action="legal_answered", name_ar="إفادة قانونية",
                name_en="Legal answer", allowed_roles=["reviewer", "head"])
    assert version_validate(version=draft) == []
    moment = clock.set(dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC))

    published = version_publish(version_id=draft.pk, actor=admin)

    assert (published.number, published.status) == (old.number + 1, VersionStatus.PUBLISHED)
    assert published.published_by == admin
    assert published.published_at == moment
    assert DefinitionVersion.objects.get(pk=old.pk).status == VersionStatus.RETIRED
    assert Case.objects.get(pk=open_case.pk).version_id == old.pk
    assert case_new(world).version_id == published.pk
    # the configuration history names who changed the state and published
    assert legal.history.first().history_user == admin
    assert published.history.first().history_user == admin


def test_a_published_version_cannot_be_edited_and_nothing_changes(world):
    admin = _admin(world)
    published = world.versions["general_correspondence"]
    before = _content_dump(published)
    state = published.states.get(code="in_review")
    with pytest.raises(Conflict) as refused:
        draft_state_save(version_id=published.pk, actor=admin, state_id=state.pk,
                         code="in_review", name_ar="x", name_en="x", category="in_review",
                         department_code="legal", sla_hours=1, is_start=False,
                         transfer_department_codes=[])
    assert refused.value.code == "workflow.version_not_draft"
    with pytest.raises(Conflict):
        draft_state_delete(version_id=published.pk, state_id=state.pk, actor=admin)
    with pytest.raises(Conflict):
        version_discard(version_id=published.pk, actor=admin)
    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED
    assert _content_dump(published) == before


def test_an_admin_of_another_branch_or_a_clerk_may_not_edit(world):
    draft = _draft(world)
    before = _content_dump(draft)
    for outsider in (world.staff("customer_service", ADMIN_ROLE, world.branch),
                     world.staff("customer_service", "clerk", world.amanah)):
        with pytest.raises(PermissionDenied):
            _state(draft, outsider)
        with pytest.raises(PermissionDenied):
            draft_start(definition_id=draft.definition_id, actor=outsider)
    assert _content_dump(draft) == before


def test_deleting_a_state_takes_its_transitions_and_discarding_removes_the_draft(world):
    admin = _admin(world)
    draft = _draft(world)
    review = draft.states.get(code="in_review")
    leaving = draft.transitions.filter(from_state=review).count()
    entering = draft.transitions.filter(to_state=review).count()
    total = draft.transitions.count()
    draft_state_delete(version_id=draft.pk, state_id=review.pk, actor=admin)
    assert not draft.states.filter(code="in_review").exists()
    assert draft.transitions.count() == total - leaving - entering
    definition_id = version_discard(version_id=draft.pk, actor=admin)
    assert definition_id == draft.definition_id
    assert not DefinitionVersion.objects.filter(pk=draft.pk).exists()
    assert not State.objects.filter(version_id=draft.pk).exists()
    assert not Transition.objects.filter(version_id=draft.pk).exists()


def test_the_diff_says_what_was_added_removed_and_changed():
    old = {"sla_hours": 35, "states": [
        {"code": "a", "name_ar": "أ", "name_en": "A", "category": "submitted",
         "department_code": "cs", "sla_hours": 4, "is_start": True,
         "transfer_department_codes": []},
        {"code": "b", "name_ar": "ب", "name_en": "B", "category": "approved",
         "department_code": "cs", "sla_hours": None, "is_start": False,
         "transfer_department_codes": []}],
        "transitions": [{"action": "go", "name_ar": "انتقل", "name_en": "Go", "from": "a",
                         "to": "b", "allowed_roles": ["clerk"], "comment_required": False,
                         "document_required": False, "guards": [], "effects": []}]}
    new = {"sla_hours": 40, "states": [
        {**old["states"][0], "sla_hours": 8, "department_code": "legal"},
        {"code": "c", "name_ar": "ج", "name_en": "C", "category": "closed",
         "department_code": "cs", "sla_hours": None, "is_start": False,
         "transfer_department_codes": []}],
        "transitions": [{**old["transitions"][0], "to": "c", "guards": ["has_attachment"]}]}
    diff = version_diff(old=old, new=new)
    assert diff.version_changes == (FieldChange("sla_hours", 35, 40),)
    assert diff.states == (
        ItemChange("a", "changed", "أ", "A", (FieldChange("department_code", "cs", "legal"),
                                              FieldChange("sla_hours", 4, 8))),
        ItemChange("c", "added", "ج", "C"),
        ItemChange("b", "removed", "ب", "B"),
    )
    assert diff.transitions == (
        ItemChange("a/go", "changed", "انتقل", "Go", (FieldChange("to", "b", "c"),
                                                      FieldChange("guards", [],
                                                                  ["has_attachment"]))),
    )
    assert version_diff(old=old, new=old).is_empty


def test_every_registered_guard_and_effect_has_labels_in_both_languages():
    missing = [(kind, name) for kind, names in (("guard", registry.guard_names()),
                                                ("effect", registry.effect_names()))
               for name in sorted(names)
               if not (registry.hook_label(kind, name)
                       and registry.hook_label(kind, name).is_complete)]
    assert missing == []
    assert len(registry.guard_names()) >= 9 and len(registry.effect_names()) >= 8
