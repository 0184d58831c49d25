"""gunicorn's settings for the portal; gunicorn reads ./gunicorn.conf.py by itself, and command
line flags (Dockerfile, docker-compose.yml) override it. The README's "Deployment" section says
why these numbers.

The portal's requests spend much of their time waiting on PostgreSQL (a payment notification
commits once, a page runs several queries), so a core can serve more than one request at a
time: 2 workers per core plus one, each a process of its own (no shared GIL). Threads
(`GUNICORN_THREADS` > 1, the gthread worker) also keep HTTP connections alive between requests,
which suits a caller that sends many (SADAD's notifications); measured on 2 cores they did not
beat plain processes (bench/payments_notifications.py).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Idle kept-alive connections are closed after this long (gthread only).
keepalive = 5
timeout = 60
# The request head is bounded here; Django and the endpoints cap bodies.
limit_request_line = 4094
limit_request_fields = 64
limit_request_field_size = 8190
