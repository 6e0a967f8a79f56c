import datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from psycopg import sql

from apps.archive.models import Post
from apps.curation.services import (
    account_visibility_set,
    entries_delete,
    entries_transition,
    entry_update,
)
from apps.search.indexing import index_rebuild, sync_entries
from apps.search.models import SearchEntry, VolumeCount
from tests.factories import (
    AccountFactory,
    OutletFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db


def matches(tsquery_sql: str, *params) -> set[tuple[str, int]]:
    with connection.cursor() as cursor:
        statement = sql.SQL(
            "SELECT kind, entry_id FROM search_searchentry WHERE document @@ ({})"
        ).format(sql.SQL(tsquery_sql))  # a tsquery expression written by the test itself
        cursor.execute(statement.as_string(connection.connection), params)
        return set(cursor.fetchall())


def volume() -> dict:
    return {
        (row.granularity, row.bucket, row.kind, row.platform, row.language): row.n
        for row in VolumeCount.objects.filter(n__gt=0)
    }


def test_a_published_post_is_indexed_when_saved_and_a_pending_one_is_not():
    published = PostFactory(published=True, text="Harvey Weinstein")
    pending = PostFactory(text="Harvey Weinstein")
    indexed = set(SearchEntry.objects.values_list("kind", "entry_id"))
    assert ("post", published.pk) in indexed
    assert ("post", pending.pk) not in indexed


def test_withdrawing_through_the_transition_service_removes_the_row_in_the_same_transaction():
    post = PostFactory(published=True)
    with transaction.atomic():
        entries_transition(kind="post", ids=[post.pk], to_state="withdrawn", reason="takedown")
        assert not SearchEntry.objects.filter(kind="post", entry_id=post.pk).exists()
    assert volume() == {}


def test_a_plain_save_leaves_the_index_alone_and_syncing_it_removes_the_withdrawn_row():
    post = PostFactory(published=True)
    post.moderation_state = "withdrawn"
    post.save()
    # No signals: only the write services (through sync_entries) touch the index.
    assert SearchEntry.objects.filter(kind="post", entry_id=post.pk).exists()
    sync_entries("post", [post.pk])
    assert not SearchEntry.objects.filter(kind="post", entry_id=post.pk).exists()


def test_a_deleted_entry_leaves_the_index():
    article = SourceArticleFactory(published=True)
    entries_delete(kind="article", ids=[article.pk], actor=None)
    assert not SearchEntry.objects.filter(kind="article").exists()


def test_sync_entries_is_safe_for_ids_that_no_longer_exist_and_unknown_kinds():
    sync_entries("post", [123456789])
    sync_entries("outlet", [1])
    sync_entries("post", [])
    assert SearchEntry.objects.count() == 0


def test_stemming_accents_phrases_and_stop_words_are_all_searchable():
    post = PostFactory(
        published=True, text="Me too. Harassed at the café in Montréal", hashtags=["MeToo"]
    )
    key = ("post", post.pk)
    assert key in matches("plainto_tsquery('metoo_en', 'harassment')")
    assert key in matches("plainto_tsquery('metoo_en', 'cafe montreal')")
    assert key in matches("phraseto_tsquery('metoo_simple', 'me too')")
    assert key in matches("%s::tsquery", "'#metoo'")


def test_titles_and_handles_weigh_more_than_body_text():
    account = AccountFactory(published=True, handle="weinstein_watch", is_public_figure=True)
    in_handle = PostFactory(published=True, account=account, text="an unrelated sentence")
    in_body = PostFactory(published=True, text="weinstein_watch mentioned once in the body")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id FROM search_searchentry WHERE kind = 'post' "
            "ORDER BY ts_rank(document, plainto_tsquery('metoo_en', 'weinstein_watch')) DESC"
        )
        order = [row[0] for row in cursor.fetchall()]
    assert order.index(in_handle.pk) < order.index(in_body.pk)


