"""Two sends of one inspection at the same moment (a field device retrying over a bad line)
make one inspection: the database's unique client key decides, on the real PostgreSQL."""

import threading

import pytest
from django.db import connection

from tests.violations.factories import violations_world
from violations.enums import OffenderKind
from violations.models import Inspection, InspectionEvent, ViolationCounter
from violations.services.inspections import inspection_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_opens_with_one_client_key_make_one_inspection():
    # given an inspector whose device sends the same opening twice at once
    world = violations_world()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait(timeout=30)
            results.append(inspection_open(
                actor=world.inspector, municipality=world.municipality,
                checklist_code="general", offender_kind=OffenderKind.ESTABLISHMENT,
                unified_number=world.establishment.unified_number, client_key="dev-9/1"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    # when both run in their own connections
    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then both answer with the same inspection, one of them as created
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert len({inspection.pk for inspection, _ in results}) == 1
    assert Inspection.objects.count() == 1
    assert InspectionEvent.objects.count() == 1
    # and the loser's number was given back: no gap in the series
    assert ViolationCounter.objects.get(series="INS").last_number == 1
