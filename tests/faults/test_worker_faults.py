"""A real Celery worker killed (SIGKILL) in the middle of its work, then started again: an
export's ingest, a web capture, a data package. The work finishes, from the message the broker
gives back, and what is stored equals the input: nothing lost, nothing twice, the runs' counts
and the audit log consistent, no half-written file served as ready.

The worker runs as in production (prefork pool, late acknowledgement, the project's broker
without a server, under ``tmp_path``) against the test session's database. Each kill lands at a
known point of the work, whatever the machine's speed: the test holds something the worker
needs next (a row lock, an HTTP answer, ...) and kills once the database shows the progress made
before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.models import Count, Sum

from apps.archive.models import Account, Post
from apps.core.moderation import ModerationState
from apps.curation.models import ModerationDecision, PublicationRule, RuleApplication, RuleScope
from apps.ingest import services as ingest_services
from apps.ingest.models import Feed, IngestRun, RunStatus
from apps.ingest.tasks import poll_feed
from metoo_archive.celery import app as celery_app
from tests.faults.conftest import ROOT, app_env, wait_until
from tests.ingest.test_worker import database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


# --- the worker -----------------------------------------------------------------------------


class Worker:
    """``celery worker`` as production runs it, in a process group of its own (so that a kill
    takes its pool processes too), on a file-system broker under ``home``."""

    def __init__(self, home: Path, **env: str):
        self.home = home
        self.broker = home / "var" / "broker"
        for sub in ("out", "processed", "control", "unacked"):
            (self.broker / sub).mkdir(parents=True, exist_ok=True)
        self.env = app_env(
            DATABASE_URL=database_url(),
            VAR_DIR=str(home / "var"),
            CONN_MAX_AGE="0",
            **env,
        )
        self.env.pop("CELERY_BROKER_URL", None)
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def transport_options(self) -> dict[str, str]:
        return {
            "data_folder_in": str(self.broker / "out"),
            "data_folder_out": str(self.broker / "out"),
            "processed_folder": str(self.broker / "processed"),
            "control_folder": str(self.broker / "control"),
            "unacked_folder": str(self.broker / "unacked"),
        }

    def send(self, task, *args) -> None:
        """Enqueue as the web process does, onto this worker's broker."""
        with celery_app.connection_for_write(
            "filesystem://", transport_options=self.transport_options
        ) as conn:
            task.apply_async(args, connection=conn)

    def start(self, *extra: str) -> None:
        self.starts += 1
        log = open(self.home / f"worker-{self.starts}.log", "w")  # noqa: SIM115 - the child's
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "metoo_archive", "worker",
             "--queues", "celery,fetch", "--concurrency", "1", "--loglevel", "INFO",
             "--without-mingle", "--without-gossip", *extra],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()

    def pool_processes(self) -> list[int]:
        """The pids of the worker's children (with ``--concurrency 1``: its one pool process)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill(self) -> None:
        """SIGKILL the whole worker: no handler runs, nothing is acknowledged or given back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """At the end of a test, whatever it left: at once (a warm shutdown takes seconds)."""
        if self.process is not None and self.process.poll() is None:
            self.kill()

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return "\n".join(
            (self.home / f"worker-{n}.log").read_text(errors="replace")[-4000:]
            for n in range(1, self.starts + 1)
        )


@pytest.fixture
def worker_home(tmp_path):
    workers: list[Worker] = []

    def make(**env: str) -> Worker:
        worker = Worker(tmp_path, **env)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()
        print(worker.log())


