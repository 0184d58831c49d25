"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The file is parsed as YAML; `${VAR}` interpolation is done here the way Compose does it, and the
resulting environment is handed to Django's production settings in a fresh process.
"""

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PORTAL_SERVICES = ("web", "worker", "worker-money", "worker-bulk", "beat")
WORKERS = {"worker": "default", "worker-money": "money", "worker-bulk": "bulk"}
SETTINGS_FILES = ("amanah/settings/base.py", "amanah/settings/production.py")
OPERATOR_SECRETS = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "POSTGRES_PASSWORD": "pg-" + secrets.token_hex(8),
    "SADAD_INBOUND_KEYS": secrets.token_hex(32),
    "SADAD_OUTBOUND_KEY": secrets.token_hex(32),
    "NAFATH_BASE_URL": "https://nafath.example.sa",
    "NAFATH_APP_ID": "amanah-portal",
    "NAFATH_APP_KEY": secrets.token_hex(32),
}
_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _interpolate(value: str, given: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and `$$`, for these tests."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        if given.get(name):
            return given[name]
        if operator == "?":
            raise AssertionError(f"compose would stop: {argument}")
        return argument or ""

    return _VARIABLE.sub(replace, value)


def _environment(service: dict, given: dict[str, str]) -> dict[str, str]:
    return {name: _interpolate(str(value), given)
            for name, value in service["environment"].items()}


def _command(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def _settings_read_without_default() -> set[str]:
    """Every `env.<cast>("NAME")` in the settings that has no default: production needs it."""
    required = set()
    for path in SETTINGS_FILES:
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "env"
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and len(node.args) == 1
                    and not any(keyword.arg == "default" for keyword in node.keywords)):
                required.add(node.args[0].value)
    return required


def test_the_stack_has_postgres_redis_web_worker_and_beat(compose):
    # given the compose file
    services = compose["services"]
    # then it runs the parts, a worker per queue, on the pinned major versions, the portal
    # from this repo
    assert set(services) == {"postgres", "redis", "web", "worker", "worker-money",
                             "worker-bulk", "beat"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    for name in PORTAL_SERVICES:
        assert services[name]["build"] == "."
        assert services[name]["restart"] == "unless-stopped"
    assert (ROOT / "Dockerfile").is_file()


def test_each_service_runs_the_right_command(compose):
    # given the compose file
    services = compose["services"]
    web = _command(services["web"])
    # then the web migrates and collects static files before gunicorn serves amanah.wsgi
    assert web.index("manage.py migrate --noinput") < web.index("exec gunicorn")
    assert web.index("manage.py collectstatic --noinput") < web.index("exec gunicorn")
    assert "gunicorn amanah.wsgi:application --bind 0.0.0.0:8000" in web
    for name, queue in WORKERS.items():
        assert _command(services[name]).startswith(f"celery -A amanah worker -Q {queue} ")
        assert f"-n {queue}@%h" in _command(services[name])
    assert _command(services["beat"]).startswith("celery -A amanah beat")
    assert services["web"]["ports"] == ["${PORTAL_PORT:-8000}:8000"]


def test_every_service_has_a_health_check_that_asks_the_service_itself(compose):
    # given the compose file
    services = compose["services"]
    checks = {name: " ".join(service["healthcheck"]["test"][1:])
              for name, service in services.items()}
    # then each health check probes what that service does
    assert checks["postgres"] == "pg_isready -U amanah -d amanah"
    assert checks["redis"] == "redis-cli ping"
    assert "http://127.0.0.1:8000/healthz" in checks["web"]
    for name, queue in WORKERS.items():
        assert checks[name].startswith(f"celery -A amanah inspect ping --destination {queue}@")
    assert "/tmp/celerybeat.pid" in checks["beat"]
    assert "--pidfile=/tmp/celerybeat.pid" in _command(services["beat"])
    for service in services.values():
        assert {"interval", "timeout", "retries"} <= set(service["healthcheck"])


def test_services_start_only_after_what_they_need_is_healthy(compose):
    # given the compose file
    services = compose["services"]
    # then web waits for the database and Redis; worker and beat also for the migrated web
    def needs(name):
        return {dependency: spec["condition"]
                for dependency, spec in services[name]["depends_on"].items()}
    healthy = "service_healthy"
    assert needs("web") == {"postgres": healthy, "redis": healthy}
    for name in WORKERS:
        assert needs(name) == {"postgres": healthy, "redis": healthy, "web": healthy}
    assert needs("beat") == {"postgres": healthy, "redis": healthy, "web": healthy}


def test_data_lives_in_named_volumes(compose):
    # given the compose file
    services = compose["services"]
    # then the database, uploaded files and the SADAD inbox survive a container's replacement
    assert {"pgdata", "media", "sadad-inbox", "private", "sadad-recon"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in PORTAL_SERVICES:
        assert "media:/app/var/media" in services[name]["volumes"]
        assert "sadad-inbox:/app/var/sadad-inbox" in services[name]["volumes"]
        # files the web receives (case documents, reconciliation files) are read by workers
        assert "private:/app/var/private" in services[name]["volumes"]
        assert "sadad-recon:/app/var/sadad-recon" in services[name]["volumes"]
        environment = _environment(services[name], OPERATOR_SECRETS)
        assert environment["DJANGO_MEDIA_ROOT"] == "/app/var/media"
        assert environment["SADAD_RECON_INBOX"] == "/app/var/sadad-inbox"
        assert environment["WORKFLOW_PRIVATE_ROOT"] == "/app/var/private"
        assert environment["SADAD_RECON_STORE"] == "/app/var/sadad-recon"


def test_every_setting_production_requires_is_given_to_every_portal_service(compose):
    # given the variables the settings read with no default
    required = _settings_read_without_default()
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL",
            "SADAD_INBOUND_KEYS", "SADAD_OUTBOUND_KEY"} <= required
    for name in PORTAL_SERVICES:
        # when compose builds the service's environment
        environment = _environment(compose["services"][name], OPERATOR_SECRETS)
        # then each required variable has a value, and the services point at each other
        assert required <= {key for key, value in environment.items() if value}, name
        assert environment["DJANGO_SETTINGS_MODULE"] == "amanah.settings.production"
        password = OPERATOR_SECRETS["POSTGRES_PASSWORD"]
        assert environment["DATABASE_URL"] == f"postgres://amanah:{password}@postgres:5432/amanah"
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert {"SADAD_BILLER_ID", "SADAD_BASE_URL", "SADAD_INBOUND_KEYS",
                "SADAD_OUTBOUND_KEY"} <= set(environment)
    postgres = _environment(compose["services"]["postgres"], OPERATOR_SECRETS)
    assert (postgres["POSTGRES_DB"], postgres["POSTGRES_USER"]) == ("amanah", "amanah")


@pytest.mark.parametrize("secret", sorted(OPERATOR_SECRETS))
def test_compose_refuses_to_start_without_each_secret(compose, secret):
    # given an operator who forgot one secret
    given = {name: value for name, value in OPERATOR_SECRETS.items() if name != secret}
    # when compose builds the web's environment (or the database's, for its password)
    # then it stops with a message naming the secret
    with pytest.raises(AssertionError, match=f"set {secret}"):
        for service in ("web", "postgres"):
            _environment(compose["services"][service], given)


def test_the_web_environment_passes_the_deployment_checklist(compose):
    # given the web container's environment as compose would build it
    environment = _environment(compose["services"]["web"], OPERATOR_SECRETS)
    assert environment["DJANGO_ALLOWED_HOSTS"] == "localhost,localhost,127.0.0.1"
    basics = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    # when Django's deployment checklist runs with it (nothing is connected to)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**basics, **environment})
    # then production settings load from it and find nothing to warn about
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_every_queue_a_task_is_routed_to_has_a_worker(compose):
    # given the routes that send tasks to queues, and the queue every other task goes to
    from django.conf import settings

    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    queues = routed | {settings.CELERY_TASK_DEFAULT_QUEUE}
    # then some worker of the stack consumes each of them
    consumed = set()
    for name in WORKERS:
        command = compose["services"][name]["command"]
        consumed |= set(command[command.index("-Q") + 1].split(","))
    assert queues == {"default", "money", "bulk"} == consumed


def test_the_image_has_weasyprint_libraries_and_the_project():
    # given the Dockerfile and what the build context leaves out
    dockerfile = (ROOT / "Dockerfile").read_text()
    ignored = (ROOT / ".dockerignore").read_text().split()
    # then it is Python 3.11 with Pango for WeasyPrint, the project installed, run unprivileged
    assert dockerfile.startswith("# ") and "\nFROM python:3.11-slim-bookworm\n" in dockerfile
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "libpq5"):
        assert library in dockerfile
    assert "pip install -e ." in dockerfile
    assert "\nUSER amanah\n" in dockerfile
    assert '"gunicorn", "amanah.wsgi:application"' in dockerfile
    assert {".git", ".venv", "var"} <= set(ignored)
