"""Each write service brings the search index in step once: one statement per kind of entry it
changed, however many entries, and a fixed number of queries in all. The index has no other way
in (no model signals), so a service that forgot to sync, or one synced twice, shows here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.content import content_version, story_version
from apps.curation.services import (
    account_visibility_set,
    entries_transition,
    entry_update,
    evidence_link,
    takedown_grant,
    takedown_submit,
)
from apps.search.models import SearchEntry
from tests.factories import (
    AccountFactory,
    OutletFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)
from tests.index_writes import index_writes

pytestmark = pytest.mark.django_db


def matches(kind: str, entry_id: int, tsquery: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM search_searchentry WHERE kind = %s AND entry_id = %s "
            "AND document @@ %s::tsquery)",
            [kind, entry_id, tsquery],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def account_with_posts():
    account = AccountFactory(published=True, handle="quiet_person", handle_visible=False)
    posts = PostFactory.create_batch(3, published=True, account=account)
    return account, posts


def test_showing_an_accounts_handle_reindexes_it_and_its_posts_once(
    account_with_posts, django_assert_num_queries
):
    account, posts = account_with_posts
    with CaptureQueriesContext(connection) as queries:
        account_visibility_set(account_id=account.pk, actor=None, handle_visible=True)
    assert index_writes(queries) == {"account": 1, "post": 1}
    assert all(matches("post", post.pk, "'from:quiet_person'") for post in posts)
    with django_assert_num_queries(13):
        account_visibility_set(account_id=account.pk, actor=None, handle_visible=False)
    assert not any(matches("post", post.pk, "'from:quiet_person'") for post in posts)


def test_a_curators_edit_of_a_post_reindexes_that_post_once(django_assert_num_queries):
    post = PostFactory(published=True, text="before the edit")
    with CaptureQueriesContext(connection) as queries:
        post.text = "zanzibar after the edit"
        entry_update(kind="post", entry=post, actor=None, fields=["text"])
    assert index_writes(queries) == {"post": 1}
    assert matches("post", post.pk, "'zanzibar'")
    with django_assert_num_queries(10):
        post.language = "en-GB"
        entry_update(kind="post", entry=post, actor=None, fields=["language"])


def test_an_edit_of_an_account_reaches_its_posts_only_when_their_documents_hold_it(
    account_with_posts,
):
    account, _ = account_with_posts
    account.description = "A new biography"
    with CaptureQueriesContext(connection) as queries:
        entry_update(kind="account", entry=account, actor=None, fields=["description"])
    assert index_writes(queries) == {"account": 1}
    account.display_name = "A new name"
    with CaptureQueriesContext(connection) as queries:
        entry_update(kind="account", entry=account, actor=None, fields=["display_name"])
    assert index_writes(queries) == {"account": 1, "post": 1}


def test_an_edit_of_an_outlet_reaches_its_articles_only_when_their_documents_hold_it():
    outlet = OutletFactory(name="Old Gazette", slug="old-gazette")
    article = SourceArticleFactory(published=True, outlet=outlet)
    outlet.homepage = "https://gazette.example.org/"
    before = content_version()
    with CaptureQueriesContext(connection) as queries:
        entry_update(kind="outlet", entry=outlet, actor=None, fields=["homepage"])
    assert index_writes(queries) == {}
    assert content_version() != before  # its page still changed
    outlet.name = "Shiny Gazette"
    with CaptureQueriesContext(connection) as queries:
        entry_update(kind="outlet", entry=outlet, actor=None, fields=["name"])
    assert index_writes(queries) == {"article": 1}
    assert matches("article", article.pk, "'shiny' & 'gazette'")


def test_publishing_many_posts_indexes_them_in_one_statement(django_assert_num_queries):
    posts = PostFactory.create_batch(5)
    ids = [post.pk for post in posts]
    with CaptureQueriesContext(connection) as queries:
        assert entries_transition(kind="post", ids=ids, to_state="published") == 5
    assert index_writes(queries) == {"post": 1}
    assert SearchEntry.objects.filter(kind="post", entry_id__in=ids).count() == 5
    with django_assert_num_queries(11):
        entries_transition(kind="post", ids=ids, to_state="rejected", reason="Off topic")


def test_withdrawing_an_account_by_takedown_removes_it_and_its_posts_once(account_with_posts):
    account, posts = account_with_posts
    request = takedown_submit(
        entry_url="/accounts/twitter/quiet_person/", entry_kind="account", entry_id=account.pk,
        requester_name="Q", relation="self", reason="Mine", contact="q@example.org",
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        takedown_grant(request_id=request.pk, actor=None)
    removals = [q["sql"] for q in queries if 'DELETE FROM "search_searchentry"' in q["sql"]]
    # The account's row, then its posts' rows: the account's withdrawal does not re-index the
    # posts only for their own withdrawal to remove them again.
    assert len(removals) == 2
    assert index_writes(queries) == {"account": 1, "post": 1}
    assert not SearchEntry.objects.filter(entry_id__in=[p.pk for p in posts]).exists()


def test_linking_evidence_moves_the_story_and_reindexes_nothing(django_assert_num_queries):
    event = TimelineEventFactory(published=True)
    post = PostFactory(published=True)
    story = story_version()
    with CaptureQueriesContext(connection) as queries:
        evidence_link(event_id=event.pk, kind="post", entry_id=post.pk, actor=None)
    assert index_writes(queries) == {}
    assert story_version() != story
    with django_assert_num_queries(8):
        evidence_link(event_id=event.pk, kind="post", entry_id=post.pk, actor=None, linked=False)
