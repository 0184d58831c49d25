"""The exports benchmark still runs (at a tiny size), so it cannot rot between `make bench`s."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_exports_benchmark_runs_at_a_tiny_size_and_checks_both_files_and_memory():
    # when it runs with 4,000 and 8,000 bills (each at least two fetches of 2,000 rows)
    result = subprocess.run(
        [sys.executable, "-m", "bench", "exports", "--sizes", "4000", "8000"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.dev"},
        capture_output=True, text=True, timeout=600)
    # then both sizes were compared over three interleaved rounds, the portal's file was the
    # floor's byte for byte, and its memory did not grow with the rows
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ratio portal/floor:") == 2
    assert result.stdout.count("files: portal and floor byte for byte the same: yes") == 2
    assert "constant memory: portal peak" in result.stdout
    assert ": met  (load" in result.stdout
