"""The citizen's own way in: a signed-in person opens a case on the portal (page or API).

It adds to `case_submit` only what belongs to that path — the municipality is the person's own,
and only procedures offered on the portal's form may be started there; the rollout rule itself
is `case_submit`'s, so every other path obeys it too."""

from amanah.counter import COUNTER_FILE_ROLES, counter_department, counter_refused
from amanah.errors import DomainError, PermissionDenied
from amanah.models import Person
from amanah.permissions import person_for_user

from ..enums import CaseChannel, CasePriority
from ..models import Case
from .cases import case_submit
from .definitions import definition_is_offered_online, definition_resolve


def case_submit_online(*, user, kind: str, subject: str, description: str = "",
                       documents: tuple | list = ()) -> Case:
    """A signed-in citizen or resident opens a case of a kind offered online, where they live."""
    person = person_for_user(user)
    if person is None:
        raise PermissionDenied("workflow.citizens_only",
                               "تقديم المعاملات من البوابة متاح للمواطنين والمقيمين فقط.",
                               "Only citizens and residents submit transactions on the portal.")
    municipality = person.municipality
    if municipality is None:
        raise DomainError("workflow.municipality_unknown",
                          "لم تحدد بلدية سكنك في حسابك، فلا يمكن تقديم المعاملة.",
                          "Your account has no municipality of residence, so the transaction "
                          "cannot be submitted.", field="kind")
    definition = definition_resolve(code=kind, municipality=municipality).definition
    if not definition_is_offered_online(definition):
        raise DomainError("workflow.kind_not_online",
                          "لا يمكن تقديم هذا النوع من المعاملات من هنا.",
                          "This kind of transaction cannot be submitted here.", field="kind")
    return case_submit(kind=kind, municipality=municipality, subject=subject,
                       description=description, submitted_by=user, applicant_person=person,
                       priority=CasePriority.NORMAL, documents=documents)


def case_submit_at_counter(*, clerk, person: Person, kind: str, subject: str,
                           description: str = "", documents: tuple | list = ()) -> Case:
    """A clerk files, for a walk-in citizen found by ID, what that citizen could have filed
    online where they live; the case is the citizen's, recorded as filed at the counter by the
    clerk (`case_submit` checks the clerk serves that counter)."""
    municipality = person.municipality
    if municipality is None:
        raise DomainError("workflow.counter_municipality_unknown",
                          "لم تسجل بلدية سكن لهذا الشخص، فلا يمكن تقديم المعاملة عنه.",
                          "This person has no municipality of residence on record, so no "
                          "transaction can be filed for them.", field="kind")
    # Who is asking comes first: a refusal must not tell a stranger what is offered where.
    if counter_department(clerk, municipality=municipality, roles=COUNTER_FILE_ROLES) is None:
        raise counter_refused()
    definition = definition_resolve(code=kind, municipality=municipality).definition
    if not definition_is_offered_online(definition):
        raise DomainError("workflow.kind_not_online",
                          "لا يمكن تقديم هذا النوع من المعاملات من هنا.",
                          "This kind of transaction cannot be submitted here.", field="kind")
    return case_submit(kind=kind, municipality=municipality, subject=subject,
                       description=description, submitted_by=clerk, applicant_person=person,
                       priority=CasePriority.NORMAL, documents=documents,
                       channel=CaseChannel.COUNTER)
