"""The page benchmark still runs (at a tiny size), so it cannot rot between `make bench`s."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_page_benchmark_runs_at_a_tiny_size_and_reports_every_page():
    # when it runs with 300 vs 100 rows, 2 requests a side and round, 5 comments
    result = subprocess.run(
        [sys.executable, "-m", "bench", "pages", "--rows", "300", "--small", "100",
         "--requests", "2", "--comments", "5"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "amanah.settings.dev"},
        capture_output=True, text=True, timeout=300)
    # then it ends well, and reports each page's ratio and the rows each page showed
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("staff queue, first page", "case page, 5 comments",
                 "finance bill list, first page", "API case list, first page"):
        assert f"pages: {page}  (3 interleaved rounds" in result.stdout
    assert result.stdout.count("ratio portal/floor:") == 4
    assert "25 rows at 300; " in result.stdout  # the queue's and the bill list's first pages
    assert "7 rows at 300; " in result.stdout  # the case's timeline: 2 events and 5 comments
    assert "50 rows at 300; " in result.stdout  # the API's first page
