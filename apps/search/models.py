"""The search index: one row per published entry, and per-period counts for the volume chart.

Rows are written only by :mod:`apps.search.indexing` (in SQL, from the entries themselves), so
the index holds nothing that is not published: a withdrawn entry's row is deleted in the
transaction that withdrew it.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.expressions import RawSQL

from apps.core.moderation import EntryKind

# The kinds of entry the index holds (outlets are found through their articles).
INDEXED_KINDS = (EntryKind.POST, EntryKind.ARTICLE, EntryKind.EVENT, EntryKind.ACCOUNT)
INDEXED_KIND_CHOICES = [(kind.value, kind.label) for kind in INDEXED_KINDS]


class SearchEntryQuerySet(models.QuerySet):
    def matching(self, tsquery: str | None):
        """Rows whose document matches a compiled tsquery (text form, see ``query.compile``)."""
        if not tsquery:
            return self
        return self.filter(
            RawSQL("document @@ %s::tsquery", [tsquery], output_field=models.BooleanField())
        )


class SearchEntry(models.Model):
    kind = models.CharField(max_length=8, choices=INDEXED_KIND_CHOICES)
    entry_id = models.BigIntegerField()
    date = models.DateTimeField(help_text="When it was posted, published or happened.")
    platform = models.CharField(max_length=16, blank=True)
    account_id = models.BigIntegerField(null=True, blank=True)
    outlet_id = models.BigIntegerField(null=True, blank=True)
    hashtags = ArrayField(models.CharField(max_length=140), default=list, blank=True)
    language = models.CharField(max_length=16, blank=True)
    document = SearchVectorField(
        help_text="Weighted English stems plus exact (simple) words, accents folded, and "
        "'#tag', '@handle' and 'from:handle' lexemes; built by the search_document() SQL function."
    )

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "entry_id"], name="search_entry_unique"),
        ]
        indexes = [
            # One GIN index over the text and the filters (btree_gin): "harassment" on
            # Mastodon in French intersects three posting lists instead of fetching every
            # post that says "harassment" to look at its platform and language.
            GinIndex(
                fields=[
                    "document",
                    "kind",
                    "platform",
                    "language",
                    "account_id",
                    "outlet_id",
                ],
                name="search_entry_gin",
            ),  # fmt: skip
            models.Index(fields=["date", "id"], name="search_entry_date"),
            models.Index(fields=["kind", "date", "id"], name="search_entry_kind_date"),
            models.Index(fields=["account_id", "date"], name="search_entry_account"),
            models.Index(fields=["outlet_id", "date"], name="search_entry_outlet"),
            # Newest first on one platform in one language walks only that subset's dates.
            models.Index(
                fields=["platform", "language", "date", "id"], name="search_entry_platform_lang"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.entry_id}"


class Granularity(models.TextChoices):
    MONTH = "month", "Month"
    DAY = "day", "Day"
    HOUR = "hour", "Hour"


class VolumeCount(models.Model):
    """How many published entries of a kind, platform and language fall in one UTC month, day
    or hour.

    Kept in step by ``sync_entries`` (deltas, in the same transaction) and rebuilt by
    ``rebuild_search_index``, so the chart reads a few thousand rows instead of grouping every
    post by ``date_trunc``. Months are kept as well as days: the whole timeline by year, or a
    year by month, sums a few hundred month rows instead of tens of thousands of day rows.
    """

    granularity = models.CharField(max_length=5, choices=Granularity.choices)
    bucket = models.DateTimeField()
    kind = models.CharField(max_length=8, choices=INDEXED_KIND_CHOICES)
    platform = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=16, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "bucket", "kind", "platform", "language"],
                name="volume_count_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bucket:%Y-%m-%d %H:00} {self.kind} {self.platform}: {self.n}"
