"""The licensing test world itself: what other licence tests take for granted."""

import pytest

from permits.enums import PermitStatus

from .factories import GROCERY, licence_issue_make, licence_world

pytestmark = pytest.mark.django_db


def test_an_issued_licence_is_held_by_the_establishment_with_its_activities():
    world = licence_world()
    licence = licence_issue_make(world)
    assert (licence.number.startswith("CL-"), licence.status, licence.holder_establishment_id,
            licence.holder_person_id, licence.parcel_id, licence.details["activities"]) == (
        True, PermitStatus.VALID, world.establishment.pk, None, world.parcel.pk, [GROCERY])
