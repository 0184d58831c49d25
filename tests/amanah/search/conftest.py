import pytest

from tests.workflow.factories import world_build


@pytest.fixture
def world(db):
    return world_build()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    return tmp_path / "private"
