"""PostgreSQL stopped and started under real processes: a Celery worker in the middle of an
ingest and of a bulk curation action, and a gunicorn web process serving pages.

Each test runs its own PostgreSQL server (tests/faults/conftest.py: ``separate_postgres``),
never the session's, and reads it through fresh connections of its own, which fail while it is
down. The outage is timed by progress in the database, never by a sleep alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from apps.archive.models import Account, Post
from apps.curation.models import BulkAction, ModerationDecision
from apps.ingest.models import IngestRun
from tests.faults.conftest import ROOT, app_env, free_port, wait_until

OUTAGE_SECONDS = 3


def _count(server, model, where: str = "TRUE") -> int | None:
    """Rows of ``model`` matching ``where`` (a constant condition) now, read through a fresh
    connection; None while the server is down."""
    query = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(
        sql.Identifier(model._meta.db_table), sql.SQL(where)
    )
    try:
        with server.connect(connect_timeout=2) as db:
            return db.execute(query).fetchone()[0]
    except psycopg.OperationalError:
        return None


def _rows(server, model, query: str, params=()) -> list[tuple]:
    """Rows of ``query``, where ``{}`` stands for ``model``'s table."""
    with server.connect() as db:
        statement = sql.SQL(query).format(sql.Identifier(model._meta.db_table))
        return db.execute(statement, params).fetchall()


