import pytest

from .factories import world_build


@pytest.fixture
def world(db):
    return world_build()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Documents uploaded by a test land in its own temporary folder, never in var/."""
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    return tmp_path / "private"
