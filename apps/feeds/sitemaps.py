"""The sitemap (django.contrib.sitemaps): an index, and a section per kind of public page.

With a million posts no request may load them all. Django's own paginator counts every row and
pages by OFFSET, so its last pages read the whole table; here a section's page ``n`` is the
published entries in the ``n``-th range of ``limit`` ids, counted from the range holding the
lowest published id: one range scan of the primary key, ordered by id. Ranges are aligned to
multiples of ``limit``, so a page holds the same entries from one day to the next (new entries
land on the last pages); only withdrawing every entry of the first range renumbers them. Gaps
in the ids (pending, rejected or withdrawn entries, ids burnt by upserts) leave pages lighter,
never heavier, and ids below the first published one make no empty pages. The index asks each
section for its lowest and highest published ids (one query) and lists its pages; each page is
one query, loading only the columns its addresses and dates are made from.

Only ``published()`` entries appear, and accounts only where they have a public page (a
private person's address is their handle).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import sitemaps
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.functional import cached_property

from apps.archive.models import Account, Post, SourceArticle
from apps.timeline.models import TimelineEvent

# Addresses per sitemap page: the protocol allows 50,000; a smaller page is rendered in a
# fraction of a second when the cache is cold.
PAGE_SIZE = 10_000


class IdRangePaginator:
    """What Django's sitemap views ask of a paginator (``num_pages``, ``page(n).object_list``),
    over ranges of ids instead of counts and offsets (see the module's docstring)."""

    def __init__(self, queryset, per_page: int):
        self.queryset = queryset
        self.per_page = per_page

    @cached_property
    def _ranges(self) -> tuple[int, int]:
        """The first range of ids holding a published entry, and how many ranges follow up to
        the last one (at least one, so that an empty section is a page, not a 404)."""
        bounds = self.queryset.order_by().aggregate(lowest=Min("pk"), highest=Max("pk"))
        if bounds["lowest"] is None:
            return 0, 1
        first = (bounds["lowest"] - 1) // self.per_page
        last = (bounds["highest"] - 1) // self.per_page
        return first, last - first + 1

    @property
    def num_pages(self) -> int:
        return self._ranges[1]

    def page(self, number) -> SimpleNamespace:
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer.") from error
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results.")
        low = (self._ranges[0] + number - 1) * self.per_page
        return SimpleNamespace(
            object_list=self.queryset.filter(pk__gt=low, pk__lte=low + self.per_page).order_by("pk")
        )


def _path_pattern(name: str) -> str:
    """A detail page's path with ``{}`` for the id: reversed once, not once per address."""
    return reverse(name, args=[987654321]).replace("987654321", "{}")


class _EntrySitemap(sitemaps.Sitemap):
    columns: tuple[str, ...] = ()
    url_name = ""  # a detail page named by the entry's id

    @property
    def limit(self) -> int:
        return PAGE_SIZE

    def entries(self):
        raise NotImplementedError

    def items(self):
        return self.entries().only("id", "updated_at", "moderated_at", *self.columns)

    @property
    def paginator(self) -> IdRangePaginator:
        return IdRangePaginator(self.items(), self.limit)

    def lastmod(self, entry):
        # A state change is written by update(), which leaves updated_at alone.
        return max(filter(None, (entry.updated_at, entry.moderated_at)))

    @cached_property
    def _path(self) -> str:
        # Reversed once a request (the views make a sitemap per request), not once per address.
        return _path_pattern(self.url_name)

    def location(self, entry) -> str:
        return self._path.format(entry.pk)

    def get_latest_lastmod(self):
        # Django would read every entry of the section to find it; the index goes without.
        return None


class PostSitemap(_EntrySitemap):
    url_name = "archive:post"

    def entries(self):
        return Post.objects.published()


class ArticleSitemap(_EntrySitemap):
    url_name = "archive:article"

    def entries(self):
        return SourceArticle.objects.published()


class EventSitemap(_EntrySitemap):
    columns = ("slug",)

    def entries(self):
        return TimelineEvent.objects.published()

    def location(self, event) -> str:
        return event.get_absolute_url()


class AccountSitemap(_EntrySitemap):
    columns = ("platform", "handle")

    def entries(self):
        # A handle the account page's address cannot carry would break the whole page.
        return (
            Account.objects.published()
            .with_public_page()
            .exclude(handle="")
            .exclude(handle__contains="/")
        )

    def location(self, account) -> str:
        return account.get_absolute_url()


class StaticSitemap(sitemaps.Sitemap):
    def items(self) -> list[str]:
        return ["timeline:home", "timeline:timeline", "search:search"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": StaticSitemap,
    "events": EventSitemap,
    "articles": ArticleSitemap,
    "posts": PostSitemap,
    "accounts": AccountSitemap,
}
