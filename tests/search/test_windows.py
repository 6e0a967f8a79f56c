"""Date-ordered searches of words thin among the nearest entries look at windows of days
through the text index (apps.search.searching._windowed_sql): whatever path a page takes, it
holds exactly the matches a plain sort would give, page after page."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from apps.search.filters import SearchFilterSet
from apps.search.indexing import content_version
from apps.search.models import SearchEntry
from apps.search.searching import date_windows, search_run
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2017, 1, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def small_windows(settings):
    """The thresholds of a million-post index, scaled down to a few dozen posts."""
    settings.SEARCH_COUNT_CAP = 3
    settings.SEARCH_PAGE_SIZE = 2
    settings.SEARCH_FACET_SAMPLE = 3
    settings.SEARCH_RANK_WINDOW = 3
    settings.SEARCH_NEAREST_WALK = 6
    settings.SEARCH_DATE_WINDOWS = [6, 12, 24]
    cache.clear()


@pytest.fixture
def spread_posts():
    """Forty posts a fortnight apart, one or two a month; the word "needle" in the older
    ones often and in the newer ones rarely, "common" in every other one, "ancient" in the
    five oldest."""
    posts = []
    for number in range(40):
        words = ["filler"]
        if number % 2 == 0:
            words.append("common")
        if (number < 20 and number % 3 == 0) or number in (31, 38):
            words.append("needle")
        if number < 5:  # beyond every window of a newest-first search: the walk finds it
            words.append("ancient")
        posts.append(
            PostFactory(
                published=True,
                text=" ".join(words),
                posted_at=START + datetime.timedelta(days=14 * number),
            )
        )
    return posts


def expected(word: str, *, newest: bool) -> list[int]:
    """The posts that say ``word``, sorted by date (and id) in SQL, as one list."""
    with connection.cursor() as cursor:
        direction = "DESC" if newest else "ASC"
        cursor.execute(
            "SELECT entry_id FROM search_searchentry "  # noqa: S608 -- our own direction
            "WHERE document @@ plainto_tsquery('metoo_simple', %s) "
            f"ORDER BY date {direction}, id {direction}",
            [word],
        )
        return [row[0] for row in cursor.fetchall()]


def every_page(word: str, order: str) -> tuple[list[int], list[str]]:
    """The entry ids of every page of a search, following its cursors, and the SQL run."""
    ids, cursor, statements = [], "", []
    for _ in range(50):
        filterset = SearchFilterSet(QueryDict(f"q={word}&order={order}"))
        with CaptureQueriesContext(connection) as queries:
            page = search_run(filterset, cursor=cursor)
        statements += [query["sql"] for query in queries]
        ids += [result.entry.pk for result in page.results]
        if not page.next_cursor:
            return ids, statements
        cursor = page.next_cursor
    raise AssertionError("more pages than expected")


@pytest.mark.parametrize("order", ["newest", "oldest"])
@pytest.mark.parametrize("word", ["needle", "common", "filler", "ancient"])
def test_every_page_holds_what_a_plain_sort_gives(small_windows, spread_posts, word, order):
    ids, _ = every_page(word, order)
    assert ids == expected(word, newest=order == "newest")


def test_a_word_thin_among_the_nearest_entries_is_found_through_the_windows(
    small_windows, spread_posts
):
    first = SearchFilterSet(QueryDict("q=needle&order=newest"))
    with CaptureQueriesContext(connection) as queries:
        page = search_run(first)
    sql = [query["sql"] for query in queries]
    assert [result.entry.pk for result in page.results] == expected("needle", newest=True)[:2]
    assert any("LIMIT 6) AS m" in statement for statement in sql)  # the nearest entries first
    assert any("m0 AS MATERIALIZED" in statement for statement in sql)  # then the windows

    # The same search again goes straight to the windows.
    with CaptureQueriesContext(connection) as queries:
        search_run(SearchFilterSet(QueryDict("q=needle&order=newest")))
    sql = [query["sql"] for query in queries]
    assert not any("LIMIT 6) AS m" in statement for statement in sql)
    assert any("m0 AS MATERIALIZED" in statement for statement in sql)


def test_a_word_beyond_every_window_is_found_by_walking_the_date_index(small_windows, spread_posts):
    with CaptureQueriesContext(connection) as queries:
        page = search_run(SearchFilterSet(QueryDict("q=ancient&order=newest")))
    assert [result.entry.pk for result in page.results] == expected("ancient", newest=True)[:2]
    windowed = [query["sql"] for query in queries if "m0 AS MATERIALIZED" in query["sql"]]
    assert windowed and "walk AS MATERIALIZED" in windowed[0]


def test_a_common_word_is_found_among_the_nearest_entries_alone(small_windows, spread_posts):
    with CaptureQueriesContext(connection) as queries:
        page = search_run(SearchFilterSet(QueryDict("q=common&order=newest")))
    sql = [query["sql"] for query in queries]
    assert [result.entry.pk for result in page.results] == expected("common", newest=True)[:2]
    assert any("LIMIT 6) AS m" in statement for statement in sql)
    assert not any("m0 AS MATERIALIZED" in statement for statement in sql)

    # The same search again walks the date index, known to stop among the nearest entries.
    with CaptureQueriesContext(connection) as queries:
        again = search_run(SearchFilterSet(QueryDict("q=common&order=newest")))
    sql = [query["sql"] for query in queries]
    assert [result.entry.pk for result in again.results] == expected("common", newest=True)[:2]
    assert not any("LIMIT 6) AS m" in statement or "m0 AS" in statement for statement in sql)


def test_windows_reach_back_by_about_the_sizes_asked_for(small_windows, spread_posts):
    newest = date_windows(descending=True, start=None, version=content_version())
    oldest = date_windows(descending=False, start=None, version=content_version())
    assert newest == sorted(newest, reverse=True) and len(newest) == 3
    assert oldest == sorted(oldest) and len(oldest) == 3

    def entries_within(bound: int, *, descending: bool) -> int:
        day = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(bound)
        return SearchEntry.objects.filter(
            **({"date__gte": day} if descending else {"date__lt": day})
        ).count()

    # Each window holds at least its size, and at most a month more (two posts a month).
    for bound, size in zip(newest, [6, 12, 24], strict=True):
        assert size <= entries_within(bound, descending=True) <= size + 3
    for bound, size in zip(oldest, [6, 12, 24], strict=True):
        assert size <= entries_within(bound, descending=False) <= size + 3


def test_a_withdrawn_post_leaves_a_windowed_page(small_windows, spread_posts):
    from apps.curation.services import entries_transition

    every_page("needle", "newest")  # remembers that this search needs the windows
    newest_needle = max(
        (post for post in spread_posts if "needle" in post.text), key=lambda p: p.posted_at
    )
    entries_transition(kind="post", ids=[newest_needle.pk], to_state="withdrawn")
    ids, _ = every_page("needle", "newest")
    assert newest_needle.pk not in ids
    assert ids == expected("needle", newest=True)
