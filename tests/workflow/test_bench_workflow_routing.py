"""The routing benchmark still runs (with 50 cases), so it cannot rot between `make bench`s."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
def test_benchmark_runs_with_50_cases():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "workflow_routing", "--cases", "50"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.dev"},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cases/s" in result.stdout
    assert "of the no-op rate" in result.stdout
    assert "check       : 50/50 routed; audit chain OK over 100 events" in result.stdout
