"""The procedures load and publish: "violation_approval" always, "violation_objection" once the
objections part has registered its guard and effect (named here, written there)."""

import pytest

from violations.procedures import (
    OBJECTION_EFFECT,
    OBJECTION_GUARD,
    objection_procedure,
    violations_procedures_ensure,
)
from workflow import registry
from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion

from ..factories import violations_world

pytestmark = pytest.mark.django_db


def _published(world) -> list[str]:
    return sorted(DefinitionVersion.objects.filter(
        definition__municipality=world.municipality, status=VersionStatus.PUBLISHED)
        .values_list("definition__code", flat=True))


def test_the_objection_procedure_is_published_once_its_guard_and_effect_exist(monkeypatch):
    world = violations_world()
    monkeypatch.setattr(registry, "_guards", {k: v for k, v in registry._guards.items()
                                              if k != OBJECTION_GUARD})
    monkeypatch.setattr(registry, "_effects", {k: v for k, v in registry._effects.items()
                                               if k != OBJECTION_EFFECT})
    # when ensured before the objections part registered its hooks: approval only
    assert violations_procedures_ensure(municipality=world.municipality) == [
        "violation_approval"]
    # when they are registered: the objection procedure too, and then nothing more
    monkeypatch.setitem(registry._guards, OBJECTION_GUARD, lambda **kw: True)
    monkeypatch.setitem(registry._effects, OBJECTION_EFFECT, lambda **kw: None)
    assert violations_procedures_ensure(municipality=world.municipality) == [
        "violation_objection"]
    assert violations_procedures_ensure(municipality=world.municipality) == []
    assert _published(world) == ["violation_approval", "violation_objection"]


def test_the_objection_procedure_names_its_guard_effect_and_legal_sla():
    data = objection_procedure()
    (decide,) = [t for t in data["transitions"] if t["action"] == "decide"]
    assert (decide["guards"], decide["effects"]) == ([OBJECTION_GUARD], [OBJECTION_EFFECT])
    review = next(s for s in data["states"] if s["code"] == "review")
    assert (review["department_code"], review["sla_hours"]) == ("legal", 35)
    assert data["eservice"] == "violation_objection"


def test_by_default_the_amanah_publishes_them_for_its_branches():
    # given an Amanah and a branch world with its own inspection department
    from amanah.enums import MunicipalityKind
    from tests.factories import DepartmentFactory, MunicipalityFactory
    from violations.services.approval import approval_case_open

    from ..factories import submitted_inspection_make

    amanah = MunicipalityFactory(code="AMN", kind=MunicipalityKind.AMANAH)
    for code in ("inspection", "legal"):
        DepartmentFactory(municipality=amanah, code=code)
    world = violations_world()
    # when the procedures are ensured with no municipality named
    assert "violation_approval" in violations_procedures_ensure()
    # then they are the Amanah's, and a branch's fine opens its case in the branch's department
    assert DefinitionVersion.objects.filter(definition__municipality=amanah,
                                            definition__code="violation_approval").exists()
    _, (fine,) = submitted_inspection_make(world)
    case = approval_case_open(violation_id=fine.pk)
    assert (case.municipality, case.department) == (world.municipality,
                                                    world.inspection_department)
