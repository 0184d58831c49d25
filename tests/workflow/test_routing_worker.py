"""Routing is asynchronous: the commit of a submission queues a task a real worker runs."""

import time

import pytest
from django.db import transaction

from workflow.enums import CaseEventKind, StatusCategory
from workflow.models import Case
from workflow.services import case_submit

from .factories import world_build


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_submitted_case_is_routed_by_the_real_worker(real_worker):
    # given the demo procedures and a citizen
    world = world_build()
    # when the citizen submits a complaint
    with transaction.atomic():
        case = case_submit(kind="complaint", municipality=world.branch, subject="إنارة معطلة",
                           submitted_by=world.applicant.user)
    # then the worker routes it to triage in customer service (polling the database)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        routed = Case.objects.select_related("state").get(pk=case.pk)
        if routed.routed_at is not None:
            break
        time.sleep(0.1)
    assert routed.routed_at is not None
    assert (routed.state.code, routed.category) == ("triage", StatusCategory.IN_REVIEW)
    assert routed.department == world.department("customer_service")
    assert list(routed.events.values_list("kind", flat=True)) == [
        CaseEventKind.SUBMITTED, CaseEventKind.ROUTED]
