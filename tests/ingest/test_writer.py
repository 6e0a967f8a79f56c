"""The batched writer's two ways of storing posts: new natural keys are COPYed straight into
the posts table, known ones upserted; the first falls back to the second whenever another
writer got there first, and both store the same rows."""

import threading
import time

import orjson
import psycopg
import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st
from psycopg import sql

from apps.archive.models import Account, Post, SourceArticle
from apps.ingest import services, writer
from apps.ingest.adapters import PostRecord
from apps.ingest.models import CapturedPost, IngestRun, RawCapture, RunStatus
from tests.ingest.conftest import FIXTURES

POST_FIELDS = (
    "platform", "platform_id", "account__platform", "account__handle", "account__display_name",
    "account__profile_url", "text", "media_text", "posted_at", "url", "language", "hashtags",
    "mentions", "in_reply_to__platform_id", "in_reply_to_platform_id", "quote_of__platform_id",
    "quote_of_platform_id", "hydrated", "content_warning", "moderation_state",
)  # fmt: skip


def stored_posts():
    return list(Post.objects.order_by("platform", "platform_id").values_list(*POST_FIELDS))


def record(platform_id: str, handle: str, name: str = "", **kwargs) -> PostRecord:
    return PostRecord(
        platform="twitter",
        platform_id=platform_id,
        position=f"item {platform_id}",
        handle=handle,
        display_name=name or f"Name of {handle}",
        profile_url=f"https://twitter.com/{handle}",
        text=kwargs.pop("text", f"post {platform_id}"),
        **kwargs,
    )


@pytest.mark.django_db
def test_the_copy_path_and_the_upsert_path_store_the_same_rows_and_links(monkeypatch, tmp_path):
    tricky = tmp_path / "tricky.jsonl"
    tricky.write_text(
        (FIXTURES / "twarc1.jsonl").read_text()
        + '{"id_str": "5", "full_text": "tab\\there, back\\\\slash, new\\nline \\"q\\"",'
        ' "user": {"screen_name": "odd", "name": "Tab\\tName"}, "entities": {"hashtags":'
        ' [{"text": "a\\"b"}, {"text": "c\\\\d"}, {"text": "{x,y}"}]}}\n'
    )
    fast = services.source_ingest(source=str(tricky))
    fast_rows = stored_posts()
    fast_links = CapturedPost.objects.filter(capture__run=fast).count()
    Post.objects.all().delete()
    Account.objects.all().delete()

    monkeypatch.setattr(writer.BatchWriter, "_copy_new", lambda self, *args: False)
    safe = services.source_ingest(source=str(tricky))
    assert fast.counts == safe.counts == {"created": 5, "updated": 0, "unchanged": 1, "failed": 1}
    assert stored_posts() == fast_rows
    odd = Post.objects.get(platform_id="5")
    assert odd.text == 'tab\there, back\\slash, new\nline "q"'
    assert odd.hashtags == ['a"b', "c\\d", "{x,y}"]
    assert odd.account.display_name == "Tab\tName"
    assert fast_links == CapturedPost.objects.filter(capture__run=safe).count() == 5


@pytest.mark.django_db
def test_a_key_stored_by_another_writer_after_the_lookup_sends_the_batch_the_safe_way(
    monkeypatch,
):
    services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"))
    before = stored_posts()
    # As if another writer committed the same posts between the lookup and the COPY.
    monkeypatch.setattr(writer.BatchWriter, "_lookup", lambda self, cursor, lookup: {})
    run = services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"))
    assert run.status == RunStatus.SUCCEEDED
    assert run.counts == {"created": 0, "updated": 0, "unchanged": 5, "failed": 1}
    assert stored_posts() == before


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_insert_of_the_same_key_is_waited_for_and_then_upserted(ingest_settings):
    ingest_settings.INGEST_WRITER_THREAD = True
    services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"))  # accounts and parents
    Post.objects.filter(platform_id="919669299755700225").delete()  # the reply
    account = Account.objects.get(handle="replier_one")
    settings = connection.get_connection_params()
    other = psycopg.connect(**settings, autocommit=False)
    try:
        # Another writer inserts the reply, a bare version of it, and has not committed.
        other.execute(
            "INSERT INTO archive_post (platform, platform_id, account_id, text, media_text, "
            "url, language, hashtags, mentions, in_reply_to_platform_id, quote_of_platform_id, "
            "hydrated, content_warning, capture_sha256, moderation_state, created_at, "
            "updated_at) VALUES ('twitter', '919669299755700225', %s, '', '', '', '', '{}', "
            "'{}', '', '', false, '', '', 'pending', now(), now())",
            [account.pk],
        )
        result = {}
        reader = threading.Thread(
            target=lambda: result.update(
                run=services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"))
            )
        )
        reader.start()
        # (Asked on a connection of its own: within a transaction the statistics views
        # show the same snapshot each time.)
        with psycopg.connect(**settings, autocommit=True) as watcher:
            for _ in range(200):  # until the ingest waits for the other writer's insert
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).fetchone()[0]
                if waiting:
                    break
                time.sleep(0.05)
        assert waiting, "the ingest should wait for the uncommitted insert"
        other.commit()
        reader.join(timeout=30)
    finally:
        other.close()
    run = result["run"]
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.counts == {"created": 0, "updated": 1, "unchanged": 4, "failed": 1}
    reply = Post.objects.get(platform_id="919669299755700225")
    assert reply.hydrated and reply.text and reply.in_reply_to.platform_id == "919659299755700224"
    assert Post.objects.filter(platform_id="919669299755700225").count() == 1


