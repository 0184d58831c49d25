""".ci/run, up to the point where it would hand over to `make test` (CI_CHECK_SERVICES_ONLY=1)."""

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ci_run(**overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI_CHECK_SERVICES_ONLY": "1", "CI_SERVICE_WAIT_SECONDS": "2",
           **overrides}
    return subprocess.run([str(ROOT / ".ci" / "run")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_ci_finds_the_real_postgres_and_redis():
    # given the suite's own PostgreSQL and Redis (DATABASE_URL and REDIS_URL from `make test`)
    # when the CI script checks its services
    result = _ci_run()
    # then it finds both and stops before the tests, as asked
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("are up")
    assert result.stderr == ""


def test_ci_fails_loudly_when_postgres_cannot_be_reached():
    # given a DATABASE_URL (with a password) on a port where nothing listens
    port = _closed_port()
    # when the CI script checks its services
    result = _ci_run(DATABASE_URL=f"postgres://ci:pg-password@127.0.0.1:{port}/amanah")
    # then it fails, says which service and where, and does not print the password
    assert result.returncode == 3
    assert result.stderr.strip() == f"ci: FAILED: PostgreSQL cannot be reached at 127.0.0.1:{port}"
    assert "pg-password" not in result.stdout + result.stderr
    assert "are up" not in result.stdout


def test_ci_fails_loudly_when_redis_cannot_be_reached():
    # given a REDIS_URL on a port where nothing listens
    port = _closed_port()
    # when the CI script checks its services
    result = _ci_run(REDIS_URL=f"redis://127.0.0.1:{port}/0")
    # then it fails naming Redis
    assert result.returncode == 3
    assert result.stderr.strip() == f"ci: FAILED: Redis cannot be reached at 127.0.0.1:{port}"
    assert "are up" not in result.stdout