def _another_session() -> psycopg.Connection:
    """A connection of its own to the test database, outside Django's (its transaction is not
    the test's)."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    )  # fmt: skip


class RowLock:
    """A row locked FOR UPDATE by a transaction of another session (a curator's edit in
    progress), until released: whoever writes that row waits."""

    def __init__(self, table: str, pk: int):
        self.conn = _another_session()
        self.conn.execute(
            psycopg.sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR UPDATE").format(
                psycopg.sql.Identifier(table)
            ),
            [pk],
        )

    def waiters(self) -> int:
        """How many sessions wait for a lock this one holds."""
        with psycopg.connect(self.conn.info.dsn, password=self.conn.info.password) as other:
            return other.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [self.conn.info.backend_pid],
            ).fetchone()[0]

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


# --- an export's ingest -----------------------------------------------------------------------

BLOCKER = "blocked_author"


def write_export(
    path: Path, rows: int, *, blocker_at: int, first_id: int = 10**17
) -> set[tuple[str, str]]:
    """A twarc (Twitter API v1.1) JSON-lines export of ``rows`` tweets, every hundredth a reply
    to an earlier one; the tweet at line ``blocker_at`` (0-based) is the first by BLOCKER.
    Returns the natural keys of its posts."""
    keys = set()
    with path.open("w") as out:
        for n in range(rows):
            tweet_id = str(first_id + n)
            handle = BLOCKER if n >= blocker_at and n % 7 == blocker_at % 7 else f"user{n % 300}"
            tweet = {
                "id_str": tweet_id,
                "created_at": "Mon Oct 16 08:00:00 +0000 2017",
                "full_text": f"#MeToo post number {n}",
                "user": {"screen_name": handle, "name": f"Name of {handle}"},
                "entities": {"hashtags": [{"text": "MeToo"}], "user_mentions": []},
                "lang": "en",
            }
            if n % 100 == 99:
                tweet["in_reply_to_status_id_str"] = str(first_id + n - 50)
            out.write(json.dumps(tweet) + "\n")
            keys.add(("twitter", tweet_id))
    return keys


def ingest_killed_mid_run(
    worker_home, tmp_path, monkeypatch, *, rows: int, batch_size: int, kill: str
):
    """An export read by a feed, with a rule publishing what it brings; the worker is killed
    when the batches before line ``rows * 3 // 5`` are stored, then started again."""
    exports = tmp_path / "exports"
    exports.mkdir()
    blocker_at = rows * 3 // 5 // batch_size * batch_size
    path = exports / "metoo.jsonl"
    expected = write_export(path, rows, blocker_at=blocker_at)
    worker = worker_home(
        INGEST_FEED_FILE_DIRS=str(exports),
        INGEST_CAPTURE_DIR=str(tmp_path / "raw-captures"),
        INGEST_BATCH_SIZE=str(batch_size),
    )
    monkeypatch.setattr(poll_feed, "delay", lambda *args: worker.send(poll_feed, *args))
    feed = Feed.objects.create(name="An export", url=str(path), format="twarc1")
    PublicationRule.objects.create(scope=RuleScope.FEED, target_id=feed.pk, description="Ours")
    # The author of the line where the worker will be: a curator is editing their account.
    # The worker waits for that row (its batch cannot commit) while the batches before are in.
    account = Account.objects.create(platform="twitter", handle=BLOCKER, display_name="Editing")
    lock = RowLock(Account._meta.db_table, account.pk)
    try:
        worker.start()
        ingest_services.feed_poll_soon(feed_ids=[feed.pk])  # a curator's "poll now"
        wait_until(
            lambda: Post.objects.filter(platform="twitter").count() >= blocker_at
            and lock.waiters(),
            timeout=120, interval=0.05,
            message=f"the worker did not reach line {blocker_at}\n{worker.log()}",
        )  # fmt: skip
        assert Post.objects.count() == blocker_at  # in the middle: its batches, and no more
        (first,) = IngestRun.objects.filter(feed=feed)
        assert first.status == RunStatus.RUNNING
        if kill == "worker":
            worker.kill()
        else:  # the OOM killer's choice: the pool process, its worker left running
            (pool,) = worker.pool_processes()
            os.kill(pool, signal.SIGKILL)
    finally:
        lock.release()
    if kill == "worker":
        worker.start()
    wait_until(
        lambda: IngestRun.objects.filter(feed=feed, status=RunStatus.SUCCEEDED).exists(),
        timeout=60 + rows / 1000, interval=0.2,
        message=f"the ingest did not finish after the restart\n{worker.log()}",
    )  # fmt: skip

    # The stored posts are the input by natural key: none lost, none twice.
    stored = list(Post.objects.values_list("platform", "platform_id"))
    assert len(stored) == len(set(stored)) == rows
    assert set(stored) == expected
    # Every reply found its parent.
    assert Post.objects.filter(in_reply_to__isnull=False).count() == rows // 100
    # The runs: the interrupted one closed and saying what it stored, the redelivered message
    # (the same task) reading the whole file again; their counts add up to what is stored.
    killed, finished = IngestRun.objects.filter(feed=feed).order_by("started_at", "id")
    assert killed.status == RunStatus.FAILED and "interrupted" in killed.error
    assert killed.task_id == finished.task_id != ""
    assert killed.created_count == blocker_at
    assert finished.counts == {
        "created": rows - blocker_at, "updated": 0, "unchanged": blocker_at, "failed": 0,
    }  # fmt: skip
    assert killed.created_count + finished.created_count == rows
    # The audit log: each post published once, by the rule, with one decision.
    assert Post.objects.filter(moderation_state=ModerationState.PUBLISHED).count() == rows
    decisions = ModerationDecision.objects.filter(entry_kind="post", to_state="published")
    assert decisions.count() == rows
    assert not decisions.values("entry_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert RuleApplication.objects.aggregate(total=Sum("published"))["total"] == rows
    feed.refresh_from_db()
    assert feed.lease_until is None and feed.last_success_at is not None
    return worker


def test_a_worker_killed_in_the_middle_of_an_export_finishes_it_after_a_restart(
    worker_home, tmp_path, monkeypatch
):
    ingest_killed_mid_run(
        worker_home, tmp_path, monkeypatch, rows=5_000, batch_size=500, kill="worker"
    )


def test_a_pool_process_killed_in_the_middle_of_an_export_has_its_work_redone(
    worker_home, tmp_path, monkeypatch
):
    worker = ingest_killed_mid_run(
        worker_home, tmp_path, monkeypatch, rows=2_000, batch_size=250, kill="pool process"
    )
    assert worker.alive() and worker.starts == 1


@pytest.mark.fault
def test_a_worker_killed_in_the_middle_of_a_100000_line_export_finishes_it_after_a_restart(
    worker_home, tmp_path, monkeypatch
):
    ingest_killed_mid_run(
        worker_home, tmp_path, monkeypatch, rows=100_000, batch_size=5_000, kill="worker"
    )


# --- a web capture ----------------------------------------------------------------------------

PAGE = (
    b'<html><head><title>Me too</title><link rel="stylesheet" href="/style.css"></head>'
    b"<body><p>It happened to me too.</p></body></html>"
)


def test_a_worker_killed_during_a_web_capture_makes_it_whole_after_a_restart(
    worker_home, tmp_path, monkeypatch
):
    from apps.captures import services as capture_services
    from apps.captures.models import CaptureStatus, FileKind, WebCapture
    from apps.captures.storage import file_sha256, validate_wacz
    from apps.captures.tasks import run_capture
    from tests.ingest.conftest import FixtureServer, Reply

    server = FixtureServer()
    asked, answer = threading.Event(), threading.Event()

    def stylesheet(headers):  # the site is slow: the worker waits here, mid-capture
        asked.set()
        answer.wait(30)
        return Reply(body=b"p { color: red }", headers={"Content-Type": "text/css"})

    server.routes["/story.html"] = Reply(body=PAGE, headers={"Content-Type": "text/html"})
    server.routes["/style.css"] = stylesheet
    captures_dir = tmp_path / "web-captures"
    worker = worker_home(
        WEB_CAPTURE_DIR=str(captures_dir),
        INGEST_ALLOWED_NETWORKS="127.0.0.1/32",
        CAPTURE_CHROMIUM="",
    )
    monkeypatch.setattr(run_capture, "delay", lambda *args: worker.send(run_capture, *args))
    try:
        worker.start()
        capture = capture_services.request_capture(url=server.url("/story.html"))
        wait_until(
            lambda: asked.is_set()
            and WebCapture.objects.filter(pk=capture.pk, status=CaptureStatus.RUNNING).exists(),
            timeout=60, interval=0.05, message=f"the capture did not start\n{worker.log()}",
        )  # fmt: skip
        worker.kill()
        # Killed mid-capture: still running as far as the database knows, and nothing stored.
        capture.refresh_from_db()
        assert capture.status == CaptureStatus.RUNNING and not capture.files.exists()
        answer.set()
        worker.start()
        wait_until(
            lambda: WebCapture.objects.filter(pk=capture.pk, status=CaptureStatus.DONE).exists(),
            timeout=90, interval=0.2, message=f"the capture was not finished\n{worker.log()}",
        )  # fmt: skip
    finally:
        answer.set()
        server.close()
    capture.refresh_from_db()
    assert capture.attempts == 2 and capture.error == ""
    assert WebCapture.objects.count() == 1  # the same capture finished, not a second one
    assert server.paths().count("/story.html") == 2
    files = {f.kind: f for f in capture.files.all()}
    assert set(files) == {FileKind.WARC, FileKind.WACZ}
    for stored in files.values():
        assert file_sha256(captures_dir / stored.path) == (stored.sha256, stored.size)
    assert validate_wacz(captures_dir / files[FileKind.WACZ].path)
    # Its folder holds the finished files and nothing half-written.
    folder = (captures_dir / files[FileKind.WACZ].path).parent
    assert sorted(p.name for p in folder.iterdir()) == ["capture.wacz", "capture.warc.gz"]


# --- a data package ---------------------------------------------------------------------------


class TableLock:
    """A table locked by another session's transaction (ACCESS EXCLUSIVE: a migration, a
    restore), until released: whoever reads it waits."""

    def __init__(self, table: str):
        self.conn = _another_session()
        self.conn.execute(
            psycopg.sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                psycopg.sql.Identifier(table)
            )
        )

    waiters = RowLock.waiters
    release = RowLock.release