def test_a_private_persons_handle_is_not_searchable_but_a_public_figures_is():
    private = AccountFactory(published=True, handle="jane_private")
    public = AccountFactory(published=True, handle="famous_actor", is_public_figure=True)
    PostFactory(published=True, account=private, text="a private post")
    public_post = PostFactory(published=True, account=public, text="a public post")
    assert matches("%s::tsquery", "'from:jane_private'") == set()
    assert matches("plainto_tsquery('metoo_en', 'jane_private')") == set()
    assert ("post", public_post.pk) in matches("%s::tsquery", "'from:famous_actor'")
    assert ("account", public.pk) in matches("%s::tsquery", "'@famous_actor'")
    assert not SearchEntry.objects.filter(kind="account", entry_id=private.pk).exists()


def test_letting_an_account_show_its_handle_reindexes_its_posts():
    account = AccountFactory(published=True, handle="now_visible")
    post = PostFactory(published=True, account=account)
    assert matches("%s::tsquery", "'from:now_visible'") == set()
    account_visibility_set(account_id=account.pk, actor=None, handle_visible=True)
    assert ("post", post.pk) in matches("%s::tsquery", "'from:now_visible'")


def test_renaming_an_outlet_reindexes_its_articles():
    outlet = OutletFactory(name="Old Name", slug="old-name", domain="old.example.org")
    article = SourceArticleFactory(published=True, outlet=outlet)
    outlet.name, outlet.slug = "Shiny Gazette", "shiny-gazette"
    entry_update(kind="outlet", entry=outlet, actor=None, fields=["name", "slug"])
    assert ("article", article.pk) in matches("%s::tsquery", "'outlet:shiny-gazette'")
    assert ("article", article.pk) in matches("plainto_tsquery('metoo_en', 'shiny gazette')")


def test_volume_counts_kept_incrementally_equal_a_rebuild():
    day = datetime.datetime(2017, 10, 15, 22, 10, tzinfo=datetime.UTC)
    posts = [
        PostFactory(published=True, posted_at=day + datetime.timedelta(hours=i)) for i in range(5)
    ]
    PostFactory(published=True, platform="mastodon", language="fr", posted_at=day)
    TimelineEventFactory(published=True)
    entries_transition(kind="post", ids=[posts[0].pk], to_state="withdrawn")
    Post.objects.filter(pk=posts[1].pk).update(posted_at=day - datetime.timedelta(days=3))
    sync_entries("post", [posts[1].pk])
    incremental = volume()

    index_rebuild()

    assert volume() == incremental
    assert incremental[("day", datetime.datetime(2017, 10, 16, tzinfo=datetime.UTC), "post",
                        "twitter", "en")] == 3  # fmt: skip


def test_the_rebuild_command_indexes_every_published_entry_and_nothing_else(capsys):
    PostFactory(published=True)
    PostFactory(withdrawn=True)
    SourceArticleFactory(published=True)
    TimelineEventFactory(published=True)
    TimelineEventFactory()
    AccountFactory(published=True, is_public_figure=True)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_searchentry, search_volumecount")

    call_command("rebuild_search_index")

    assert sorted(SearchEntry.objects.values_list("kind", flat=True)) == [
        "account",
        "article",
        "event",
        "post",
    ]
    assert "Indexed 1 posts" in capsys.readouterr().out


def test_a_rebuild_writes_the_index_in_date_order_whatever_order_entries_were_made_in():
    """Newest-first searches walk the date index: rows in date order sit on neighbouring
    pages (the rebuild's job, since entries are indexed in whatever order they are made)."""
    start = datetime.datetime(2017, 10, 1, tzinfo=datetime.UTC)
    for days in (9, 2, 7, 0, 5):
        PostFactory(published=True, posted_at=start + datetime.timedelta(days=days))
    TimelineEventFactory(published=True, date=datetime.date(2017, 10, 4))
    SourceArticleFactory(published=True, published_at=start + datetime.timedelta(days=8))

    counts = index_rebuild()

    assert counts == {"post": 5, "article": 1, "event": 1, "account": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT date, id FROM search_searchentry ORDER BY ctid")
        physical = cursor.fetchall()
    assert len(physical) == 7
    assert physical == sorted(physical)  # dates ascending, and ids with them


def test_a_bulk_rebuild_builds_the_text_index_again_as_the_model_declares_it():
    PostFactory(published=True, text="Harvey Weinstein")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_gin'")
        before = cursor.fetchone()

    assert index_rebuild(bulk=True)["post"] == 1

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_gin'")
        assert cursor.fetchone() == before
    assert matches("plainto_tsquery('metoo_en', 'weinstein')")
