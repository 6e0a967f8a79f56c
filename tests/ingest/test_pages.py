"""The public sources page and the curators' admin for ingestion."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from apps.captures.models import WebCapture
from apps.ingest import services
from apps.ingest.models import Feed, IngestRun
from tests.factories import PostFactory
from tests.ingest.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_the_sources_page_shows_freshness_and_backing_off_in_two_queries(
    client, django_assert_num_queries
):
    now = timezone.now()
    Feed.objects.create(
        name="Healthy outlet",
        url="https://news.example.org/rss?token=secret",
        last_success_at=now - datetime.timedelta(hours=2),
        item_count=1234,
    )
    Feed.objects.create(
        name="Failing outlet",
        url="https://down.example.org/feed",
        consecutive_failures=3,
        last_error="https://down.example.org/feed answered HTTP 500",
        next_poll_at=now + datetime.timedelta(hours=4),
    )
    Feed.objects.create(name="Research export", url="/srv/exports/metoo-ids.txt")
    Feed.objects.create(name="Paused feed", url="https://paused.example.org/", active=False)
    with django_assert_num_queries(2):  # the feeds, and the capture queue's numbers
        response = client.get(reverse("ingest:sources"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Healthy outlet" in html and "2\xa0hours ago" in html and "1,234" in html
    assert "Backing off" in html and "3 failed reads in a row" in html
    assert "token=secret" not in html  # query strings may hold credentials
    assert "/srv/exports" not in html and "data export metoo-ids.txt" in html
    assert "Paused feed" not in html
    assert "HTTP 500" not in html  # error details are for curators


def _capture(status: str, *, url: str, requested_ago: datetime.timedelta, **fields):
    capture = WebCapture.objects.create(url=url, url_key=url, status=status, **fields)
    WebCapture.objects.filter(pk=capture.pk).update(requested_at=timezone.now() - requested_ago)
    return capture


def test_the_sources_page_shows_the_capture_queue_in_numbers_only(client):
    url = "https://x.com/jane_private/status/1"
    private = PostFactory(text="my story", url=url)
    hour = datetime.timedelta(hours=1)
    _capture("queued", url=url, requested_ago=3 * hour, post=private)
    _capture("queued", url="https://news.example.org/b", requested_ago=hour)
    _capture("running", url="https://news.example.org/c", requested_ago=hour)
    _capture("failed", url="https://news.example.org/d", requested_ago=hour, error="HTTP 500 at /d")
    _capture("failed", url="https://news.example.org/e", requested_ago=30 * hour)
    html = client.get(reverse("ingest:sources")).content.decode()
    assert '<dd id="captures-queued">2 (the oldest asked for' in html and "3\xa0hours ago" in html
    assert '<dd id="captures-running">1</dd>' in html
    assert '<dd id="captures-failed">1</dd>' in html  # the day before is not counted
    for private_detail in ("jane_private", "x.com", "news.example.org", "HTTP 500"):
        assert private_detail not in html


def test_the_sources_page_says_so_when_there_are_none(client):
    response = client.get("/sources/")
    assert "No sources are being read" in response.content.decode()


def test_the_navigation_links_to_sources(client):
    response = client.get("/sources/")
    assert '<a href="/sources/" aria-current="page">Sources</a>' in response.content.decode()


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser(
        "curator", "c@example.org", "a-long-password-1"
    )
    client.force_login(user)
    return client


def test_curators_see_feeds_runs_failures_and_captures_in_the_admin(curator_client):
    feed = Feed.objects.create(name="Admin feed", url=str(FIXTURES / "twarc1.jsonl"))
    run = services.feed_poll(feed_id=feed.pk)
    capture = run.captures.get()
    for url in (
        reverse("admin:ingest_feed_changelist"),
        reverse("admin:ingest_feed_change", args=[feed.pk]),
        reverse("admin:ingest_ingestrun_changelist"),
        reverse("admin:ingest_ingestrun_change", args=[run.pk]),
        reverse("admin:ingest_ingestfailure_changelist"),
        reverse("admin:ingest_rawcapture_changelist"),
        reverse("admin:ingest_rawcapture_change", args=[capture.pk]),
    ):
        response = curator_client.get(url)
        assert response.status_code == 200, url
    detail = curator_client.get(
        reverse("admin:ingest_ingestrun_change", args=[run.pk])
    ).content.decode()
    assert "line 5" in detail and "invalid JSON" in detail
    assert capture.sha256 in detail


def test_poll_now_queues_the_feed_after_commit(curator_client, django_capture_on_commit_callbacks):
    later = timezone.now() + datetime.timedelta(days=1)
    feed = Feed.objects.create(name="Later", url="https://later.example.org/", next_poll_at=later)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = curator_client.post(
            reverse("admin:ingest_feed_changelist"),
            {"action": "poll_now", "_selected_action": [feed.pk]},
            follow=True,
        )
    assert "1 feed(s) queued for polling." in response.content.decode()
    assert len(callbacks) == 1
    feed.refresh_from_db()
    assert feed.next_poll_at == later  # the schedule is unchanged
    assert not IngestRun.objects.exists()


def test_a_feed_naming_a_file_outside_the_export_folders_is_refused_in_the_admin(curator_client):
    response = curator_client.post(
        reverse("admin:ingest_feed_add"),
        {"name": "Passwords", "url": "/etc/passwd", "format": "auto", "active": "on",
         "poll_interval": "01:00:00"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "must be a http(s) URL or a file under" in response.content.decode()
    assert not Feed.objects.exists()
