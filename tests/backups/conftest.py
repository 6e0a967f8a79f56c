"""Fixtures for backups: an archive with entries, raw captures written by the ingest service
and web captures with real WARC/WACZ files; a second, empty database on the same PostgreSQL
server to restore into; and ``restore_elsewhere``, which runs ``manage.py restore`` in its own
process against that database and its own stored folders, as an operator would."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from apps.ingest.services import source_ingest
from tests import factories
from tests.captures.conftest import make_capture  # noqa: F401 (a fixture)
from tests.ingest.conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def stores(settings, tmp_path):
    settings.INGEST_CAPTURE_DIR = tmp_path / "stores" / "raw"
    settings.WEB_CAPTURE_DIR = tmp_path / "stores" / "web"
    settings.INGEST_WRITER_THREAD = False
    settings.CAPTURE_CHROMIUM = ""
    return settings


@pytest.fixture
def archive(make_capture, django_user_model):  # noqa: F811 (the imported fixture)
    """Entries of every kind, two raw captures and two web captures, all committed."""
    django_user_model.objects.create_superuser("boss", "boss@example.org", "x" * 20)
    factories.PostFactory.create_batch(3, published=True)
    factories.PostFactory(withdrawn=True)
    article = factories.SourceArticleFactory(published=True)
    factories.EventSourceFactory()
    factories.DatedClaimFactory()
    for name in ("twarc1.jsonl", "atom.xml"):
        run = source_ingest(source=str(FIXTURES / name))
        assert run.captures.exists(), run.error
    make_capture(article=article)
    make_capture("https://news.example.org/second.html", "<html><body>Two</body></html>")


@dataclass
class Elsewhere:
    """An empty database on the same server and folders of its own, to restore into."""

    url: str
    name: str
    admin: dict
    raw: Path
    web: Path
    var: Path

    def connect(self):
        return psycopg.connect(**self.admin, dbname=self.name, autocommit=True)

    def table_count(self) -> int:
        with self.connect() as db:
            return db.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]

    def restore(self, backup: Path, *extra: str) -> subprocess.CompletedProcess:
        return self.manage("restore", str(backup), *extra)

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        """``manage.py`` in its own process, against this database and these folders."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(
            DEBUG="1",
            ENV_FILE="",
            DJANGO_SETTINGS_MODULE="metoo_archive.settings",
            DATABASE_URL=self.url,
            VAR_DIR=str(self.var),
            INGEST_CAPTURE_DIR=str(self.raw),
            WEB_CAPTURE_DIR=str(self.web),
        )
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip


@pytest.fixture
def empty_database(tmp_path, transactional_db):
    """Makes empty databases on the test server (each with folders of its own under
    ``tmp_path/<label>``), dropped after the test."""
    params = connection.settings_dict
    admin = {"host": params["HOST"], "port": params["PORT"], "user": params["USER"]}
    if params.get("PASSWORD"):
        admin["password"] = params["PASSWORD"]
    made: list[str] = []

    def make(label: str) -> Elsewhere:
        name = f"restore_test_{secrets.token_hex(4)}"
        with psycopg.connect(**admin, dbname="postgres", autocommit=True) as db:
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        host = urllib.parse.quote(str(params["HOST"]), safe="")
        password = f":{urllib.parse.quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
        url = f"postgres://{params['USER']}{password}@{host}:{params['PORT']}/{name}"
        target = tmp_path / label
        return Elsewhere(url, name, admin, target / "raw", target / "web", target / "var")

    yield make
    with psycopg.connect(**admin, dbname="postgres", autocommit=True) as db:
        for name in made:
            db.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def elsewhere(empty_database):
    return empty_database("elsewhere")
