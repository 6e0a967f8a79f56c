"""The Celery tasks called in-process (the real worker runs in test_worker.py): fan-out after
commit, retries with backoff on transient errors, follow-up article extraction."""

import io

import pytest

from apps.core.models import HostState
from apps.ingest import services
from apps.ingest.management.commands.ingest import ProgressBar
from apps.ingest.models import Feed, IngestRun, RunStatus
from apps.ingest.tasks import poll_due_feeds, poll_feed
from tests.ingest.conftest import FIXTURES, Reply

pytestmark = pytest.mark.django_db


def test_the_beat_task_queues_one_poll_per_due_feed_after_commit(
    django_capture_on_commit_callbacks,
):
    Feed.objects.create(name="One", url="https://one.example.org/")
    Feed.objects.create(name="Two", url="https://two.example.org/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert poll_due_feeds() == 2
    assert len(callbacks) == 1  # one callback enqueues both, and only if the claim commits
    assert poll_due_feeds() == 0


def test_a_transient_failure_is_retried_and_the_host_is_not_asked_again_meanwhile(http_server):
    http_server.routes["/feed.xml"] = Reply(503, b"busy")  # no Retry-After: wait the default
    feed = Feed.objects.create(name="Busy", url=http_server.url("/feed.xml"))
    result = poll_feed.apply(args=(feed.pk,))  # eager: Celery runs the retries at once
    assert result.state == "FAILURE"
    runs = IngestRun.objects.filter(feed=feed)
    assert runs.count() == 1 + poll_feed.max_retries
    assert all(run.status == RunStatus.FAILED for run in runs)
    assert http_server.paths() == ["/feed.xml"]  # the retries respected the host's wait
    assert HostState.objects.get(host="127.0.0.1").blocked_until is not None
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1 + poll_feed.max_retries
    assert feed.health == "failing"
    assert feed.lease_until is None


def test_new_articles_from_a_feed_get_their_text_extracted_after_commit(
    django_capture_on_commit_callbacks,
):
    feed = Feed.objects.create(name="News", url=str(FIXTURES / "news_rss.xml"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.feed_poll(feed_id=feed.pk)
    # One article came with its full text in the feed; the other needs its page fetched.
    assert len(callbacks) == 1


def test_the_progress_bar_shows_the_fraction_and_rate():
    out = io.StringIO()
    bar = ProgressBar(out, "tweets.jsonl", total=1000)
    bar(500, 2000)
    bar(1000, 4000)
    bar.done()
    text = out.getvalue()
    assert "tweets.jsonl" in text and "100%" in text and "4,000 items" in text
    assert text.endswith("\n")
