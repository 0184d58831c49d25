"""gunicorn's settings for the portal; gunicorn reads ./gunicorn.conf.py by itself, and command
line flags (Dockerfile, docker-compose.yml) override it. The README's "Deployment" section says
why these numbers.

The portal's requests spend much of their time waiting on PostgreSQL (a payment notification
is eight statements and a commit), so one process per core (`WEB_CONCURRENCY`) with a few
threads each (`GUNICORN_THREADS`, the gthread worker) keeps the cores busy while requests wait,
and gthread keeps HTTP connections alive between requests, which suits SADAD sending many
notifications: no TCP handshake and accept per notification. On the shared 2-core machine
(bench/payments_notifications.py, load 5-7) 2 workers x 4 threads reached 0.55x of the
database's own rate where 3 or 5 sync workers reached 0.24-0.25x, and 3x4 and 5x2 0.37-0.40x;
compare on the real host with `python -m bench payments_notifications --workers W --threads T`.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# Idle kept-alive connections are closed after this long (gthread only).
keepalive = 5
timeout = 60
# The request head is bounded here; Django and the endpoints cap bodies.
limit_request_line = 4094
limit_request_fields = 64
limit_request_field_size = 8190