def test_a_worker_killed_while_building_a_data_package_builds_it_after_a_restart(
    worker_home, tmp_path, monkeypatch, settings, client
):
    import datetime
    import re
    import zipfile

    from apps.datasets.models import DataPackage, PackageState
    from apps.datasets.tasks import build_package
    from apps.timeline.models import TimelineEvent
    from tests.factories import PostFactory, TimelineEventFactory

    datasets = tmp_path / "datasets"
    settings.DATASET_DIR = datasets
    settings.DATASET_INLINE_MAX_ROWS = 100
    worker = worker_home(DATASET_DIR=str(datasets), DATASET_INLINE_MAX_ROWS="100")
    monkeypatch.setattr(build_package, "delay", lambda *args: worker.send(build_package, *args))
    day = datetime.datetime(2017, 10, 16, 12, tzinfo=datetime.UTC)
    posts = [
        PostFactory(
            published=True, text=f"metoo {n}", posted_at=day + datetime.timedelta(minutes=n)
        )
        for n in range(600)
    ]
    # The newest match: the build reads it last, after the first 500 rows are written.
    event = TimelineEventFactory(published=True, title="metoo", date=datetime.date(2018, 1, 1))
    lock = TableLock(TimelineEvent._meta.db_table)  # a migration in progress, say
    try:
        worker.start()
        response = client.get("/datasets/new", {"q": "metoo"})
        assert response.status_code == 302
        package = DataPackage.objects.get(pk=re.search(r"[0-9a-f-]{36}", response["Location"])[0])
        wait_until(
            lambda: DataPackage.objects.filter(pk=package.pk, state=PackageState.BUILDING).exists()
            and lock.waiters(),
            timeout=60, interval=0.05, message=f"the build did not start\n{worker.log()}",
        )  # fmt: skip
        worker.kill()
    finally:
        lock.release()
    # Killed mid-build: the package is not offered, and no zip stands where it would be served.
    assert client.get(package.download_url).status_code == 503
    assert not (datasets / f"{package.pk}.zip").exists()
    assert any(p.name.startswith(f".{package.pk}-") for p in datasets.iterdir())  # its work

    worker.start()
    wait_until(
        lambda: DataPackage.objects.get(pk=package.pk).is_finished,
        timeout=90, interval=0.2, message=f"the package was not built\n{worker.log()}",
    )  # fmt: skip
    package.refresh_from_db()
    assert package.state == PackageState.READY, package.error
    assert package.row_count == len(posts) + 1
    response = client.get(package.download_url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == package.sha256
    with zipfile.ZipFile(datasets / package.file_name) as archive:
        assert archive.testzip() is None
        lines = archive.read("entries.jsonl").decode().splitlines()
    ids = [(row["kind"], row["id"]) for row in map(json.loads, lines)]
    assert len(ids) == len(set(ids))
    assert set(ids) == {("post", p.pk) for p in posts} | {("event", event.pk)}
    # The dead build's leftovers are not the package's files; only its zip is in the folder.
    assert [p.name for p in datasets.iterdir() if not p.name.startswith(".")] == [package.file_name]
