import pytest

from amanah.enums import StaffRole
from amanah.models import EService
from tests.workflow.factories import world_build

from .fixtures import bills_build, cases_build, pilot_in_khobar


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(db):
    return world_build()


@pytest.fixture
def eservice(world):
    return EService.objects.get(code="general_correspondence")


@pytest.fixture
def known(world, eservice, clock):
    """The hand-computed world of fixtures.py, with the service piloted in Khobar."""
    cases_build(world, clock)
    bills_build(world, clock, eservice)
    pilot_in_khobar(world, eservice)
    return world, eservice


@pytest.fixture
def amanah_admin(world):
    """An ADMIN of the Amanah: configures the Amanah and both branches."""
    return world.staff("customer_service", StaffRole.ADMIN, world.amanah)


@pytest.fixture
def dammam_admin(world):
    """An ADMIN of the Dammam branch only."""
    return world.staff("customer_service", StaffRole.ADMIN, world.other_branch)
