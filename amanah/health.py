"""/healthz says the process is alive; /readyz that what it depends on answers.

Both answer JSON and never a 500: a dependency that fails makes /readyz a 503 naming the check,
so a load balancer stops sending traffic and an operator sees which service to look at.
Each probe gives up within a few seconds: a probe that hangs is worse than one that fails.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from amanah.celery import app as celery_app

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2
WORKER_PING_SECONDS = 1.0


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                                  socket_timeout=PROBE_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _check_worker() -> str:
    # A connection of its own rather than the pool's: a dead broker then fails this probe at
    # once instead of inside Celery's publish retries.
    with celery_app.connection_for_write(connect_timeout=PROBE_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT_SECONDS)
        replies = celery_app.control.ping(timeout=WORKER_PING_SECONDS, connection=broker)
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return f"ok ({len(replies)})"


@never_cache
def readyz(request):
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["worker"] = _check_worker
    results, failed = {}, []
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure of a dependency means "not ready", never a 500
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"error: {type(exc).__name__}"
            failed.append(name)
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "checks": results, "failed": failed},
        status=503 if failed else 200,
    )
