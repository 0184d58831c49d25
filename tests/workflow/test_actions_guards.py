"""The actions a case page offers are put to their guards first: an action a guard refuses is
listed disabled, with the guard's own reason, never as a button that then fails."""

from amanah.enums import StaffRole
from amanah.errors import DomainError
from workflow import registry
from workflow.models import Transition
from workflow.selectors import case_get_for_user
from workflow.services import case_claim

from .factories import case_new


@registry.guard_register("test_needs_site_visit")
def _guard_needs_site_visit(*, case, transition, actor):
    raise DomainError("test.site_visit_missing", "لم تسجل زيارة الموقع بعد.",
                      "The site visit has not been recorded yet.")


def _options(case, user) -> dict:
    detail = case_get_for_user(case_id=case.pk, user=user)
    return {o.action: o for o in detail.actions_available}


def test_an_action_whose_guard_fails_is_offered_disabled_with_the_reason(world):
    # given "answer" guarded by "is_assigned" and a case nobody has claimed
    Transition.objects.filter(action="answer").update(guards=["is_assigned"])
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    # when the reviewer opens the case
    answer = _options(case, reviewer)["answer"]
    # then "answer" is there but disabled, saying why, with the refusal's code
    assert (answer.enabled, answer.disabled_code) == (False, "workflow.guard_refused")
    assert answer.disabled_reason("en") == "The conditions for this action are not met yet."
    assert answer.disabled_reason("ar") == "لا تتحقق شروط هذا الإجراء بعد."
    # and once the reviewer claims it, the guard passes and the action is enabled
    case_claim(case_id=case.pk, actor=reviewer)
    answer = _options(case, reviewer)["answer"]
    assert (answer.enabled, answer.disabled_code, answer.disabled_reason("en")) == (True, "", "")


def test_a_guard_that_refuses_with_its_own_message_shows_that_message(client, world):
    # given "answer" guarded by a guard that explains itself
    Transition.objects.filter(action="answer").update(guards=["test_needs_site_visit"])
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    client.force_login(reviewer)
    # when the reviewer opens the case page in English and in Arabic
    english = client.get(f"/en/transactions/cases/{case.pk}/").content.decode()
    arabic = client.get(f"/ar/transactions/cases/{case.pk}/").content.decode()
    # then the button is disabled and the guard's reason sits next to it
    assert 'id="reason_answer">The site visit has not been recorded yet.</p>' in english
    assert 'id="reason_answer">لم تسجل زيارة الموقع بعد.</p>' in arabic
    assert 'disabled aria-describedby="reason_answer"' in english
    # and the API says the same
    body = client.get(f"/api/v1/workflow/cases/{case.pk}/").json()
    answer = next(a for a in body["actions_available"] if a["action"] == "answer")
    assert (answer["enabled"], answer["disabled_code"], answer["disabled_reason_en"]) == (
        False, "test.site_visit_missing", "The site visit has not been recorded yet.")


def test_an_action_without_guards_stays_enabled(world):
    case = case_new(world)
    reviewer = world.staff("customer_service", StaffRole.REVIEWER)
    options = _options(case, reviewer)
    assert options and all(o.enabled for o in options.values())


def test_a_refused_action_is_marked_unavailable_with_its_reason_under_the_button(client, world):
    # given "answer" refused by a guard that explains itself
    Transition.objects.filter(action="answer").update(guards=["test_needs_site_visit"])
    case = case_new(world)
    client.force_login(world.staff("customer_service", StaffRole.REVIEWER))
    # when the reviewer opens the case page
    html = client.get(f"/en/transactions/cases/{case.pk}/").content.decode()
    # then the panel is marked unavailable, its comment box cannot be typed in, and the button
    # says it is disabled to assistive technology and is described by the reason right under it
    assert 'class="wf-action wf-action-unavailable" data-action="answer"' in html
    assert ('<textarea name="comment" id="id_comment_answer" rows="2" maxlength="4000" '
            'aria-describedby="hint_comment_answer" disabled>') in html
    button_on = html.split('aria-disabled="true" disabled aria-describedby="reason_answer">', 1)[1]
    after = button_on.split("</button>", 1)[1]
    assert after.startswith('\n    <p class="wf-action-disabled-reason" id="reason_answer">'
                            'The site visit has not been recorded yet.</p>')
    # and an action no guard refuses keeps an ordinary panel and an editable comment box
    assert html.count("wf-action-unavailable") == 1
