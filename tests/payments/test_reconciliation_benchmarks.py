"""The payments benchmarks at a tiny size, so they cannot rot (the real figures come from
`make bench`). Each runs as `python -m bench NAME` in a child, on a scratch database of its own."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    # Not the benchmark's own port: two suites running at once must not meet there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bench(name: str, *args: str) -> subprocess.CompletedProcess:
    s = connection.settings_dict
    url = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}" \
          f"/{os.environ['DATABASE_URL'].rsplit('/', 1)[1]}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "amanah.settings.dev",
           "BENCH_PORT": str(_free_port())}
    return subprocess.run([sys.executable, "-m", "bench", name, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.django_db
def test_reconciliation_benchmark_runs_at_a_tiny_size():
    # when the benchmark runs on 400 records, three rounds
    done = _bench("payments_reconciliation", "--sizes", "400", "--rounds", "3")
    # then both sides came to the expected categories and it prints its figures
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WRONG RESULT" not in done.stdout
    assert "ratio portal/floor" in done.stdout
    assert "peak memory (child VmHWM, MB)" in done.stdout
    assert "reconciliation, side by side" in done.stdout


@pytest.mark.django_db
def test_notifications_benchmark_runs_at_a_tiny_size():
    # when the benchmark posts 30 notifications a round through gunicorn, against its floor,
    # then runs a short open-loop latency run
    done = _bench("payments_notifications", "--notifications", "30", "--workers", "2",
                  "--clients", "2", "--latency-seconds", "0.5", "--senders", "4")
    # then every answer was ACCEPTED, each notification is exactly one payment, and the
    # ratio and latency figures are printed
    assert done.returncode == 0, done.stdout + done.stderr
    assert "exactly one payment each and every bill paid: OK" in done.stdout
    assert "ratio portal/floor: min" in done.stdout
    assert "floor by connections {1: " in done.stdout
    assert "p99: min" in done.stdout
