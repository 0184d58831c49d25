"""Editing procedures in the admin: publish with the engine's validation shown as messages,
JSON export and import between municipalities, new drafts, frozen published versions."""

import json

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion, State, WorkflowDefinition

from .pages_helpers import user_for

CHANGELIST = "/en/admin/workflow/definitionversion/"


def _admin(client, world):
    client.force_login(user_for(world, "admin"))
    return client


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_publishing_a_broken_draft_lists_every_problem_and_publishes_nothing(client, world):
    # given a new draft of general correspondence with a second start state added
    published = world.versions["general_correspondence"]
    _admin(client, world).post("/en/admin/workflow/workflowdefinition/", {
        "action": "new_draft", "_selected_action": [published.definition_id]})
    draft = DefinitionVersion.objects.get(definition=published.definition,
                                          status=VersionStatus.DRAFT)
    State.objects.filter(version=draft, code="answered").update(is_start=True)
    # when the admin publishes it with the list action
    response = client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]},
                           follow=True)
    # then the problems are shown as error messages and nothing changed status
    errors = [text for level, text in _messages(response) if level == "error"]
    assert errors and all(text.startswith(str(draft)) for text in errors)
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (VersionStatus.DRAFT, VersionStatus.PUBLISHED)


def test_publishing_a_valid_draft_retires_the_old_version(client, world):
    published = world.versions["general_correspondence"]
    _admin(client, world).post("/en/admin/workflow/workflowdefinition/", {
        "action": "new_draft", "_selected_action": [published.definition_id]})
    draft = DefinitionVersion.objects.get(definition=published.definition,
                                          status=VersionStatus.DRAFT)
    # when the admin presses "Publish this draft" on its page
    response = client.post(f"/en/admin/workflow/definitionversion/{draft.pk}/publish/",
                           follow=True)
    # then it is published, the old one retired, and the change is in the history
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    assert _messages(response)[-1] == (
        "success", "general_correspondence @ EPA is published; new transactions use it.")
    history = client.get(f"/en/admin/workflow/definitionversion/{draft.pk}/history/")
    assert "Published" in history.content.decode()


