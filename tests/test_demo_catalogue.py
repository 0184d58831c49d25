import pytest
from django.core.management import call_command

from amanah.models import EService
from amanah.views import url_or_none

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
        **{code: "permits:apply_start" for code in (
            "building_permit", "building_addition", "demolition_permit", "fence_permit",
            "occupancy_certificate", "excavation_permit",
            # the shop licence and its sub-permits (a sub-permit's start asks for the licence)
            "commercial_license", "signage_permit", "extended_hours", "home_delivery",
            "outdoor_seating")},
        # the offender's "my violations" page (issue 11)
        "violation": "violations:mine",
    }
    # (the permits start page is the apply part's: until it is in, those cards say "soon")
    for service in EService.objects.exclude(url_name=""):
        assert url_or_none(service.url_name) or service.url_name in (
            "permits:apply_start",), service.code


def test_a_reseed_keeps_an_admins_own_start_page(capsys):
    # given an admin who pointed the complaint service elsewhere
    call_command("seed_demo")
    EService.objects.filter(code="complaint").update(url_name="workflow:status_check")

    # when the demo data is loaded again
    call_command("seed_demo")

    # then the admin's choice stands
    assert EService.objects.get(code="complaint").url_name == "workflow:status_check"