@pytest.fixture
def batch_writer(db):
    run = IngestRun.objects.create(source="test")
    capture = RawCapture.objects.create(run=run, source="test", sha256="0" * 64, size=0)

    def make(**kwargs):
        return writer.BatchWriter(run=run, capture_id=capture.pk, **kwargs)

    return make


@pytest.fixture
def account_upserts(monkeypatch):
    """The account upserts the writer sends, as the number of accounts in each."""
    sent = []
    original = psycopg.Cursor.execute

    def execute(self, query, params=None, **kwargs):
        text = query.as_string(self) if isinstance(query, sql.Composable) else query
        if text.lstrip().startswith(f'INSERT INTO "{Account._meta.db_table}"'):
            sent.append(len(orjson.loads(params["authors"])))
        return original(self, query, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    return sent


def test_accounts_are_upserted_once_per_run_and_the_cache_stays_bounded(
    batch_writer, monkeypatch, account_upserts
):
    monkeypatch.setattr(writer, "ACCOUNT_CACHE_LIMIT", 3)
    batch = batch_writer(batch_size=2)
    handles = [f"user{n}" for n in range(10)]
    for n, handle in enumerate(handles):
        batch.add(record(str(n), handle))
        assert len(batch.accounts) <= 3
    assert sum(account_upserts) == 10
    batch.add(record("100", "user9"))
    batch.add(record("101", "user8"))  # both still cached: no account statement
    assert sum(account_upserts) == 10
    batch.add(record("102", "user0"))
    batch.add(record("103", "user1"))  # dropped from the cache long ago: upserted again
    batch.close()
    assert sum(account_upserts) == 12
    assert len(batch.accounts) <= 3
    owners = dict(Post.objects.values_list("platform_id", "account__handle"))
    assert owners == {
        **{str(n): h for n, h in enumerate(handles)},
        "100": "user9", "101": "user8", "102": "user0", "103": "user1",
    }  # fmt: skip
    assert Account.objects.count() == 10
    assert batch.counts.created == 14


def test_a_cached_account_is_not_upserted_again_unless_its_name_changes(
    batch_writer, account_upserts
):
    batch = batch_writer(batch_size=1)
    batch.add(record("1", "alice", "Alice"))
    batch.add(record("2", "alice", "Alice"))
    assert account_upserts == [1]
    batch.add(record("3", "alice", "Alice Renamed"))
    batch.close()
    assert account_upserts == [1, 1]
    alice = Account.objects.get(handle="alice")
    assert alice.display_name == "Alice Renamed"
    assert set(alice.posts.values_list("platform_id", flat=True)) == {"1", "2", "3"}
    assert batch.counts.created == 3


def test_a_cached_account_deleted_meanwhile_is_written_again(batch_writer):
    batch = batch_writer(batch_size=1)
    batch.add(record("1", "gone"))
    Post.objects.filter(platform_id="1").delete()
    Account.objects.filter(handle="gone").delete()  # the cache still holds its id
    batch.add(record("2", "gone"))
    batch.close()
    post = Post.objects.get(platform_id="2")
    assert post.account.handle == "gone"
    assert batch.counts.created == 2


def test_a_reply_to_a_post_later_in_the_same_batch_is_linked(batch_writer):
    batch = batch_writer(batch_size=10)
    batch.add(record("2", "bob", in_reply_to_platform_id="1", quote_of_platform_id="3"))
    batch.add(record("1", "alice"))
    batch.close()
    reply = Post.objects.get(platform_id="2")
    assert reply.in_reply_to.platform_id == "1"
    assert reply.quote_of is None and reply.quote_of_platform_id == "3"  # not stored yet
    batch = batch_writer(batch_size=10)
    batch.add(record("3", "carol"))
    batch.close()
    assert batch.dangling == []
    assert services.post_links_resolve() == 1
    reply.refresh_from_db()
    assert reply.quote_of.platform_id == "3"


@pytest.mark.django_db
def test_a_control_character_in_a_handle_or_id_fails_that_item_not_its_batch(tmp_path):
    source = tmp_path / "nul.jsonl"
    lines = [
        {"id_str": "1", "full_text": "fine", "user": {"screen_name": "good"}},
        {"id_str": "2", "full_text": "bad handle", "user": {"screen_name": "ba\u0000d"}},
        {"id_str": "3\u0007", "full_text": "bad id", "user": {"screen_name": "good"}},
        {"id_str": "4", "full_text": "also fine", "user": {"screen_name": "other"}},
    ]
    source.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    run = services.source_ingest(source=str(source))
    assert run.status == RunStatus.SUCCEEDED  # the source was read; two items failed
    assert sorted(Post.objects.values_list("platform_id", flat=True)) == ["1", "4"]
    assert run.failed_count == 2
    reasons = list(run.failures.values_list("position", "reason"))
    assert [position for position, _ in reasons] == ["line 2", "line 3"]
    assert all("control characters" in reason for _, reason in reasons)


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [True, False])
def test_a_nul_in_a_post_s_other_fields_is_cleaned_and_the_batch_stored(
    tmp_path, monkeypatch, fast
):
    if not fast:
        monkeypatch.setattr(writer.BatchWriter, "_copy_new", lambda self, *args: False)
    source = tmp_path / "nul.jsonl"
    noisy = {
        "id_str": "1",
        "full_text": "te\u0000xt",
        "lang": "e\u0000n",
        "user": {"screen_name": "good", "name": "Na\u0000me"},
        "entities": {"hashtags": [{"text": "Me\u0000Too"}], "user_mentions": []},
    }
    plain = {"id_str": "2", "full_text": "plain", "user": {"screen_name": "other"}}
    source.write_bytes(orjson.dumps(noisy) + b"\n" + orjson.dumps(plain) + b"\n")
    run = services.source_ingest(source=str(source))
    assert run.status == RunStatus.SUCCEEDED and run.failed_count == 0
    post = Post.objects.select_related("account").get(platform_id="1")
    assert (post.text, post.language, post.hashtags) == ("text", "en", ["MeToo"])
    assert post.account.display_name == "Name"
    assert Post.objects.filter(platform_id="2").exists()


