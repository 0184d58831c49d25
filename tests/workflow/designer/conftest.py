import pytest

from ..factories import world_build


@pytest.fixture
def world(db):
    return world_build()
