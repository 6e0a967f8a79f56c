"""Feeds the archive polls, the runs that read them, and the raw bytes each run fetched."""

from __future__ import annotations

import datetime
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone


def is_url(source: str) -> bool:
    """A source read over HTTP(S), rather than a file."""
    return urllib.parse.urlsplit(source).scheme in {"http", "https"}


def file_feed_allowed(path: str) -> bool:
    """A feed may name a file only inside the folders set aside for exports, so whoever can
    add feeds cannot make the workers read (and publish) any file on the server."""
    path = path[7:] if path.startswith("file://") else path
    resolved = Path(path).resolve()
    return any(
        resolved.is_relative_to(Path(folder).resolve()) for folder in settings.INGEST_FEED_FILE_DIRS
    )


class Format(models.TextChoices):
    AUTO = "auto", "Detect automatically"
    RSS = "rss", "RSS or Atom (any XML feed)"
    JSONFEED = "jsonfeed", "JSON Feed 1.0/1.1"
    MASTODON = "mastodon", "Mastodon statuses (API JSON)"
    MASTODON_RSS = "mastodon-rss", "Mastodon tag or account RSS"
    BLUESKY = "bluesky", "Bluesky post views (searchPosts/getPosts JSON)"
    TWARC1 = "twarc1", "Twitter v1.1 tweets, one JSON object per line (twarc)"
    TWARC2 = "twarc2", "Twitter v2 response pages, one per line (twarc2)"
    TWEET_IDS = "tweet-ids", "Tweet ids, one per line (not hydrated)"


# What a run read: a feed's format, or a web archive file another tool made (read by
# apps.captures.importing as pages of articles with their captures; never a feed's format).
RUN_FORMATS = [*Format.choices, ("warc", "WARC file"), ("wacz", "WACZ package")]


class FeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def due(self, now: datetime.datetime | None = None):
        now = now or timezone.now()
        return self.active().filter(
            models.Q(next_poll_at__isnull=True) | models.Q(next_poll_at__lte=now)
        )

    def for_sources_page(self):
        return self.active().only(
            "id", "name", "url", "format", "poll_interval", "last_success_at", "last_polled_at",
            "consecutive_failures", "next_poll_at", "last_error", "item_count",
        )  # fmt: skip


class Feed(models.Model):
    """A source the archive polls on a schedule: a URL (or a file path readable by the workers)."""

    name = models.CharField(max_length=200)
    url = models.CharField(
        max_length=2000, help_text="An http(s) URL, or a file path the workers can read."
    )
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.AUTO)
    active = models.BooleanField(default=True)
    poll_interval = models.DurationField(default=datetime.timedelta(hours=1))
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    item_count = models.PositiveIntegerField(
        default=0, help_text="Items read from this feed over all runs (created or updated)."
    )
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while a worker polls the feed, so two deliveries never poll it at once.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["url"], name="feed_url_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ingest:sources") + f"#feed-{self.pk}"

    def clean(self) -> None:
        if self.url and not is_url(self.url) and not file_feed_allowed(self.url):
            folders = ", ".join(str(f) for f in settings.INGEST_FEED_FILE_DIRS)
            raise ValidationError(
                {"url": f"The source must be a http(s) URL or a file under {folders}."}
            )

    @property
    def public_location(self) -> str:
        """Where the feed lives, safe to show: a URL without its query (tokens live there), a
        file only by name (server paths are nobody's business)."""
        import posixpath
        import urllib.parse

        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme in {"http", "https"}:
            return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
        return f"data export {posixpath.basename(self.url)}"

    @property
    def is_backing_off(self) -> bool:
        return self.consecutive_failures > 0

    @property
    def health(self) -> str:
        if not self.active:
            return "paused"
        if self.consecutive_failures >= 3:
            return "failing"
        if self.consecutive_failures:
            return "backing off"
        if self.last_success_at is None:
            return "not yet polled"
        return "ok"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    UNCHANGED = "unchanged", "Unchanged (not modified)"
    FAILED = "failed", "Failed"


class IngestRunQuerySet(models.QuerySet):
    def finished(self):
        return self.exclude(status=RunStatus.RUNNING)


class IngestRun(models.Model):
    """One reading of one source: a feed poll, or a file or URL given on the command line."""

    feed = models.ForeignKey(
        Feed, on_delete=models.CASCADE, null=True, blank=True, related_name="runs"
    )
    source = models.CharField(max_length=2000, help_text="The URL or file that was read.")
    format = models.CharField(max_length=16, choices=RUN_FORMATS, blank=True)
    task_id = models.CharField(
        max_length=255, blank=True, help_text="The Celery task that ran it (empty from the CLI)."
    )
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the whole run failed, if it did.")

    objects = IngestRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["feed", "-started_at"], name="ingestrun_feed_started"),
            models.Index(fields=["task_id"], name="ingestrun_task"),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.source} ({self.status})"

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
            "failed": self.failed_count,
        }


class IngestFailure(models.Model):
    """One item a run could not take in: where it was in the source, and why."""

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="failures")
    position = models.CharField(max_length=100, help_text='e.g. "line 12" or "item 3".')
    reason = models.TextField()
    excerpt = models.TextField(blank=True, help_text="The start of the item, for diagnosis.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}"


class RawCapture(models.Model):
    """The bytes a run read, exactly as fetched, gzip-compressed in a file named by their hash.

    Captures are never overwritten: when an item changes, the new capture is kept beside the
    earlier one and both stay linked to the entries they produced.
    """

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="captures")
    source = models.CharField(max_length=2000)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField(help_text="Bytes before compression.")
    compressed_size = models.BigIntegerField(default=0)
    content_path = models.CharField(
        max_length=500, help_text="Path of the gzip file, relative to INGEST_CAPTURE_DIR."
    )
    content_type = models.CharField(max_length=200, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    posts = models.ManyToManyField(
        "archive.Post", through="CapturedPost", related_name="raw_captures", blank=True
    )
    articles = models.ManyToManyField(
        "archive.SourceArticle", through="CapturedArticle", related_name="raw_captures", blank=True
    )

    class Meta:
        ordering = ["-fetched_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.fetched_at:%Y-%m-%d %H:%M} ({self.sha256[:12]})"


class CapturedPost(models.Model):
    """Which capture an entry was read from. Written in bulk, one row per entry and capture;
    no database-level foreign keys (Django still cascades deletes), because checking them row
    by row cost a fifth of the ingestion rate."""

    # Looked up by post ("where did this come from?"); by capture only in the admin, so the
    # unique (post, capture) index is the only one kept up to date on every insert.
    capture = models.ForeignKey(
        RawCapture, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    post = models.ForeignKey(
        "archive.Post", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "capture"], name="capturedpost_unique"),
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} in capture {self.capture_id}"


class CapturedArticle(models.Model):
    capture = models.ForeignKey(
        RawCapture, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    article = models.ForeignKey(
        "archive.SourceArticle", on_delete=models.CASCADE, db_index=False, db_constraint=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "capture"], name="capturedarticle_unique"),
        ]

    def __str__(self) -> str:
        return f"article {self.article_id} in capture {self.capture_id}"
