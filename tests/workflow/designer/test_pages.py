"""The designer's pages: who may open them, problems shown next to the state or transition
they concern, forms that post and come back, publishing after a confirmation with the diff."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion, State
from workflow.services.definitions import _content_dump
from workflow.services.designer import draft_start

ADMIN = "admin"


@pytest.fixture
def admin(world):
    return world.staff("customer_service", ADMIN, world.amanah)


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


def _english(client):
    """Addresses reversed from here on are the English ones (/en/…)."""
    translation.activate("en")
    return client


def _draft(world, admin):
    published = world.versions["general_correspondence"]
    return draft_start(definition_id=published.definition_id, actor=admin)


def _item(html: str, anchor: str) -> str:
    """The list item with this id, up to the next one (enough for the asserts)."""
    start = html.index(f'id="{anchor}"')
    following = html.find('<li id="item-', start + 1)
    return html[start:following if following != -1 else len(html)]


def test_the_list_shows_the_procedures_an_admin_may_configure(world, signed_in):
    response = _english(signed_in).get(reverse("workflow:designer_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "General correspondence" in html and "Complaint" in html
    assert "Version 1" in html


@pytest.mark.parametrize("who", ["clerk", "branch_admin", "citizen"])
def test_others_are_refused_and_nothing_changes(world, client, who):
    user = {"clerk": lambda: world.staff("customer_service", "clerk", world.amanah),
            "branch_admin": lambda: world.staff("customer_service", ADMIN, world.branch),
            "citizen": lambda: world.applicant.user}[who]()
    client.force_login(user)
    definition_id = world.versions["general_correspondence"].definition_id
    versions_before = DefinitionVersion.objects.count()
    assert client.get(reverse("workflow:designer_definition",
                              args=[definition_id])).status_code == 403
    assert client.post(reverse("workflow:designer_draft_start",
                               args=[definition_id])).status_code == 403
    assert DefinitionVersion.objects.count() == versions_before
    if who != "branch_admin":
        assert client.get(reverse("workflow:designer_list")).status_code == 403


def test_the_definition_page_draws_the_published_version_and_its_history(world, signed_in):
    definition_id = world.versions["general_correspondence"].definition_id
    html = _english(signed_in).get(reverse("workflow:designer_definition",
                                           args=[definition_id])).content.decode()
    assert html.count('class="dg-svg"') == 1
    assert 'role="region"' in html and 'tabindex="0"' in html
    assert "SLA 21 h" in html
    assert "Start a draft from the published version" in html
    assert re.search(r"<td>1</td>\s*<td><span class=\"ds-badge\">Published</span>", html)


def test_an_invalid_draft_shows_each_problem_next_to_its_state(world, signed_in, admin):
    client = _english(signed_in)
    draft = _draft(world, admin)
    url = reverse("workflow:designer_draft", args=[draft.pk])
    # when the admin adds a state without a department and without transitions
    response = client.post(reverse("workflow:designer_state_add", args=[draft.pk]), {
        "state-new-name_ar": "رأي قانوني", "state-new-name_en": "Legal opinion",
        "state-new-code": "legal_opinion", "state-new-category": "in_review",
        "state-new-department_code": "", "state-new-sla_hours": "8"})
    # then the page comes back (post, redirect, get) to the new state
    assert response.status_code == 302
    assert response["Location"] == f"{url}?done=state_saved#item-state-legal_opinion"
    html = client.get(url).content.decode()
    item = _item(html, "item-state-legal_opinion")
    assert "ds-item-problem" in item
    assert "No transition leads here from the start state." in item
    assert "There is no way from here to a final state: add a transition." in item
    assert "Choose the department that owns this state." in item
    # the summary on top links to it, and the box on the diagram is marked
    assert '<a href="#item-state-legal_opinion">Legal opinion</a>' in html
    assert re.search(r'<g id="state-legal_opinion" class="dg-state dg-problem">', html)
    assert "Problems:" in html.split("</title>")[0]
    # and the published version did not change
    published = world.versions["general_correspondence"]
    assert not published.states.filter(code="legal_opinion").exists()


def test_a_refused_form_keeps_what_was_typed_with_the_message_by_the_field(world, signed_in,
                                                                             admin):
    client = _english(signed_in)
    draft = _draft(world, admin)
    states_before = draft.states.count()
    response = client.post(reverse("workflow:designer_state_add", args=[draft.pk]), {
        "state-new-name_ar": "مكرر", "state-new-name_en": "Duplicate",
        "state-new-code": "in_review", "state-new-category": "in_review",
        "state-new-department_code": "legal"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_state-new-code_error">Another state already has this code.' in html
    assert 'value="Duplicate"' in html
    assert draft.states.count() == states_before


def test_a_transition_form_offers_guards_and_effects_by_their_names(world, signed_in, admin):
    draft = _draft(world, admin)
    html = _english(signed_in).get(reverse("workflow:designer_draft",
                                           args=[draft.pk])).content.decode()
    assert "A document is attached" in html
    assert "The transaction must have at least one document." in html
    assert "Notify the applicant" in html
    assert "Head of department" in html
    translation.activate("ar")
    arabic = signed_in.get(reverse("workflow:designer_draft", args=[draft.pk])).content.decode()
    assert "يوجد مستند مرفق" in arabic and "إشعار مقدم الطلب" in arabic


def test_fixing_and_publishing_with_confirmation(world, signed_in, admin):
    client = _english(signed_in)
    draft = _draft(world, admin)
    review = draft.states.get(code="in_review")
    client.post(reverse("workflow:designer_state_add", args=[draft.pk]), {
        "state-new-name_ar": "رأي قانوني", "state-new-name_en": "Legal opinion",
        "state-new-code": "legal_opinion", "state-new-category": "in_review",
        "state-new-department_code": "legal", "state-new-sla_hours": "8"})
    legal = draft.states.get(code="legal_opinion")
    publish_url = reverse("workflow:designer_publish", args=[draft.pk])
    # an invalid draft: the confirmation page lists the problems and offers no button;
    # a POST anyway is refused and nothing is published
    page = client.get(publish_url).content.decode()
    assert "This draft cannot be published yet" in page
    assert "Publish version 2</button>" not in page
    refused = client.post(publish_url)
    assert refused.status_code == 400
    assert DefinitionVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    # when the admin adds the ways in and out
    for action, source, target in (("ask_legal", review, legal),
                                   ("legal_answered", legal, review)):
        response = client.post(reverse("workflow:designer_transition_add", args=[draft.pk]), {
            "transition-new-name_ar": "إحالة", "transition-new-name_en": action.title(),
            "transition-new-action": action, "transition-new-from_state": source.pk,
            "transition-new-to_state": target.pk, "transition-new-allowed_roles": ["reviewer"],
            "transition-new-guards": ["has_attachment"]})
        assert response.status_code == 302
    # then the confirmation shows the diff and says what happens
    page = client.get(publish_url).content.decode()
    assert "New cases will follow version 2; open cases stay on version 1." in page
    assert "Legal opinion" in page and "Added" in page
    assert "Ask_Legal" in page and "Legal_Answered" in page
    response = client.post(publish_url)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.published_by) == (VersionStatus.PUBLISHED, admin)
    assert DefinitionVersion.objects.get(
        pk=world.versions["general_correspondence"].pk).status == VersionStatus.RETIRED


def test_editing_a_published_version_through_the_pages_changes_nothing(world, signed_in):
    published = world.versions["general_correspondence"]
    state = published.states.get(code="in_review")
    before = _content_dump(published)
    response = signed_in.post(reverse("workflow:designer_state_save",
                                      args=[published.pk, state.pk]), {
        f"state-{state.pk}-name_ar": "x", f"state-{state.pk}-name_en": "x",
        f"state-{state.pk}-code": "in_review", f"state-{state.pk}-category": "in_review",
        f"state-{state.pk}-department_code": "legal"})
    assert response.status_code == 302
    assert response["Location"].endswith("?refused=workflow.version_not_draft")
    assert _content_dump(published) == before
    assert State.objects.get(pk=state.pk).name_en == "In review"


def test_discarding_asks_first(world, signed_in, admin):
    draft = _draft(world, admin)
    _english(signed_in)
    url = reverse("workflow:designer_discard", args=[draft.pk])
    assert "Every change made in this draft will be lost." in signed_in.get(url).content.decode()
    assert DefinitionVersion.objects.filter(pk=draft.pk).exists()
    assert signed_in.post(url).status_code == 302
    assert not DefinitionVersion.objects.filter(pk=draft.pk).exists()


def test_the_history_compares_a_version_with_the_one_before(world, signed_in, admin):
    client = _english(signed_in)
    draft = _draft(world, admin)
    client.post(reverse("workflow:designer_state_save",
                        args=[draft.pk, draft.states.get(code="in_review").pk]), {
        **{f"state-{s.pk}-{k}": v for s in [draft.states.get(code="in_review")]
           for k, v in {"name_ar": "قيد الدراسة", "name_en": "In review", "code": "in_review",
                        "category": "in_review", "department_code": "customer_service",
                        "sla_hours": "30"}.items()}})
    client.post(reverse("workflow:designer_publish", args=[draft.pk]))
    html = client.get(reverse("workflow:designer_definition", args=[draft.definition_id])
                      + "?version=2&compare=previous").content.decode()
    assert "What changed from version 1 to version 2" in html
    assert re.search(r"SLA \(working hours\): <span class=\"ds-diff-old\">21</span> → "
                     r"<span class=\"ds-diff-new\">30</span>", html)


def test_the_list_costs_the_same_queries_however_many_procedures(world, signed_in, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflow.demo_definitions import COMPLAINT
    from workflow.services import definition_import

    url = reverse("workflow:designer_list")
    with CaptureQueriesContext(connection) as before:
        assert signed_in.get(url).status_code == 200
    definition_import(data={**COMPLAINT, "code": "complaint_copy", "eservice": None},
                      municipality=world.amanah, publish=True)
    _draft(world, admin)
    with CaptureQueriesContext(connection) as after:
        html = signed_in.get(url).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert html.count("designer/procedures/") == 3
