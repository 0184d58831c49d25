"""The admin's "Import from paper records" page: the same all-or-nothing import as the command,
its report shown line by line, for admins who may add permits only."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from amanah.enums import StaffRole
from amanah.services import staff_membership_grant
from permits.imports_admin import PermitImportAdminMixin
from permits.models import Permit
from tests.factories import StaffUserFactory
from tests.permits.factories import permits_world

from .lifecycle_helpers import day
from .test_import import HEADER, _good_file, _line

pytestmark = pytest.mark.django_db


def _urls_reload() -> None:
    # The admin's URLs are read when the URLconf is imported: read them again.
    import importlib

    from django.conf import settings

    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture(autouse=True)
def permit_admin():
    """The permit admin takes the page by inheriting the mixin. Until permits/admin.py does,
    the registered admin is extended with it here (so what is tested is the mixin on the real
    admin class), and put back afterwards."""
    registered = admin.site.get_model_admin(Permit) if admin.site.is_registered(Permit) else None
    if isinstance(registered, PermitImportAdminMixin):
        yield
        return
    base = type(registered) if registered is not None else admin.ModelAdmin
    if registered is not None:
        admin.site.unregister(Permit)
    admin.site.register(Permit, type("PermitAdmin", (PermitImportAdminMixin, base), {}))
    _urls_reload()
    yield
    admin.site.unregister(Permit)
    if registered is not None:
        admin.site.register(Permit, base)
    _urls_reload()


@pytest.fixture
def world(clock):
    clock.set(day(2026, 12, 1))
    world = permits_world()
    world.admin = StaffUserFactory(username="m900.admin")
    staff_membership_grant(user=world.admin, role=StaffRole.ADMIN,
                           department=world.departments["engineering"])
    world.admin.refresh_from_db()
    return world


def _upload(client, user, data: str, *, dry_run: bool):
    client.force_login(user)
    form = {"file": SimpleUploadedFile("paper.csv", data.encode("utf-8"), "text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(reverse("admin:permits_permit_import"), form)


def test_an_admin_checks_then_imports_a_file(client, world):
    # a dry run reports and imports nothing
    checked = _upload(client, world.admin, _good_file(world), dry_run=True)
    assert checked.status_code == 200
    assert (checked.context["report"].ok, checked.context["report"].checked) == (True, 3)
    assert not Permit.objects.exists()
    # then the import itself lists the new numbers against the paper ones
    done = _upload(client, world.admin, _good_file(world), dry_run=False)
    html = done.content.decode()
    assert done.status_code == 200
    assert Permit.objects.filter(is_imported=True).count() == 3
    assert "1432/77" in html and "BP-M900-1448-000001" in html
    assert Permit.objects.get(paper_reference="1432/77").events.get().actor == world.admin


def test_a_bad_line_is_reported_and_nothing_imported(client, world):
    data = HEADER + _line(world) + _line(world, paper="2/2", issued="2020-02-30")
    response = _upload(client, world.admin, data, dry_run=False)
    assert response.status_code == 400
    assert response.context["problems"] == [
        (3, "issued_on", "تاريخ غير صحيح؛ اكتبه YYYY-MM-DD (ميلادي، أو هجري لسنة قبل ١٦٠٠).")]
    assert not Permit.objects.exists()


def test_staff_without_the_right_cannot_open_it(client, world):
    # a head of department is not an admin: the admin sends them to its sign-in
    client.force_login(world.head)
    assert client.get(reverse("admin:permits_permit_import")).status_code == 302
    response = _upload(client, world.head, _good_file(world), dry_run=False)
    assert response.status_code == 302
    assert not Permit.objects.exists()


def test_the_permit_list_links_to_it(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("admin:permits_permit_changelist"))
    assert reverse("admin:permits_permit_import") in response.content.decode()
