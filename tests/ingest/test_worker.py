"""End to end through a real Celery worker (with its embedded beat) on the project's broker:
a feed is added, the scheduler finds it due, the worker polls it over HTTP, the entries wait
as pending; a curator's rule then publishes them on the next poll."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from apps.archive.models import Post
from apps.curation.models import PublicationRule, RuleScope
from apps.ingest.models import Feed, IngestRun, RunStatus
from tests.ingest.conftest import Reply, fixture_bytes

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    settings = connection.settings_dict
    host = urllib.parse.quote(str(settings["HOST"] or "127.0.0.1"), safe="")
    user = urllib.parse.quote(settings["USER"] or "postgres", safe="")
    password = (
        f":{urllib.parse.quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
    )
    return f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def worker(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CELERY_BROKER_URL", "XDG_RUNTIME_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url(),
        VAR_DIR=str(tmp_path / "var"),  # its own broker folder and captures
        INGEST_ALLOWED_NETWORKS="127.0.0.1/32",
        INGEST_BEAT_SECONDS="1",
        CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
    )
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "metoo_archive",
            "worker",
            "--beat",
            "--schedule",
            str(tmp_path / "beat-schedule"),
            "--queues",
            "celery,fetch",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log_path = tmp_path / "worker.log"
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.seek(0)
        output = log.read()
        log.close()
        print(output[-5000:])


def wait_for_runs(feed, count, process, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list(IngestRun.objects.filter(feed=feed).exclude(status=RunStatus.RUNNING))
        if len(runs) >= count:
            return runs
        assert process.poll() is None, "the worker exited"
        time.sleep(0.3)
    raise AssertionError(f"the worker did not finish {count} run(s) of {feed} in {timeout} s")


def test_the_worker_polls_a_new_feed_and_a_rule_publishes_what_it_brings(http_server, worker):
    statuses = fixture_bytes("mastodon_tag.json")
    http_server.routes["/api/v1/timelines/tag/metoo"] = Reply(
        body=statuses, headers={"Content-Type": "application/json"}
    )
    feed = Feed.objects.create(
        name="Mastodon #metoo", url=http_server.url("/api/v1/timelines/tag/metoo")
    )

    (first,) = wait_for_runs(feed, 1, worker)
    assert first.status == RunStatus.SUCCEEDED, first.error
    assert first.counts["created"] == 2
    assert first.task_id  # it ran as a task
    assert Post.objects.filter(platform="mastodon").pending().count() == 2
    assert not Post.objects.published().exists()

    PublicationRule.objects.create(scope=RuleScope.FEED, target_id=feed.pk, description="Trusted")
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now())
    runs = wait_for_runs(feed, 2, worker)
    assert all(run.status == RunStatus.SUCCEEDED for run in runs)
    assert Post.objects.filter(platform="mastodon").published().count() == 2
    assert not Post.objects.pending().exists()
    feed.refresh_from_db()
    assert feed.health == "ok" and feed.last_success_at is not None


def test_a_poll_message_delivered_twice_makes_one_run_and_no_duplicates(
    http_server, worker, tmp_path
):
    from apps.ingest.tasks import poll_feed
    from metoo_archive.celery import app

    http_server.routes["/statuses.json"] = Reply(body=fixture_bytes("mastodon_tag.json"))
    feed = Feed.objects.create(
        name="Twice",
        url=http_server.url("/statuses.json"),
        next_poll_at=timezone.now() + timezone.timedelta(days=1),  # beat leaves it alone
    )
    broker = tmp_path / "var" / "broker"
    for sub in ("out", "processed", "control"):
        (broker / sub).mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(broker / "out"),
        "data_folder_out": str(broker / "out"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    with app.connection_for_write(url="filesystem://", transport_options=options) as conn:
        for _ in range(2):  # the same message, as a broker redelivers it
            poll_feed.apply_async((feed.pk,), task_id="delivered-twice", connection=conn)
    wait_for_runs(feed, 1, worker)

    deadline = time.monotonic() + 30
    done = "ingest.poll_feed[delivered-twice] succeeded"
    while worker.log_path.read_text().count(done) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert worker.log_path.read_text().count(done) == 2  # both copies ran to the end
    assert IngestRun.objects.filter(task_id="delivered-twice").count() == 1
    assert Post.objects.filter(platform="mastodon").count() == 2
    assert http_server.paths() == ["/statuses.json"]