@pytest.mark.django_db
def test_an_article_with_a_nul_in_its_url_fails_alone_and_one_in_its_text_is_cleaned(tmp_path):
    source = tmp_path / "feed.json"
    items = [
        {"id": "1", "url": "https://example.org/a\u0000b", "title": "Broken link"},
        {
            "id": "2",
            "url": "https://example.org/fine",
            "title": "Ti\u0000tle",
            "summary": "Sum\u0000mary",
            "authors": [{"name": "A\u0000uthor"}],
            "language": "e\u0000n",
        },
    ]
    source.write_bytes(
        orjson.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": items})
    )
    run = services.source_ingest(source=str(source))
    assert run.status == RunStatus.SUCCEEDED and run.failed_count == 1
    assert "control characters" in run.failures.get().reason
    article = SourceArticle.objects.get()
    assert (article.title, article.language, article.authors) == ("Title", "en", ["Author"])
    assert "\x00" not in article.excerpt


@given(st.text(alphabet=st.characters(max_codepoint=0x2FF)) | st.text())
def test_the_quick_check_for_characters_copy_must_escape_agrees_with_the_pattern(line):
    assert writer._needs_care(line) == (writer._NEEDS_CARE.search(line) is not None)


def test_the_quick_check_sees_every_character_copy_must_escape():
    for code in [*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, ord("\\")]:
        assert writer._needs_care(f"plain\t{chr(code)}text"), hex(code)
    assert not writer._needs_care("plain\ttext with ünïcödé and #MeToo")
