"""`make test`: runs pytest against PostgreSQL and Redis on 127.0.0.1 when they answer (Redis
database 11, key prefix shiftline-test, since that Redis may be shared), otherwise against the
embedded pair under var/test-postgres and var/test-redis. Arguments go to pytest."""

import os
import subprocess
import sys
from contextlib import ExitStack

from marketplace.devstack.services import ROOT, backends

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/11"


def parallel(arguments: list[str]) -> list[str]:
    """Two pytest-xdist workers, a test module each at a time (its browser session and fixtures
    stay in one process), unless the caller chose (`-n`, `-p no:xdist`) or SHIFTLINE_TEST_WORKERS
    says otherwise (0: one process). Each worker has its own test database and Redis keys
    (marketplace/settings/test.py); much of the suite waits on live processes, so two overlap
    well even on two cores."""
    workers = os.environ.get("SHIFTLINE_TEST_WORKERS", "2")
    if workers == "0" or any(a == "-n" or a.startswith(("-n", "--numprocesses")) or
                             a == "no:xdist" for a in arguments):
        return []
    return ["-n", workers, "--dist", "loadfile"]


def selection(arguments: list[str]) -> list[str]:
    """The tests marked `long` (minutes of killing live workers) run in `make faults`; `make test`
    runs their short smoke. A caller's own `-m` decides instead."""
    if any(a == "-m" or a.startswith("-m") for a in arguments):
        return []
    return ["-m", "not long"]


def main(arguments: list[str]) -> int:
    with ExitStack() as stack:
        found = backends(stack, prefix="test-", local_database_url=LOCAL_DATABASE_URL,
                         local_redis_url=LOCAL_REDIS_URL)
        database_url = found.database_url
        if database_url == LOCAL_DATABASE_URL:
            database_url = database_url.rsplit("/", 1)[0] + "/shiftline"
        print(f"Tests use {found.description}.", flush=True)
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=found.redis_url)
        env.setdefault("REDIS_KEY_PREFIX", "shiftline-test")
        env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.test"
        checks = subprocess.run(
            [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
            cwd=ROOT, env=dict(env, DATABASE_URL=found.database_url), check=False,
        )
        if checks.returncode != 0:
            print("Migrations are missing: run makemigrations.", file=sys.stderr)
            return checks.returncode
        try:
            return subprocess.run(  # noqa: S603
                [sys.executable, "-m", "pytest", *parallel(arguments), *selection(arguments),
                 *arguments],
                cwd=ROOT, env=env, check=False,
            ).returncode
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
