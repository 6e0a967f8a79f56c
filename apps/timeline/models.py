"""Timeline events, their chapters, sources and (where sources disagree) competing dated claims."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import cached_property

from apps.archive.models import Post, SourceArticle
from apps.core.moderation import Moderated, ModeratedQuerySet


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    # A span of days ("that weekend", "around 16–17 October"): ``date`` to ``date_end``.
    RANGE = "range", "Range of days"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


# A dated claim names one date; only an event can span days.
CLAIM_PRECISIONS = [choice for choice in DatePrecision.choices if choice[0] != DatePrecision.RANGE]


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


def format_precise_date(
    value: datetime.date, precision: str, end: datetime.date | None = None
) -> str:
    """Show a date only as precisely as it is known: "2006", "October 2017", "15 October 2017",
    "14–15 October 2017"."""
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    if precision == DatePrecision.RANGE and end is not None:
        if (value.year, value.month) == (end.year, end.month):
            return f"{value.day}–{end.day} {end.strftime('%B %Y')}"
        start = f"{value.day} {value.strftime('%B')}"
        if value.year != end.year:
            start += f" {value.year}"
        return f"{start} – {end.day} {end.strftime('%B %Y')}"
    return f"{value.day} {value.strftime('%B %Y')}"


class Chapter(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    period = models.CharField(max_length=100, help_text='Shown beside the title, e.g. "2006–2016".')
    introduction = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.title


class TimelineEventQuerySet(ModeratedQuerySet):
    def in_order(self):
        return self.order_by("date", "position", "id")

    def with_evidence(self):
        """Everything an event shows, in a fixed number of queries whatever the data, as plain
        lists (``source_list``, ``claim_list``, ``public_posts``, ``public_articles``): a page
        of the whole story reads them some two thousand times, and each ``.all()`` of a
        prefetched relation builds a new queryset."""
        return self.select_related("chapter").prefetch_related(
            Prefetch("sources", to_attr="source_list"),
            Prefetch("claims", to_attr="claim_list"),
            Prefetch(
                "posts",
                queryset=Post.objects.published().for_listing().order_by("posted_at", "id"),
                to_attr="public_posts",
            ),
            Prefetch(
                "articles",
                queryset=SourceArticle.objects.published()
                .for_listing()
                .order_by("published_at", "id"),
                to_attr="public_articles",
            ),
        )


class TimelineEvent(Moderated):
    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField(help_text="In the archive's own words.")
    date = models.DateField(db_index=True)
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    date_end = models.DateField(
        null=True, blank=True, help_text="The last day, for a range of days; empty otherwise."
    )
    time_note = models.CharField(
        max_length=200, blank=True, help_text='e.g. "afternoon (PT), unconfirmed".'
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Orders events that share a date."
    )
    chapter = models.ForeignKey(
        Chapter, on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    confidence = models.CharField(max_length=6, choices=Confidence.choices, default=Confidence.HIGH)
    confidence_note = models.TextField(blank=True)
    is_highlight = models.BooleanField(
        default=False, help_text="Shown on the home page as a way into the story."
    )
    posts = models.ManyToManyField(Post, blank=True, related_name="events")
    articles = models.ManyToManyField(SourceArticle, blank=True, related_name="events")

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        ordering = ["date", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    # date_end is named non-null too: a CHECK that comes out NULL passes.
                    models.Q(
                        date_precision=DatePrecision.RANGE,
                        date_end__isnull=False,
                        date_end__gt=models.F("date"),
                    )
                    | (
                        ~models.Q(date_precision=DatePrecision.RANGE)
                        & models.Q(date_end__isnull=True)
                    )
                ),
                name="event_range_has_a_later_end",
                violation_error_message=(
                    "A range of days needs a last day after its first; other dates have none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_date}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("timeline:event", args=[self.slug])

    @property
    def display_date(self) -> str:
        return format_precise_date(self.date, self.date_precision, self.date_end)

    @property
    def machine_date(self) -> str:
        """For ``<time datetime>``: "2006", "2017-10" or "2017-10-15" (a range: its first day)."""
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date:%Y}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%Y-%m}"
        return self.date.isoformat()

    @cached_property
    def is_contested(self) -> bool:
        """Disputed when its claims name more than one date (the prefetched claims, if any)."""
        claims = getattr(self, "claim_list", None)
        if claims is None:
            claims = self.claims.all()
        return len({(c.date, c.date_precision) for c in claims}) > 1


class EventSource(models.Model):
    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=300)
    url = models.URLField(max_length=1000)
    article = models.ForeignKey(
        SourceArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cited_by_sources",
        help_text="The archived copy, when the source is one of the archive's own articles.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "url"], name="event_source_unique_url"),
        ]

    def __str__(self) -> str:
        return self.name


class DatedClaim(models.Model):
    """One source's answer to "when did this happen?" where the sources disagree."""

    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="claims")
    date = models.DateField()
    date_precision = models.CharField(
        max_length=5, choices=CLAIM_PRECISIONS, default=DatePrecision.YEAR
    )
    source_name = models.CharField(max_length=300)
    source_url = models.URLField(max_length=1000, blank=True)
    note = models.CharField(max_length=500, blank=True)
    is_preferred = models.BooleanField(
        default=False, help_text="The date the archive files the event under."
    )

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "date", "source_name"], name="dated_claim_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_date} according to {self.source_name}"

    @property
    def display_date(self) -> str:
        return format_precise_date(self.date, self.date_precision)
