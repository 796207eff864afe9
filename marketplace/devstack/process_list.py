"""The one list of Shiftline's long-running processes and their command lines.

`make run` (devstack/run.py), deploy/compose.yaml and deploy/Dockerfile all start these; a
test (tests/marketplace/devstack/test_process_list.py) checks that the compose file and the
image agree with it.
Commands name programs as found on PATH (the virtualenv's bin/ in the image); `make run` puts
this interpreter's bin/ in front. The web server takes its address from UVICORN_HOST and
UVICORN_PORT, so one command line fits every machine."""

WEB = ["uvicorn", "marketplace.asgi:application"]

PROCESSES: dict[str, list[str]] = {
    # HTTP and websockets (ASGI). DATABASE_POOL_SIZE sets its psycopg pool (README).
    "web": WEB,
    # The routing queue only, one task at a time per process: offers go out without waiting
    # behind slow jobs. Scale out with more of these.
    "routing-worker": ["celery", "-A", "marketplace", "worker", "-Q", "routing",
                       "-n", "routing@%h", "--concurrency", "2", "--prefetch-multiplier", "1",
                       "-l", "info"],
    # Everything else: deliveries, webhooks, e-mail, sweeps that take a while.
    "slow-worker": ["celery", "-A", "marketplace", "worker", "-Q", "default",
                    "-n", "default@%h", "--concurrency", "2", "-l", "info"],
    # The periodic schedule: one per installation, and a lock in Redis lets only one send
    # (marketplace/infra/beat_lock.py, deploy/README.md).
    "beat": ["celery", "-A", "marketplace", "beat", "-l", "info",
             "--scheduler", "marketplace.infra.beat_lock:SingleBeatScheduler", "--pidfile="],
}

# One-off steps of a release, run before the processes above start.
RELEASE: dict[str, list[str]] = {
    "migrate": ["python", "manage.py", "migrate", "--noinput"],
}
