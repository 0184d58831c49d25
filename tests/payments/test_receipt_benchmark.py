"""The receipt PDF benchmark still runs (one receipt a round), so it cannot rot."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_receipt_benchmark_runs_with_one_receipt_a_round():
    # when the benchmark runs at its smallest size
    result = subprocess.run(
        [sys.executable, "-m", "bench", "payments_receipt_pdf", "--receipts", "1"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.dev"},
        capture_output=True, text=True, timeout=300)
    # then it reports three interleaved rounds, and the PDFs were made once and stored
    assert result.returncode == 0, result.stdout + result.stderr
    assert "round 3/3: portal" in result.stdout
    assert "ratio portal/floor: min" in result.stdout
    assert "check: 4 PDFs made and stored: yes; a second ensure renders again: no" \
        in result.stdout
