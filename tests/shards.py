"""Run the whole suite as one pytest process per core, side by side (`make test`).

The suite is CPU-bound in one process (one core busy, the other idle), so the test files are
dealt round-robin, in path order, to N shards run at once. Each shard has its own test database
(DATABASE_URL's name suffixed `_s1`, `_s2`, …, which pytest-django prefixes with `test_`) and
its own Redis database (REDIS_URL's index plus the shard's number), so shards never see each
other's rows, queues or Celery worker. Every line a shard prints is prefixed with its name; the
exit status is the first failing shard's, or 0.

With arguments naming tests (a path or a node id), or TEST_SHARDS=1, it is a plain pytest run.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
REDIS_DATABASES = 16  # Redis's default number of databases


def shard_count() -> int:
    wanted = os.environ.get("TEST_SHARDS")
    if wanted:
        return max(1, int(wanted))
    return max(1, min(os.cpu_count() or 1, 4))


def names_tests(args: list[str]) -> bool:
    """Do the arguments pick tests themselves (then they are run as given, unsharded)?"""
    return any(not arg.startswith("-") and (ROOT / arg.split("::")[0]).exists()
               for arg in args)


def test_files() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py"))


def deal(files: list[str], shards: int) -> list[list[str]]:
    return [files[index::shards] for index in range(shards)]


def database_url_for(url: str, shard: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_s{shard}"))


def redis_url_for(url: str, shard: int) -> str:
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + shard - 1) % REDIS_DATABASES}"))


def _relay(name: str, stream, lock: threading.Lock) -> None:
    for line in iter(stream.readline, ""):
        with lock:
            sys.stdout.write(f"[{name}] {line}")
            sys.stdout.flush()


def run(args: list[str]) -> int:
    shards = shard_count()
    if shards == 1 or names_tests(args):
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT)
    database_url, redis_url = os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
    lock, started = threading.Lock(), time.monotonic()
    running = []
    for number, files in enumerate(deal(test_files(), shards), start=1):
        name = f"s{number}"
        env = {**os.environ, "DATABASE_URL": database_url_for(database_url, number),
               "REDIS_URL": redis_url_for(redis_url, number)}
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, *files],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            bufsize=1)
        relay = threading.Thread(target=_relay, args=(name, process.stdout, lock), daemon=True)
        relay.start()
        running.append((name, len(files), process, relay))
    status = 0
    for name, count, process, relay in running:
        code = process.wait()
        relay.join()
        with lock:
            print(f"[{name}] {count} test files: exit {code} after "
                  f"{time.monotonic() - started:.0f} s", flush=True)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
