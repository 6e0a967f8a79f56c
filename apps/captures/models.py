"""Web captures: a page and its requisites as WARC records packaged in a WACZ, with fixity.

A capture belongs to the entry it documents (a source article, or a post whose link a curator
chose) and is public exactly when that entry is (``WebCaptureQuerySet.public``). Every capture of
an address shares that address's ``url_key`` (its SURT form, as CDX indexes and Memento use), which
is how TimeGates, TimeMaps and the lookup by address find them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.archive.models import Post, SourceArticle
from apps.core.moderation import ModerationState


class CaptureStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Capturing"
    DONE = "done", "Captured"
    FAILED = "failed", "Failed"


class CaptureOrigin(models.TextChoices):
    CRAWLED = "crawled", "Captured by this archive"
    IMPORTED = "imported", "Imported from a WARC or WACZ file"


class WebCaptureQuerySet(models.QuerySet):
    def done(self):
        return self.filter(status=CaptureStatus.DONE)

    def public(self):
        """Finished captures whose entry is published: the only captures any public surface
        (pages, TimeMaps, TimeGates, downloads, replay) may show.

        A post's captures are public only when its account is named (a public figure, or a
        person who let their handle be shown): a capture of a private person's post, or of a
        link they shared, would show the address that names them. Curators still see them."""
        published = ModerationState.PUBLISHED
        named_account = Q(post__account__is_public_figure=True) | Q(
            post__account__handle_visible=True
        )
        return self.done().filter(
            Q(article__moderation_state=published)
            | (Q(post__moderation_state=published) & named_account)
        )

    def withdrawn(self):
        """Captures whose entry was withdrawn: they answer 410 Gone."""
        withdrawn = ModerationState.WITHDRAWN
        return self.filter(
            Q(article__moderation_state=withdrawn) | Q(post__moderation_state=withdrawn)
        )

    def of_url_key(self, url_key: str):
        return self.filter(url_key=url_key)


class WebCapture(models.Model):
    url = models.URLField(max_length=2000, help_text="The address asked for.")
    url_key = models.CharField(max_length=2000, help_text="The address in SURT form, for lookups.")
    final_url = models.URLField(max_length=2000, blank=True, help_text="After redirects.")
    article = models.ForeignKey(
        SourceArticle, null=True, blank=True, on_delete=models.CASCADE, related_name="captures"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="captures"
    )
    origin = models.CharField(
        max_length=10, choices=CaptureOrigin.choices, default=CaptureOrigin.CRAWLED
    )
    status = models.CharField(
        max_length=8, choices=CaptureStatus.choices, default=CaptureStatus.QUEUED, db_index=True
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    captured_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When the page's response arrived."
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True, help_text="The page's main text, extracted once.")
    text_sha256 = models.CharField(max_length=64, blank=True)
    payload_digest = models.CharField(
        max_length=100, blank=True, help_text="The page response's WARC-Payload-Digest."
    )
    resource_count = models.PositiveIntegerField(default=0, help_text="Requisites included.")
    resources_skipped = models.PositiveIntegerField(
        default=0,
        help_text="Requisites found but not included (over the bounds, refused or failed).",
    )
    total_bytes = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = WebCaptureQuerySet.as_manager()

    class Meta:
        ordering = ["url_key", "captured_at"]
        indexes = [models.Index(fields=["url_key", "captured_at"], name="webcapture_url_time")]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(article__isnull=False) & Q(post__isnull=False)),
                name="webcapture_one_entry",
            )
        ]

    def __str__(self) -> str:
        return f"capture {self.pk} of {self.url}"

    @property
    def entry(self):
        return self.article or self.post

    def file(self, kind: str) -> CaptureFile | None:
        return next((f for f in self.files.all() if f.kind == kind), None)


class FileKind(models.TextChoices):
    WACZ = "wacz", "WACZ package"
    WARC = "warc", "WARC file"
    SCREENSHOT = "screenshot", "Screenshot (PNG)"


class CaptureFile(models.Model):
    """A stored file of a capture with its fixity: the SHA-256 of its bytes when written."""

    capture = models.ForeignKey(WebCapture, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=12, choices=FileKind.choices)
    path = models.CharField(max_length=500, help_text="Relative to WEB_CAPTURE_DIR.")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["capture", "kind"], name="capturefile_one_per_kind"),
            models.UniqueConstraint(fields=["path"], name="capturefile_path_unique"),
        ]

    def __str__(self) -> str:
        return self.path


class Liveness(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked yet"
    LIVE = "live", "Live"
    MOVED = "moved", "Moved"
    GONE = "gone", "Gone"
    CHANGED = "changed", "Changed since captured"
    UNREACHABLE = "unreachable", "Unreachable"


class WatchedURL(models.Model):
    """An original address the archive re-checks on a schedule that backs off while nothing
    changes."""

    url = models.URLField(max_length=2000)
    url_key = models.CharField(max_length=2000, unique=True)
    state = models.CharField(max_length=12, choices=Liveness.choices, default=Liveness.UNCHECKED)
    moved_to = models.URLField(max_length=2000, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    state_since = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    interval_hours = models.PositiveIntegerField(default=24)
    failures = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return self.url
