"""Captures as Celery tasks: queued once per address, retried with back-off while a failure may
pass and failed after the last attempt, source articles queued in bounded batches, and one
capture end to end through a real worker."""

import os
import signal
import subprocess
import sys
import time

import pytest

from apps.archive.models import SourceArticle
from apps.captures import services
from apps.captures.models import CaptureStatus, FileKind, WebCapture
from apps.captures.tasks import capture_new_articles, run_capture
from apps.core.moderation import ModerationState
from tests.captures.conftest import Reply
from tests.ingest.test_worker import ROOT, database_url

pytestmark = pytest.mark.django_db

PAGE = b"<html><head><title>A story</title></head><body><p>It happened.</p></body></html>"


def article(url, state=ModerationState.PUBLISHED):
    return SourceArticle.objects.create(
        canonical_url=url, title=f"Story at {url}", moderation_state=state
    )


def test_a_requested_capture_is_queued_once_the_transaction_commits(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(run_capture, "delay", sent.append)  # the broker: the world's edge
    with django_capture_on_commit_callbacks(execute=True):
        capture = services.request_capture(url="https://www.example.org/story")
        assert sent == []
    assert sent == [capture.pk]
    assert capture.status == CaptureStatus.QUEUED
    assert capture.url_key == "org,example)/story"


def test_an_address_already_queued_or_running_is_not_queued_again(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.request_capture(url="https://www.example.org/story")
        again = services.request_capture(url="https://example.org/story#comments")
    assert again == first and len(callbacks) == 1

    WebCapture.objects.filter(pk=first.pk).update(status=CaptureStatus.RUNNING)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.request_capture(url="https://www.example.org/story") == first
    assert callbacks == []

    WebCapture.objects.filter(pk=first.pk).update(status=CaptureStatus.DONE)
    with django_capture_on_commit_callbacks() as callbacks:
        later = services.request_capture(url="https://www.example.org/story")
    assert later != first and len(callbacks) == 1


def test_a_capture_the_broker_cannot_take_is_failed_so_it_can_be_asked_again(
    django_capture_on_commit_callbacks, monkeypatch
):
    def unreachable(capture_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(run_capture, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        capture = services.request_capture(url="https://www.example.org/story")
    capture.refresh_from_db()
    assert capture.status == CaptureStatus.FAILED and "broker down" in capture.error


def test_bad_addresses_are_refused_with_a_clear_error_and_nothing_stored():
    for bad in ["ftp://example.org/file", "example.org/story", "", "https://"]:
        with pytest.raises(services.CaptureRequestError, match="not an http"):
            services.request_capture(url=bad)
    assert not WebCapture.objects.exists()


def test_the_task_captures_a_queued_address(http_server):
    http_server.routes["/story.html"] = Reply(body=PAGE)
    capture = WebCapture.objects.create(url=http_server.url("/story.html"), url_key="key-story")
    run_capture.apply((capture.pk,))
    capture.refresh_from_db()
    assert capture.status == CaptureStatus.DONE and capture.title == "A story"
    run_capture.apply((capture.pk,))  # delivered twice: the second finds it done
    assert http_server.paths() == ["/story.html"]


def test_a_failure_that_may_pass_is_retried_a_bounded_number_of_times(http_server):
    http_server.routes["/story.html"] = Reply(503, b"busy", headers={"Retry-After": "0"})
    capture = WebCapture.objects.create(url=http_server.url("/story.html"), url_key="key")
    run_capture.apply((capture.pk,))  # eagerly, retries run at once
    capture.refresh_from_db()
    assert capture.status == CaptureStatus.FAILED
    assert "HTTP 503" in capture.error
    assert capture.attempts == run_capture.max_retries + 1
    assert run_capture.autoretry_for == (services.TransientFetchError,)
    assert run_capture.retry_backoff == 60 and run_capture.retry_jitter


def test_a_page_that_cannot_be_captured_fails_at_once(http_server, settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    capture = WebCapture.objects.create(url=http_server.url("/story.html"), url_key="key")
    run_capture.apply((capture.pk,))
    capture.refresh_from_db()
    assert capture.status == CaptureStatus.FAILED and capture.attempts == 1
    assert "not a public address" in capture.error


def test_articles_without_a_capture_are_queued_in_bounded_batches(
    django_capture_on_commit_callbacks, settings
):
    settings.CAPTURE_BATCH_SIZE = 2
    first = article("https://example.org/1")
    second = article("https://example.org/2", state=ModerationState.PENDING)
    third = article("https://example.org/3")
    captured = article("https://example.org/captured")
    WebCapture.objects.create(
        url=captured.canonical_url, url_key="org,example)/captured", article=captured,
        status=CaptureStatus.DONE,
    )  # fmt: skip
    article("https://example.org/withdrawn", state=ModerationState.WITHDRAWN)
    article("https://example.org/rejected", state=ModerationState.REJECTED)

    with django_capture_on_commit_callbacks() as callbacks:
        assert capture_new_articles() == 2
    assert len(callbacks) == 2
    assert {c.article for c in WebCapture.objects.filter(status="queued")} == {third, second}
    with django_capture_on_commit_callbacks() as callbacks:
        assert capture_new_articles() == 1
    (queued,) = WebCapture.objects.filter(article=first)
    assert queued.url == first.canonical_url and queued.status == CaptureStatus.QUEUED
    assert capture_new_articles() == 0


def test_the_beat_schedule_queues_new_articles_and_captures_run_on_the_fetch_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["capture-new-articles"]
    assert entry["task"] == capture_new_articles.name == "captures.capture_new_articles"
    assert settings.CELERY_TASK_ROUTES["captures.run_capture"] == {"queue": "fetch"}


# --- through a real worker ----------------------------------------------------------------


@pytest.fixture
def capture_worker(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CELERY_BROKER_URL", "XDG_RUNTIME_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url(),
        VAR_DIR=str(tmp_path / "var"),
        WEB_CAPTURE_DIR=str(tmp_path / "web-captures"),
        INGEST_ALLOWED_NETWORKS="127.0.0.1/32",
        CAPTURE_CHROMIUM="",
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
        print(log.read()[-5000:])
        log.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_captures_a_queued_address(http_server, capture_worker, tmp_path, settings):
    from metoo_archive.celery import app

    http_server.routes["/story.html"] = Reply(body=PAGE)
    capture = WebCapture.objects.create(url=http_server.url("/story.html"), url_key="key")
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
        run_capture.apply_async((capture.pk,), connection=conn)

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        capture.refresh_from_db()
        if capture.status in (CaptureStatus.DONE, CaptureStatus.FAILED):
            break
        assert capture_worker.poll() is None, "the worker exited"
        time.sleep(0.3)
    assert capture.status == CaptureStatus.DONE, capture.error
    wacz = capture.file(FileKind.WACZ)
    assert (tmp_path / "web-captures" / wacz.path).exists()
    assert http_server.paths() == ["/story.html"]
