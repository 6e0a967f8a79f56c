"""Data packages: a search's matching entries, written once as a Frictionless Data Package (a zip)
and kept for ``DATASET_KEEP_DAYS`` at a stable link."""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse


class Variant(models.TextChoices):
    # The default: no text and no names, and a private person's platform ids and addresses
    # withheld (see README: "Data packages").
    IDENTIFIERS = "identifiers", "Identifiers only"
    FULL = "full", "Full (as the pages show it)"


class PackageState(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"
    # An entry it may hold left public view (or was changed by a curator) after it was made.
    SUPERSEDED = "superseded", "Superseded"


class DataPackageQuerySet(models.QuerySet):
    def same_search(self, *, search_key: str, content_version: str):
        """Packages of the same search and variant made from the same public content, newest
        first: what a repeated request is sent to instead of making another."""
        return self.filter(
            search_key=search_key,
            content_version=content_version,
            state__in=[PackageState.QUEUED, PackageState.BUILDING, PackageState.READY],
        ).order_by("-created_at")


class DataPackage(models.Model):
    """One built (or being built) package.

    The id is a random UUID, not a counter: the package's search is public, but the list of
    what people searched for is not (a journalist's search for a name tells of an
    investigation), and numbered links would let anyone walk through it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The search's own parameters, only those the search form knows, as sent (so the
    # package's notes say what was ignored), in key order; ``search_key`` hashes them with
    # the variant.
    params = models.JSONField(default=dict, blank=True)
    variant = models.CharField(max_length=12, choices=Variant.choices, default=Variant.IDENTIFIERS)
    search_key = models.CharField(max_length=64, editable=False)
    description = models.TextField(blank=True, help_text="The search in words, with its notes.")
    content_version = models.CharField(
        max_length=64, help_text="The public content version it was made from."
    )
    state = models.CharField(
        max_length=12, choices=PackageState.choices, default=PackageState.QUEUED
    )
    error = models.TextField(blank=True)
    rows_expected = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When it began reading the archive."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the builder last saved progress."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(
        max_length=200, blank=True, help_text="The zip's name under DATASET_DIR."
    )
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)

    objects = DataPackageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["search_key", "content_version"], name="package_search"),
            models.Index(fields=["state", "expires_at"], name="package_state_expiry"),
        ]

    def __str__(self) -> str:
        return f"Data package {self.id} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("datasets:package", args=[self.id])

    @property
    def name(self) -> str:
        """The package's name (datapackage.json's ``name``, the zip's file name without
        ``.zip``): lower case letters, digits and hyphens, as the Data Package spec asks."""
        return f"metoo-archive-search-{self.id.hex[:12]}"

    @property
    def download_url(self) -> str:
        return reverse("datasets:download", args=[self.id, self.name])

    @property
    def percent(self) -> int:
        if self.state == PackageState.READY:
            return 100
        if not self.rows_expected:
            return 0
        return min(100, int(100 * self.rows_done / self.rows_expected))

    @property
    def is_finished(self) -> bool:
        return self.state not in (PackageState.QUEUED, PackageState.BUILDING)
