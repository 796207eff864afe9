"""A separate, reusable benchmark database on the same PostgreSQL server as the tests."""

import os
from urllib.parse import urlparse, urlunparse

import psycopg

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "shiftline_bench")


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shiftline")
    parsed = urlparse(base)
    return urlunparse(parsed._replace(path=f"/{BENCH_DATABASE}"))


def ensure_bench_database(url: str) -> None:
    maintenance = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def configure() -> None:
    """Points Django at the benchmark database; call before django.setup()."""
    url = bench_database_url()
    ensure_bench_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.test")
    # Persistent connections, as production runs (settings/production.py); the processes the
    # benchmarks start inherit it.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")


def fresh_factory_names() -> None:
    """The benchmark database outlives a run, so the factories' names (brand slugs, user
    names) start past every earlier run's."""
    import itertools
    import time

    from tests import factories

    factories._sequence = itertools.count(time.time_ns() // 1_000_000)