def _django(server, var_dir: Path, script: str) -> str:
    """Run ``script`` in a Django process of its own against the separate server."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT, env=app_env(DATABASE_URL=server.url, VAR_DIR=str(var_dir)),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class Worker:
    """A real Celery worker on its own file-system broker (under ``var_dir``) and the
    separate server; its output goes to a file, printed when the test ends."""

    def __init__(self, server, var_dir: Path, **env: str):
        self.log_path = var_dir / "worker.log"
        self.log = open(self.log_path, "w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "metoo_archive", "worker", "--pool", "solo",
             "--queues", "celery,fetch", "--loglevel", "INFO", "--without-heartbeat",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=app_env(DATABASE_URL=server.url, VAR_DIR=str(var_dir), CONN_MAX_AGE="0", **env),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def var_dir(tmp_path):
    path = tmp_path / "var"
    path.mkdir()
    return path


@pytest.fixture
def worker(separate_postgres, var_dir):
    started = []

    def start(**env: str) -> Worker:
        started.append(Worker(separate_postgres, var_dir, **env))
        return started[-1]

    yield start
    for process in started:
        process.stop()
        print(process.output()[-6000:])


GATEKEEPER = "gatekeeper"  # the author of an export's second half (see _ingest_interrupted...)


def _export(path: Path, lines: int, *, gate_from: int | None = None) -> set[tuple[str, str]]:
    """A twarc (v1.1) JSON-lines export of ``lines`` distinct tweets; returns their natural keys.
    From line ``gate_from`` on, every tweet is by GATEKEEPER."""
    with path.open("w") as out:
        for n in range(lines):
            author = f"author{n % 97}"
            if gate_from is not None and n >= gate_from:
                author = GATEKEEPER
            record = {
                "created_at": "Sun Oct 15 20:21:16 +0000 2017",
                "id_str": str(10**15 + n),
                "full_text": f"#MeToo post number {n}",
                "user": {"screen_name": author, "name": author.title()},
                "entities": {"hashtags": [{"text": "MeToo"}], "user_mentions": []},
                "lang": "en",
            }
            out.write(json.dumps(record) + "\n")
    return {("twitter", str(10**15 + n)) for n in range(lines)}


def _stored_keys(server) -> list[tuple[str, str]]:
    return [tuple(row) for row in _rows(server, Post, "SELECT platform, platform_id FROM {}")]


def _outage_once(server, *, progressed, seconds: float = OUTAGE_SECONDS) -> None:
    """Stop the server as soon as ``progressed()`` says the work is under way, keep it down
    for ``seconds``, then start it again."""
    wait_until(progressed, timeout=60, interval=0.02, message="the work never got going")
    server.stop()
    time.sleep(seconds)
    server.start()


def _ingest_interrupted_by_an_outage(server, var_dir, worker, *, lines: int, batch_size=200):
    """An ingest of ``lines`` tweets that the database's restart is sure to interrupt: the
    second half is by an account whose row this test holds locked, so the run writes the first
    half and then waits on that lock until the outage ends it (an ingest is fast enough to
    finish between noticing its progress and stopping the server)."""
    imports = var_dir / "imports"
    imports.mkdir()
    export = imports / "export.jsonl"
    expected = _export(export, lines, gate_from=lines // 2)
    feed_id, gate_id = (
        int(value)
        for value in _django(
            server, var_dir,
            "from apps.archive.models import Account\n"
            "from apps.ingest.models import Feed, Format\n"
            f"feed = Feed.objects.create(name='Export', url={str(export)!r}, "
            "format=Format.TWARC1)\n"
            f"gate = Account.objects.create(platform='twitter', handle={GATEKEEPER!r})\n"
            "print(feed.pk, gate.pk)",
        ).split()
    )  # fmt: skip
    running = worker(INGEST_BATCH_SIZE=str(batch_size), INGEST_RETRY_BASE="1")
    gate = server.connect()  # a transaction holding the gatekeeper's row until the outage
    try:
        gate.execute("BEGIN")
        gate.execute(
            sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR UPDATE").format(
                sql.Identifier(Account._meta.db_table)
            ),
            [gate_id],
        )
        _django(
            server, var_dir,
            f"from apps.ingest.tasks import poll_feed\npoll_feed.delay({feed_id})",
        )  # fmt: skip
        _outage_once(server, progressed=lambda: (_count(server, Post) or 0) >= 2 * batch_size)
    finally:
        gate.close()
    wait_until(
        lambda: _count(server, IngestRun, "status = 'succeeded'") or not running.alive(),
        timeout=90, interval=0.25, message="the ingest never finished after the outage",
    )  # fmt: skip
    return expected, feed_id, running


def _assert_the_ingest_is_whole(server, expected: set[tuple[str, str]], feed_id: int) -> None:
    stored = _stored_keys(server)
    assert len(stored) == len(set(stored)), "a post was stored twice"
    assert set(stored) == expected, f"{len(expected - set(stored))} posts lost"
    runs = _rows(
        server, IngestRun,
        "SELECT status, created_count, updated_count, unchanged_count, failed_count, task_id "
        "FROM {} WHERE feed_id = %s ORDER BY id",
        [feed_id],
    )  # fmt: skip
    *interrupted, last = runs
    assert interrupted, "the outage did not interrupt the run: it finished first"
    assert {run[0] for run in interrupted} == {"failed"}, runs
    assert last[0] == "succeeded", runs
    assert len({run[5] for run in runs}) == 1, "every run was an attempt of the same task"
    # The last run accounts for every line; the runs' created counts add up to what is stored.
    assert sum(last[1:5]) == len(expected) and last[4] == 0, runs
    assert sum(run[1] for run in runs) == len(expected), runs


def test_an_ingest_cut_by_a_database_restart_finishes_on_its_own_with_nothing_lost_or_doubled(
    separate_postgres, var_dir, worker
):
    expected, feed_id, _ = _ingest_interrupted_by_an_outage(
        separate_postgres, var_dir, worker, lines=5000
    )
    _assert_the_ingest_is_whole(separate_postgres, expected, feed_id)


@pytest.mark.fault
def test_a_large_ingest_cut_by_a_database_restart_finishes_with_nothing_lost_or_doubled(
    separate_postgres, var_dir, worker
):
    expected, feed_id, _ = _ingest_interrupted_by_an_outage(
        separate_postgres, var_dir, worker, lines=100_000, batch_size=5000
    )
    _assert_the_ingest_is_whole(separate_postgres, expected, feed_id)


BULK_SETUP = """
import io
from django.core.management import call_command
from django.contrib.auth.models import Group, User
from apps.ingest.services import source_ingest
run = source_ingest(source={export!r})
assert run.status == "succeeded", run.error
call_command("curation_groups", stdout=io.StringIO())
user = User.objects.create_user("edna", "edna@example.org", "pw-edna-2017")
user.groups.add(Group.objects.get(name="Editor"))
print(user.pk)
"""
BULK_START = """
from django.contrib.auth.models import User
from apps.curation.services import bulk_action_start
job = bulk_action_start(
    action="approve", kind="post", filters={{}}, reason="", actor=User.objects.get(pk={user})
)
print(job.pk)
"""


def test_a_bulk_approval_cut_by_a_database_restart_finishes_on_its_own_deciding_each_entry_once(
    separate_postgres, var_dir, worker
):
    server = separate_postgres
    expected = _export(var_dir / "export.jsonl", 5000)
    user = int(_django(server, var_dir, BULK_SETUP.format(export=str(var_dir / "export.jsonl"))))
    running = worker()
    job_id = int(_django(server, var_dir, BULK_START.format(user=user)))
    _outage_once(server, progressed=lambda: _count(server, BulkAction, "done >= 1000"))
    wait_until(
        lambda: _count(server, BulkAction, "state = 'done'") or not running.alive(),
        timeout=90, interval=0.25, message="the bulk action never finished after the outage",
    )  # fmt: skip
    ((state, done, changed, total, error),) = _rows(
        server, BulkAction, "SELECT state, done, changed, total, error FROM {} WHERE id = %s",
        [job_id],
    )  # fmt: skip
    assert (state, done, changed, total) == ("done", 5000, 5000, 5000), error
    decisions = _rows(
        server, ModerationDecision,
        "SELECT entry_id, count(*) FROM {} WHERE entry_kind = 'post' AND to_state = 'published' "
        "AND actor_id = %s GROUP BY entry_id",
        [user],
    )  # fmt: skip
    assert len(decisions) == 5000, "an entry was left undecided"
    assert {n for _, n in decisions} == {1}, "an entry was decided twice"
    assert _count(server, Post, "moderation_state = 'published'") == len(expected)


# --- web requests during a database restart ---------------------------------------------------


@pytest.fixture
def web(separate_postgres, var_dir):
    """gunicorn as ``manage.py serve`` runs it (its config file, sync workers), in production
    mode, on a free port of 127.0.0.1, against the separate server."""
    port = free_port()
    log_path = var_dir / "web.log"
    log = open(log_path, "w+")  # noqa: SIM115 - closed below
    env = app_env(
        DATABASE_URL=separate_postgres.url, VAR_DIR=str(var_dir), DEBUG="0",
        SECRET_KEY="fault-tests-" + "x" * 40, ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0", STATIC_MANIFEST="0",
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
         "metoo_archive.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", "30"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: _get(base + "/healthz")[0] == 200, timeout=60, interval=0.2,
               message="gunicorn never answered")  # fmt: skip
    try:
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
        print(log_path.read_text(errors="replace")[-6000:])


def _get(url: str) -> tuple[int, dict, str]:
    """Status, headers and body of a GET; (0, {}, "") when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
    except OSError:
        return 0, {}, ""