def test_a_published_version_is_read_only(client, world):
    published = world.versions["general_correspondence"]
    response = _admin(client, world).get(
        f"/en/admin/workflow/definitionversion/{published.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    # no editable state rows and no "add another" for a frozen version
    assert 'name="states-0-code"' not in html
    assert "Publish this draft" not in html


def test_export_then_import_moves_a_definition_to_another_municipality(client, world):
    # given the Amanah's complaint procedure, exported from its admin page
    published = world.versions["complaint"]
    exported = _admin(client, world).get(
        f"/en/admin/workflow/definitionversion/{published.pk}/export/")
    assert exported["Content-Type"] == "application/json; charset=utf-8"
    assert exported["Content-Disposition"] == 'attachment; filename="complaint-v1.json"'
    data = json.loads(exported.content)
    assert data["code"] == "complaint" and data["source"]["municipality"] == "EPA"
    # when it is imported into the Dammam branch, published at once
    response = client.post("/en/admin/workflow/workflowdefinition/import/", {
        "file": SimpleUploadedFile("complaint.json", exported.content),
        "municipality": world.other_branch.pk, "publish": "on"})
    # then Dammam has its own published copy, with the same states
    definition = WorkflowDefinition.objects.get(code="complaint",
                                                municipality=world.other_branch)
    version = definition.versions.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/admin/workflow/definitionversion/{version.pk}/change/"
    assert version.status == VersionStatus.PUBLISHED
    assert (list(version.states.values_list("code", flat=True))
            == list(published.states.values_list("code", flat=True)))


def test_importing_a_file_that_is_not_a_definition_creates_nothing(client, world):
    before = (WorkflowDefinition.objects.count(), DefinitionVersion.objects.count())
    for content in (b"not json", b'{"format": "something/else"}'):
        response = _admin(client, world).post("/en/admin/workflow/workflowdefinition/import/", {
            "file": SimpleUploadedFile("x.json", content), "municipality": world.branch.pk})
        assert response.status_code == 400
        assert response.context["form"].errors["file"]
    assert (WorkflowDefinition.objects.count(), DefinitionVersion.objects.count()) == before


def test_admin_screens_open_in_arabic(client, world):
    _admin(client, world)
    version = world.versions["general_correspondence"]
    for url in ("/ar/admin/workflow/workflowdefinition/", "/ar/admin/workflow/holiday/add/",
                f"/ar/admin/workflow/definitionversion/{version.pk}/change/",
                "/ar/admin/workflow/workflowdefinition/import/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "تعريفات الإجراءات" in client.get(
        "/ar/admin/workflow/workflowdefinition/").content.decode()


def test_non_admin_staff_cannot_open_the_workflow_admin(client, world):
    client.force_login(world.staff("customer_service", "head"))
    response = client.get("/en/admin/workflow/workflowdefinition/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")


def _change_form_data(response) -> dict:
    """The POST an admin would send by saving the change form untouched (inlines included)."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_an_admin_edits_a_draft_with_check_boxes_and_the_edit_is_kept(client, world):
    # given a new draft of general correspondence
    published = world.versions["general_correspondence"]
    _admin(client, world).post("/en/admin/workflow/workflowdefinition/", {
        "action": "new_draft", "_selected_action": [published.definition_id]})
    draft = DefinitionVersion.objects.get(definition=published.definition,
                                          status=VersionStatus.DRAFT)
    url = f"/en/admin/workflow/definitionversion/{draft.pk}/change/"
    data = _change_form_data(client.get(url))
    # when the admin shortens the review SLA, renames the step, and lets it go to legal only
    review = next(k[:-len("-code")] for k, v in data.items()
                  if k.startswith("states-") and k.endswith("-code") and v == "in_review")
    data[f"{review}-sla_hours"] = "14"
    data[f"{review}-name_en"] = "Under study"
    data[f"{review}-transfer_department_codes"] = ["legal"]
    response = client.post(url, data)
    # then it is saved on the draft only
    assert response.status_code == 302, response.context["errors"]
    state = draft.states.get(code="in_review")
    assert (state.sla_hours, state.name_en, state.transfer_department_codes) == (
        14, "Under study", ["legal"])
    assert published.states.get(code="in_review").name_en == "In review"


def test_a_transition_cannot_point_at_a_state_of_another_version(client, world):
    # given a draft of general correspondence, and the complaint procedure's states
    published = world.versions["general_correspondence"]
    _admin(client, world).post("/en/admin/workflow/workflowdefinition/", {
        "action": "new_draft", "_selected_action": [published.definition_id]})
    draft = DefinitionVersion.objects.get(definition=published.definition,
                                          status=VersionStatus.DRAFT)
    url = f"/en/admin/workflow/definitionversion/{draft.pk}/change/"
    data = _change_form_data(client.get(url))
    foreign = world.versions["complaint"].states.first()
    # when the first transition's target is set to the other procedure's state
    data["transitions-0-to_state"] = str(foreign.pk)
    response = client.post(url, data)
    # then the form is shown again with the error and nothing is saved
    assert response.status_code == 200
    assert draft.transitions.filter(to_state=foreign).count() == 0


def test_the_admin_shows_and_filters_by_the_e_service_a_procedure_serves(client, world):
    # given the published complaint procedure, which serves the complaint e-service
    definition = world.versions["complaint"].definition
    # when the admin lists procedures filtered by that e-service, and opens it
    listing = _admin(client, world).get("/en/admin/workflow/workflowdefinition/",
                                        {"eservice__id__exact": definition.eservice_id})
    page = client.get(f"/en/admin/workflow/workflowdefinition/{definition.pk}/change/")
    # then only it is listed, with an E-service column, and its form has the field, chosen
    assert [d.pk for d in listing.context["cl"].result_list] == [definition.pk]
    assert "column-eservice" in listing.content.decode()
    field = page.context["adminform"].form["eservice"]
    assert str(field.value()) == str(definition.eservice_id)
    assert field.label == "E-service"
