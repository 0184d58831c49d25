import pytest

from amanah.identity import luhn_is_valid
from tests.factories import (
    CitizenFactory,
    EServiceRolloutFactory,
    EstablishmentFactory,
    StaffMembershipFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_valid_rows():
    # given / when one of each
    citizen = CitizenFactory()
    membership = StaffMembershipFactory()
    rollout = EServiceRolloutFactory()
    establishment = EstablishmentFactory(representatives=[citizen])
    # then the identities are valid and the citizen can sign in with their ID
    assert luhn_is_valid(citizen.national_id)
    assert citizen.user.username == citizen.national_id
    assert citizen.user.check_password("Khobar-Corniche-2026")
    assert membership.user.memberships.count() == 1
    assert rollout.state == "live"
    assert list(establishment.representatives.all()) == [citizen]
