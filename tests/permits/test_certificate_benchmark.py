"""The certificate PDF benchmark still runs (one certificate a round), so it cannot rot."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_certificate_benchmark_runs_with_one_certificate_a_round():
    # when the benchmark runs at its smallest size
    result = subprocess.run(
        [sys.executable, "-m", "bench", "permits_certificate", "--certificates", "1"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.dev"},
        capture_output=True, text=True, timeout=300)
    # then it reports three interleaved rounds with their ratio, and every PDF was one page
    assert result.returncode == 0, result.stdout + result.stderr
    assert "round 3/3: portal" in result.stdout
    assert "ratio portal/floor: min" in result.stdout
    assert "check: 3 PDFs made, each one page: yes (up to 3 details)" in result.stdout
