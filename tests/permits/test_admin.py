"""The permits admin: every screen opens for the system administrator; configuration keeps its
history; parcels, applications and permits are read-only and found by their reference."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from amanah.models import User
from permits.catalogue import catalogue_load
from permits.models import (
    Application,
    Checklist,
    District,
    LocalDeed,
    Parcel,
    Permit,
    PermitType,
    RegisteredOffice,
    ZoneRule,
)
from permits.services.permits import permit_issue

from .catalogue_world import catalogue_world_make
from .factories import application_draft_make, permits_world

pytestmark = pytest.mark.django_db

CONFIGURATION = [PermitType, Checklist, ZoneRule, District, LocalDeed, RegisteredOffice]
READ_ONLY = [Parcel, Application, Permit]


@pytest.fixture(scope="module")
def rows(django_db_setup, django_db_blocker):
    """One or more rows of every model the admin shows: the seeded catalogue, and a permits
    world with a draft and a permit issued from another application."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            # (the world first: the catalogue then finds its zone row and takes it over)
            world = permits_world()
            catalogue_world_make()
            catalogue_load(log=lambda _: None)
            draft = application_draft_make(world)
            permit = permit_issue(application=application_draft_make(world))
            yield {"draft": draft, "permit": permit}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def admin_client(client, rows):
    client.force_login(User.objects.create_superuser("epa.admin.permits", "a@example.sa",
                                                     "Admin-Pass-2026"))
    return client


def _url(model, view, *args, lang="ar"):
    with translation.override(lang):
        return reverse(f"admin:permits_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", CONFIGURATION + READ_ONLY, ids=lambda m: m.__name__)
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_permits_screen_opens(admin_client, model, lang):
    # given a row of the model
    obj = model.objects.order_by("pk").first()
    # when the administrator opens its list and its page, in either language
    changelist = admin_client.get(_url(model, "changelist", lang=lang))
    change = admin_client.get(_url(model, "change", obj.pk, lang=lang))
    # then both open, in that language
    assert changelist.status_code == 200
    assert change.status_code == 200
    assert f'<html lang="{lang}"' in change.content.decode()


@pytest.mark.parametrize("model", CONFIGURATION, ids=lambda m: m.__name__)
def test_configuration_can_be_added_and_keeps_its_history(admin_client, model):
    obj = model.objects.order_by("pk").first()
    assert admin_client.get(_url(model, "add")).status_code == 200
    if hasattr(obj, "history"):
        assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


def test_a_permit_type_page_shows_its_parts_inline_with_labels_in_arabic(admin_client):
    building = PermitType.objects.get(code="building_permit")
    html = admin_client.get(_url(PermitType, "change", building.pk)).content.decode()
    # the form fields, documents, parties and fee stages are edited on the type's page
    for prefix in ("fields-TOTAL_FORMS", "documents-TOTAL_FORMS", "parties-TOTAL_FORMS",
                   "fee_rules-TOTAL_FORMS"):
        assert prefix in html
    assert 'value="built_area_m2"' in html
    assert "بطاقة الخدمة" in html          # the "Service card" section
    assert "بادئة رقم الرخصة" in html      # "permit number prefix"


def test_a_change_to_a_type_is_in_its_history(admin_client):
    # given a type whose expected time an admin changed
    fence = PermitType.objects.get(code="fence_permit")
    fence.expected_days = 5
    fence.save()
    # then its history page lists both versions
    response = admin_client.get(_url(PermitType, "history", fence.pk))
    assert response.status_code == 200
    assert [h.expected_days for h in response.context["page_obj"]] == [5, 3]


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_applications_permits_and_parcels_cannot_be_changed_here(admin_client, model):
    # given a row that only the services may change
    obj = model.objects.order_by("pk").first()
    before = model.objects.filter(pk=obj.pk).values().get()
    # when the administrator posts to its page, or asks to add or delete one
    posted = admin_client.post(_url(model, "change", obj.pk), {"status": "issued"})
    added = admin_client.get(_url(model, "add"))
    deleted = admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    # then each is refused and the row is as it was
    assert (posted.status_code, added.status_code, deleted.status_code) == (403, 403, 403)
    assert model.objects.filter(pk=obj.pk).values().get() == before


def test_an_application_is_found_by_its_reference_and_a_permit_by_its_number(admin_client,
                                                                             rows):
    draft, permit = rows["draft"], rows["permit"]
    found = admin_client.get(_url(Application, "changelist") + f"?q={draft.reference}")
    assert found.status_code == 200
    assert found.context["cl"].result_count == 1
    found = admin_client.get(_url(Permit, "changelist") + f"?q={permit.number}")
    assert found.context["cl"].result_count == 1
    # and the permit's page does not show the token its QR code carries
    page = admin_client.get(_url(Permit, "change", permit.pk)).content.decode()
    assert permit.verification_token not in page