PAGES = ["/", "/timeline/", "/search/?q=metoo", "/search/"]


def test_pages_answer_a_clear_503_while_the_database_restarts_and_200_after_without_a_restart(
    separate_postgres, web
):
    for path in PAGES:  # served, and kept in the page cache
        assert _get(web + path)[0] == 200, path
    assert json.loads(_get(web + "/healthz")[2])["status"] == "ok"

    separate_postgres.stop()
    for path in PAGES:
        status, headers, body = _get(web + path)
        # Not a server error, and not the cached page: its key needs the content version,
        # read from the database, and an older page could show an entry withdrawn since.
        assert status == 503, (path, status, body[:500])
        assert "The archive is briefly unavailable" in body
        assert headers["Retry-After"] == "30" and headers["Cache-Control"] == "no-store"
    status, _, body = _get(web + "/healthz")
    assert status == 503
    health = json.loads(body)
    assert health["status"] == "failing"
    assert health["checks"]["database"].startswith("database unavailable")

    # The same web process, its database connection gone stale, serves again at once: the
    # connection is checked before each request reuses it (CONN_HEALTH_CHECKS).
    separate_postgres.start()
    for path in PAGES:
        status, _, body = _get(web + path)
        assert status == 200, (path, status, body[:500])
    assert json.loads(_get(web + "/healthz")[2])["status"] == "ok"
