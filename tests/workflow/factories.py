"""Workflow test data: a small Amanah with one branch, its departments and staff, and the
demo procedures published for the Amanah (so the branch uses them by fallback). Their e-services
are live everywhere in it, so that only the rollout tests meet a refusal from rollout."""

import copy
from collections import deque
from dataclasses import dataclass, field

from amanah.enums import MunicipalityKind, OwningApp, RolloutState, StaffRole
from amanah.models import Department, Municipality, Person, User
from tests.factories import (
    CitizenFactory,
    DepartmentFactory,
    EServiceFactory,
    EServiceRolloutFactory,
    MunicipalityFactory,
    StaffMembershipFactory,
    StaffUserFactory,
)
from workflow.demo_definitions import COMPLAINT, GENERAL_CORRESPONDENCE
from workflow.enums import ACTOR_SYSTEM
from workflow.models import Case, DefinitionVersion, Transition
from workflow.services import case_route, case_submit, case_transition, definition_import

DEPARTMENT_CODES = ("customer_service", "licensing", "engineering", "inspection", "legal",
                    "finance")


@dataclass
class World:
    amanah: Municipality
    branch: Municipality
    other_branch: Municipality
    departments: dict[tuple[str, str], Department]
    applicant: Person
    other_citizen: Person
    versions: dict[str, DefinitionVersion] = field(default_factory=dict)
    _staff: dict[tuple[str, str, str], User] = field(default_factory=dict)

    def department(self, code: str, municipality: Municipality | None = None) -> Department:
        return self.departments[(municipality or self.branch).code, code]

    def staff(self, department_code: str, role: str,
              municipality: Municipality | None = None) -> User:
        """The one member of staff holding `role` in that department (made on first use)."""
        municipality = municipality or self.branch
        key = (municipality.code, department_code, role)
        if key not in self._staff:
            user = StaffUserFactory(username=f"{municipality.code.lower()}.{department_code}."
                                             f"{role}")
            StaffMembershipFactory(user=user, role=role,
                                   department=self.department(department_code, municipality))
            self._staff[key] = user
        return self._staff[key]


def world_build(*, definitions=(GENERAL_CORRESPONDENCE, COMPLAINT)) -> World:
    amanah = MunicipalityFactory(code="EPA", kind=MunicipalityKind.AMANAH, parent=None,
                                 name_ar="أمانة الشرقية", name_en="Eastern Amanah")
    branch = MunicipalityFactory(code="KHB", parent=amanah, name_ar="بلدية الخبر",
                                 name_en="Khobar")
    other_branch = MunicipalityFactory(code="DMM", parent=amanah, name_ar="بلدية الدمام",
                                       name_en="Dammam")
    departments = {}
    for municipality in (amanah, branch, other_branch):
        for code in DEPARTMENT_CODES:
            departments[municipality.code, code] = DepartmentFactory(
                municipality=municipality, code=code, name_ar=f"إدارة {code}",
                name_en=f"Dept {code}")
    world = World(amanah=amanah, branch=branch, other_branch=other_branch,
                  departments=departments,
                  applicant=CitizenFactory(municipality=branch),
                  other_citizen=CitizenFactory(municipality=branch))
    for data in definitions:
        if data.get("eservice"):
            eservice = EServiceFactory(code=data["eservice"], name_ar=data["name_ar"],
                                       name_en=data["name_en"], owning_app=OwningApp.WORKFLOW)
            for municipality in (amanah, branch, other_branch):
                EServiceRolloutFactory(eservice=eservice, municipality=municipality,
                                       state=RolloutState.LIVE)
        world.versions[data["code"]] = definition_import(data=copy.deepcopy(data),
                                                         municipality=amanah, publish=True)
    return world


def case_new(world: World, kind: str = "general_correspondence", *, route: bool = True,
             subject: str = "طلب إفادة", municipality: Municipality | None = None) -> Case:
    case = case_submit(kind=kind, municipality=municipality or world.branch, subject=subject,
                       submitted_by=world.applicant.user, applicant_person=world.applicant)
    if route:
        case = case_route(case_id=case.pk)
    return Case.objects.get(pk=case.pk)


def actor_for(world: World, case: Case, transition: Transition) -> User | None:
    """Someone the definition lets take `transition` on `case` as it stands."""
    roles = transition.allowed_roles
    staff_roles = [r for r in roles if r in StaffRole.values]
    if staff_roles:
        department = case.department
        municipality = department.municipality
        return world.staff(department.code, staff_roles[0], municipality)
    if "applicant" in roles:
        return world.applicant.user
    assert ACTOR_SYSTEM in roles
    return None


def path_to_state(version: DefinitionVersion, state_code: str) -> list[Transition]:
    """Shortest list of transitions from the start state to `state_code`."""
    transitions = list(version.transitions.select_related("from_state", "to_state"))
    start = version.states.get(is_start=True).code
    previous: dict[str, Transition | None] = {start: None}
    todo = deque([start])
    while todo:
        here = todo.popleft()
        for t in transitions:
            if t.from_state.code == here and t.to_state.code not in previous:
                previous[t.to_state.code] = t
                todo.append(t.to_state.code)
    steps = []
    code = state_code
    while previous[code] is not None:
        steps.append(previous[code])
        code = previous[code].from_state.code
    return list(reversed(steps))


def case_in_state(world: World, kind: str, state_code: str) -> Case:
    """A fresh case walked along the shortest path of the definition to `state_code`."""
    case = case_new(world, kind, route=False)
    for transition in path_to_state(world.versions[kind], state_code):
        case = Case.objects.select_related("department__municipality").get(pk=case.pk)
        if transition.allowed_roles == [ACTOR_SYSTEM]:
            case_route(case_id=case.pk)
            continue
        case_transition(case_id=case.pk, action=transition.action,
                        actor=actor_for(world, case, transition), comment="للمتابعة")
    return Case.objects.select_related("department__municipality", "state").get(pk=case.pk)




def cases_bulk(world: World, template: Case, count: int, *, start: int = 1000,
               assignee: User | None = None) -> list[Case]:
    """`count` copies of a routed case, inserted in one statement (for query-count tests)."""
    fields = {f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields
              if f.attname not in ("id", "number")}
    copies = [Case(**{**fields, "number": f"BLK-{start + i:07d}",
                      "assignee_id": assignee.pk if assignee and i % 2 else None})
              for i in range(count)]
    return Case.objects.bulk_create(copies)
