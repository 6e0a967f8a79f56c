"""Whatever plan a date-ordered search takes (apps.search.searching: few matches through the
text index, a narrow filter's own date index, or a walk of the date index), its pages, cursor
after cursor, hold exactly the matches a plain sort would give."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from psycopg import sql

from apps.search.filters import SearchFilterSet
from apps.search.searching import search_run
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2017, 1, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def small_thresholds(settings):
    """The thresholds of a million-post index, scaled down to a few dozen posts: up to six
    matches are "few"."""
    settings.SEARCH_COUNT_CAP = 6
    settings.SEARCH_PAGE_SIZE = 2
    settings.SEARCH_FACET_SAMPLE = 6
    settings.SEARCH_RANK_WINDOW = 6
    cache.clear()


@pytest.fixture
def spread_posts():
    """Forty posts a fortnight apart, one or two a month, every other one by the same account;
    the word "needle" in the older ones often and in the newer ones rarely, "common" in every
    other one, "ancient" in the five oldest (few matches)."""
    account = AccountFactory(published=True)
    posts = []
    for number in range(40):
        words = ["filler"]
        if number % 2 == 0:
            words.append("common")
        if (number < 20 and number % 3 == 0) or number in (31, 38):
            words.append("needle")
        if number < 5:
            words.append("ancient")
        extra = {"account": account} if number % 2 else {}
        posts.append(
            PostFactory(
                published=True,
                text=" ".join(words),
                posted_at=START + datetime.timedelta(days=14 * number),
                **extra,
            )
        )
    return posts


def expected(word: str, *, newest: bool, account_id: int | None = None) -> list[int]:
    """The posts that say ``word`` (by the account, if given), sorted by date (and id) in
    SQL, as one list."""
    statement = sql.SQL(
        "SELECT entry_id FROM search_searchentry "
        "WHERE document @@ plainto_tsquery('metoo_simple', %s) "
        "AND (%s::bigint IS NULL OR account_id = %s) "
        "ORDER BY date {direction}, id {direction}"
    ).format(direction=sql.SQL("DESC" if newest else "ASC"))
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection), [word, account_id, account_id])
        return [row[0] for row in cursor.fetchall()]


def every_page(query: str) -> tuple[list[int], list[str]]:
    """The entry ids of every page of a search, following its cursors, and the SQL run."""
    ids, cursor, statements = [], "", []
    for _ in range(50):
        filterset = SearchFilterSet(QueryDict(query))
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
def test_every_page_holds_what_a_plain_sort_gives(small_thresholds, spread_posts, word, order):
    ids, _ = every_page(f"q={word}&order={order}")
    assert ids == expected(word, newest=order == "newest")


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_every_page_within_one_account_holds_what_a_plain_sort_gives(
    small_thresholds, spread_posts, order
):
    account_id = spread_posts[1].account_id
    ids, _ = every_page(f"q=filler&account={account_id}&order={order}")
    assert ids == expected("filler", newest=order == "newest", account_id=account_id)


def test_few_matches_are_fetched_through_the_text_index_and_many_by_a_walk(
    small_thresholds, spread_posts
):
    _, few = every_page("q=ancient&order=newest")
    assert any('WITH m AS MATERIALIZED (SELECT "id"' in statement for statement in few)
    _, many = every_page("q=common&order=newest")
    assert not any("WITH m AS MATERIALIZED" in statement for statement in many)


def test_a_withdrawn_post_leaves_every_page(small_thresholds, spread_posts):
    from apps.curation.services import entries_transition

    every_page("q=needle&order=newest")  # counts and facets kept for this search
    newest_needle = max(
        (post for post in spread_posts if "needle" in post.text), key=lambda p: p.posted_at
    )
    entries_transition(kind="post", ids=[newest_needle.pk], to_state="withdrawn")
    ids, _ = every_page("q=needle&order=newest")
    assert newest_needle.pk not in ids
    assert ids == expected("needle", newest=True)
