import pytest


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Evidence photos go to a directory of the test's own."""
    settings.WORKFLOW_PRIVATE_ROOT = str(tmp_path / "private")
    return tmp_path / "private"
