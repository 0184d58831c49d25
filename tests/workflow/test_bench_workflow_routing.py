"""The routing benchmark still runs (50 cases a round), so it cannot rot between `make bench`s."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
def test_benchmark_runs_with_50_cases_a_round():
    # when the benchmark runs at its smallest size (3 rounds of 50, plus 8 warm-up cases)
    result = subprocess.run(
        [sys.executable, "-m", "bench", "workflow_routing", "--cases", "50"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.dev"},
        capture_output=True, text=True, timeout=300)
    # then it reports three interleaved rounds and their ratio, and every case was routed
    assert result.returncode == 0, result.stdout + result.stderr
    assert "round 3/3: portal" in result.stdout
    assert "ratio portal/floor: min" in result.stdout
    assert "check: 158/158 cases routed; audit chain OK over 316 events" in result.stdout
