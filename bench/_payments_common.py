"""Shared by the payments benchmarks: Django on PostgreSQL and a scratch database of their own
(`bench_<name>` on the server of DATABASE_URL), created, migrated and dropped by the run."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(settings_module: str = "amanah.settings.dev") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("this benchmark needs DATABASE_URL pointing at PostgreSQL")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def scratch_database_create(suffix: str) -> tuple[str, str]:
    """Create and migrate the scratch database; returns (its name, the original name)."""
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{suffix}_{original}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return name, original


def scratch_database_drop(original: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(original, verbosity=0)


def database_url(name: str) -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def psycopg2_connect(name: str):
    import psycopg2
    from django.db import connection

    s = connection.settings_dict
    return psycopg2.connect(dbname=name, user=s["USER"] or "postgres",
                            password=s.get("PASSWORD") or None, host=s["HOST"] or "127.0.0.1",
                            port=s["PORT"] or 5432)
