"""PostgreSQL and Redis for a run: the ones named by DATABASE_URL / REDIS_URL, or embedded."""

import os
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from marketplace.devstack.embedded import (
    EmbeddedPostgres,
    EmbeddedRedis,
    postgres_answers,
    redis_answers,
)
from marketplace.devstack.processes import Watched

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"


@dataclass(frozen=True)
class Backends:
    database_url: str
    redis_url: str
    description: str
    watched: tuple[Watched, ...] = ()
    """The embedded servers started here, for a supervisor to restart if they die."""


def backends(stack: ExitStack, *, prefix: str, local_database_url: str | None,
             local_redis_url: str | None) -> Backends:
    """DATABASE_URL / REDIS_URL win; else the given local servers if they answer; else the
    embedded servers under var/<prefix>-postgres and var/<prefix>-redis, stopped by `stack`."""
    force_embedded = os.environ.get("SHIFTLINE_FORCE_EMBEDDED") == "1"
    notes = []
    watched: list[Watched] = []
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        if local_database_url and not force_embedded and postgres_answers(local_database_url):
            database_url = local_database_url
            notes.append(f"PostgreSQL at {local_database_url}")
        else:
            postgres = EmbeddedPostgres(VAR / f"{prefix}postgres")
            database_url = postgres.start()
            stack.callback(postgres.stop)
            watched.append(Watched("postgres", postgres.restart, postgres.alive))
            notes.append(f"embedded PostgreSQL in var/{prefix}postgres")
    else:
        notes.append("PostgreSQL from DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if local_redis_url and not force_embedded and redis_answers(local_redis_url):
            redis_url = local_redis_url
            notes.append(f"Redis at {local_redis_url}")
        else:
            database = int(local_redis_url.rsplit("/", 1)[1]) if local_redis_url else 0
            embedded = EmbeddedRedis(VAR / f"{prefix}redis", database=database)
            redis_url = embedded.start()
            stack.callback(embedded.stop)
            watched.append(Watched("redis", embedded.start, embedded.alive))
            notes.append(f"embedded Redis in var/{prefix}redis")
    else:
        notes.append("Redis from REDIS_URL")
    return Backends(database_url, redis_url, "; ".join(notes), tuple(watched))
