"""Configuration history: every admin change to a procedure's configuration is recorded with
who, when and what, and shown in the admin; the history cannot be used to revert."""

from django import forms

from workflow.enums import VersionStatus
from workflow.models import DefinitionVersion, Holiday, Transition
from workflow.services import version_draft_create

from .pages_helpers import user_for


def _change_form_data(response) -> dict:
    """The POST body the admin's change page would send unchanged: the main form, every
    inline's management form and every inline row, with their current values."""
    context = response.context
    all_forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        all_forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in all_forms:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is not None:
                data[key] = str(value)
    return data


def _inline_prefix(data: dict, model_field: str, value: str) -> str:
    """The prefix ("transitions-2") of the inline row whose `model_field` is `value`."""
    for key, current in data.items():
        if key.endswith(f"-{model_field}") and current == value:
            return key[: -len(model_field) - 1]
    raise AssertionError(f"no inline row with {model_field}={value}")


def test_an_admin_edit_of_a_draft_transition_is_recorded_with_the_user(client, world):
    # given a draft of general correspondence and an admin on its change page
    published = world.versions["general_correspondence"]
    draft = version_draft_create(definition_id=published.definition_id)
    transition = Transition.objects.filter(version=draft).order_by("position", "id").first()
    admin_user = user_for(world, "admin")
    client.force_login(admin_user)
    url = f"/en/admin/workflow/definitionversion/{draft.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = _change_form_data(page)
    row = _inline_prefix(data, "action", transition.action)
    before = transition.history.count()
    # when the admin renames the transition and makes a comment required, and saves
    data[f"{row}-name_en"] = "Forward for review"
    data[f"{row}-comment_required"] = "on"
    data["_save"] = "Save"
    response = client.post(url, data)
    # then the change is saved and recorded: who, when, what changed
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    transition.refresh_from_db()
    assert (transition.name_en, transition.comment_required) == ("Forward for review", True)
    assert transition.history.count() == before + 1
    record = transition.history.latest()
    assert (record.history_type, record.history_user_id) == ("~", admin_user.pk)
    changed = record.diff_against(record.prev_record).changed_fields
    assert sorted(changed) == ["comment_required", "name_en"]
    # and the version's history page lists it with the admin's name
    history = client.get(f"/en/admin/workflow/definitionversion/{draft.pk}/history/")
    html = history.content.decode()
    assert history.status_code == 200
    assert f"Transition {transition.action}" in html
    assert admin_user.username in html
    assert "Label (English), Comment required" in html
    arabic = client.get(f"/ar/admin/workflow/definitionversion/{draft.pk}/history/")
    assert "التعديلات على مراحل هذا الإصدار وإجراءاته" in arabic.content.decode()


def test_publishing_is_recorded_for_the_new_and_the_retired_version(client, world):
    # given a draft copied from the published version
    published = world.versions["general_correspondence"]
    draft = version_draft_create(definition_id=published.definition_id)
    admin_user = user_for(world, "admin")
    client.force_login(admin_user)
    # when the admin publishes it
    client.post(f"/en/admin/workflow/definitionversion/{draft.pk}/publish/")
    # then both status changes are in the history, by the admin, the new one named
    newest = draft.history.latest()
    retired = published.history.latest()
    assert (newest.status, newest.history_user_id, newest.history_change_reason) == (
        VersionStatus.PUBLISHED, admin_user.pk, "Published")
    assert (retired.status, retired.history_user_id) == (VersionStatus.RETIRED, admin_user.pk)


def test_a_holiday_added_in_the_admin_is_recorded(client, world):
    admin_user = user_for(world, "admin")
    client.force_login(admin_user)
    # when the admin adds National Day
    response = client.post("/en/admin/workflow/holiday/add/", {
        "date": "2026-09-23", "name_ar": "اليوم الوطني", "name_en": "National Day"})
    # then its creation is recorded with the admin, and its history page shows it
    assert response.status_code == 302
    holiday = Holiday.objects.get(date="2026-09-23")
    record = holiday.history.get()
    assert (record.history_type, record.history_user_id) == ("+", admin_user.pk)
    page = client.get(f"/en/admin/workflow/holiday/{holiday.pk}/history/")
    assert page.status_code == 200 and admin_user.username in page.content.decode()


def test_history_cannot_revert_a_published_version_to_a_draft(client, world):
    # given the published version, whose first history record is the draft it was made from
    published = world.versions["general_correspondence"]
    published.history.all().delete()
    published.status = VersionStatus.DRAFT
    published.save(update_fields=["status"])
    draft_record = published.history.get()
    published.status = VersionStatus.PUBLISHED
    published.save(update_fields=["status"])
    notes_before = published.notes
    client.force_login(user_for(world, "admin"))
    url = (f"/en/admin/workflow/definitionversion/{published.pk}/history/"
           f"{draft_record.history_id}/")
    # when the admin opens the old record it is shown, but posting it is refused
    assert client.get(url).status_code == 200
    response = client.post(url, {"sla_hours": "1", "notes": "revert", "_save": "Save"})
    # then nothing changed
    assert response.status_code == 403
    published.refresh_from_db()
    assert (published.status, published.notes, published.sla_hours) == (
        VersionStatus.PUBLISHED, notes_before, world.versions["general_correspondence"].sla_hours)
    assert not DefinitionVersion.objects.filter(status=VersionStatus.DRAFT).exists()
    assert published.history.count() == 2
