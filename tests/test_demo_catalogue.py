import pytest
from django.core.management import call_command
from django.urls import reverse

from amanah.models import EService

pytestmark = pytest.mark.django_db


def test_demo_catalogue_links_every_service_that_has_a_page(capsys):
    # given the demo data of every app
    call_command("seed_demo")

    # then the services built so far start on their own page, and every link resolves
    linked = dict(EService.objects.exclude(url_name="").values_list("code", "url_name"))
    assert linked == {
        "general_correspondence": "workflow:case_new",
        "complaint": "workflow:case_new",
        "bill_inquiry": "payments:bill_inquiry",
        "misc_fee": "payments:my_bills",
    }
    for url_name in linked.values():
        assert reverse(url_name)


def test_a_reseed_keeps_an_admins_own_start_page(capsys):
    # given an admin who pointed the complaint service elsewhere
    call_command("seed_demo")
    EService.objects.filter(code="complaint").update(url_name="workflow:status_check")

    # when the demo data is loaded again
    call_command("seed_demo")

    # then the admin's choice stands
    assert EService.objects.get(code="complaint").url_name == "workflow:status_check"
