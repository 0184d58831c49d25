# The two commands: `make run` and `make test`. Everything else here is what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

# Tests always run on the real PostgreSQL and Redis; these are the machine's local ones.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/amanah)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: install system-deps run test lint worker beat browser bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP) system-deps

# WeasyPrint (receipts, certificates) needs Pango from the system; install it where we may.
system-deps: $(STAMP)
	@$(PY) -c "import weasyprint" 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "WeasyPrint needs Pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" >&2; \
	    exit 1; fi; }

# Debian's Chromium for the browser tests; Playwright never downloads a browser of its own.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install browser
	$(VENV)/bin/ruff check .
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(PY) tests/shards.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# One worker for all three queues on a laptop; production runs one per queue (docker-compose).
worker: install
	$(VENV)/bin/celery -A amanah worker -Q default,money,bulk --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A amanah beat --loglevel=INFO

bench: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3 var/staticfiles
