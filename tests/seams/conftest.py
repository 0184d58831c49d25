import pytest

from tests.payments.factories import misc_fee_service
from tests.workflow.factories import world_build

from .fee_case import fee_case_kind_register, fee_case_kind_unregister, fee_case_world


@pytest.fixture
def fee_world(db):
    """The test Amanah, a procedure with a fee step and the payable kind that moves it."""
    world = world_build()
    eservice = misc_fee_service()
    fee_case_world(world, eservice)
    fee_case_kind_register()
    yield world, eservice
    fee_case_kind_unregister()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def world(db):
    return world_build()
