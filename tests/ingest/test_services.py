"""The ingestion pipeline against the real database: upserts, provenance, rules, bad input."""

import gzip
import os
import shutil

import pytest

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core.moderation import HoldReason, ModerationState
from apps.curation.models import ModerationDecision, PublicationRule, RuleScope
from apps.ingest import services
from apps.ingest.capture import open_capture
from apps.ingest.models import Feed, Format, IngestRun, RawCapture, RunStatus
from tests import factories
from tests.ingest.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def ingest(path, **kwargs):
    return services.source_ingest(source=str(path), **kwargs)


def test_a_twarc_file_becomes_pending_posts_with_accounts_replies_and_quotes():
    run = ingest(FIXTURES / "twarc1.jsonl")
    assert run.status == RunStatus.SUCCEEDED
    assert run.format == Format.TWARC1
    # The retweeted tweet comes twice (on its own and inside the retweet): one post.
    assert run.counts == {"created": 4, "updated": 0, "unchanged": 1, "failed": 1}
    (failure,) = run.failures.all()
    assert failure.position == "line 5" and "invalid JSON" in failure.reason
    milano = Post.objects.get(platform="twitter", platform_id="919659299755700224")
    assert milano.moderation_state == ModerationState.PENDING
    assert milano.account.handle == "Alyssa_Milano"
    assert milano.account.moderation_state == ModerationState.PENDING
    assert milano.hashtags == ["MeToo"]
    reply = Post.objects.get(platform_id="919669299755700225")
    assert reply.in_reply_to == milano
    assert reply.mentions == ["Alyssa_Milano"]
    quote = Post.objects.get(platform_id="919889299755700227")
    assert quote.quote_of == milano
    assert not Post.objects.published().exists()


def test_the_same_input_twice_reports_everything_unchanged_and_creates_nothing():
    first = ingest(FIXTURES / "twarc2.jsonl")
    posts, accounts = Post.objects.count(), Account.objects.count()
    second = ingest(FIXTURES / "twarc2.jsonl")
    assert first.counts["created"] == 4
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 4, "failed": 1}
    assert (Post.objects.count(), Account.objects.count()) == (posts, accounts)


def test_a_changed_item_updates_its_row_and_keeps_the_earlier_capture(tmp_path):
    original = FIXTURES / "mastodon_tag.json"
    ingest(original)
    alice = Post.objects.get(platform_id="mastodon.example:109000000000000001")
    first_sha = alice.capture_sha256
    changed = tmp_path / "changed.json"
    changed.write_bytes(original.read_bytes().replace(b"&amp; solidarity", b"&amp; edited"))
    run = ingest(changed)
    assert run.counts == {"created": 0, "updated": 1, "unchanged": 2, "failed": 1}
    alice.refresh_from_db()
    assert alice.text == "Me too. #MeToo & edited"
    assert alice.capture_sha256 != first_sha
    captures = RawCapture.objects.filter(posts=alice).order_by("id")
    assert [c.sha256 for c in captures] == [first_sha, alice.capture_sha256]
    with open_capture(captures[0].content_path) as raw:
        assert raw.read() == original.read_bytes()


def test_the_raw_capture_keeps_the_bytes_their_hash_and_links_every_entry():
    run = ingest(FIXTURES / "news_rss.xml")
    (capture,) = run.captures.all()
    data = (FIXTURES / "news_rss.xml").read_bytes()
    assert capture.size == len(data)
    import hashlib

    assert capture.sha256 == hashlib.sha256(data).hexdigest()
    assert capture.articles.count() == 2
    article = SourceArticle.objects.get(
        canonical_url="https://news.example.org/2017/10/05/weinstein.html?page=2"
    )
    assert article.url.startswith("https://News.Example.org/")
    assert article.capture_sha256 == capture.sha256
    assert article.captured_at == capture.fetched_at
    assert article.outlet.domain == "news.example.org"
    assert article.moderation_state == ModerationState.PENDING


def test_a_files_capture_is_compressed_beside_the_parse_and_stored_once(settings):
    source = FIXTURES / "twarc1.jsonl"
    first = ingest(source)
    (capture,) = first.captures.all()
    stored = settings.INGEST_CAPTURE_DIR / capture.content_path
    assert capture.compressed_size == stored.stat().st_size > 0
    with open_capture(capture.content_path) as raw:
        assert raw.read() == source.read_bytes()
    written_at = stored.stat().st_mtime_ns
    second = ingest(source)
    (again,) = second.captures.all()
    assert again.content_path == capture.content_path
    assert again.compressed_size == capture.compressed_size
    assert stored.stat().st_mtime_ns == written_at  # not compressed a second time
    assert not list(settings.INGEST_CAPTURE_DIR.glob(".incoming-*"))


def test_a_capture_that_cannot_be_stored_fails_the_run_with_a_clear_error(settings):
    import hashlib

    source = FIXTURES / "twarc1.jsonl"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    settings.INGEST_CAPTURE_DIR.mkdir(parents=True, exist_ok=True)
    (settings.INGEST_CAPTURE_DIR / digest[:2]).write_text("in the way of the capture's folder")
    run = ingest(source)
    assert run.status == RunStatus.FAILED
    assert run.error.startswith(f"{source}: the raw capture could not be stored (")
    assert run.counts["created"] == 4  # what was parsed is kept, and a re-run stores the rest
    assert not list(settings.INGEST_CAPTURE_DIR.glob(".incoming-*"))


def test_a_file_that_changes_while_it_is_read_is_not_stored_under_the_old_hash(
    settings, monkeypatch
):
    real_digest = services.stream_digest

    def digest_of_an_earlier_version(stream):
        digest, size = real_digest(stream)
        return "0" * 64, size

    monkeypatch.setattr(services, "stream_digest", digest_of_an_earlier_version)
    run = ingest(FIXTURES / "twarc1.jsonl")
    assert run.status == RunStatus.FAILED
    assert "the file changed while it was being read; run it again" in run.error
    assert not list(settings.INGEST_CAPTURE_DIR.rglob("*.gz"))


def test_articles_are_keyed_by_canonical_url_across_tracking_variants(tmp_path):
    ingest(FIXTURES / "news_rss.xml")
    variant = tmp_path / "variant.xml"
    variant.write_bytes(
        (FIXTURES / "news_rss.xml")
        .read_bytes()
        .replace(
            b"utm_source=rss&amp;utm_medium=feed&amp;page=2#comments", b"page=2&amp;utm_campaign=z"
        )
    )
    run = ingest(variant)
    assert run.counts["created"] == 0
    assert SourceArticle.objects.count() == 2


def test_a_gzipped_file_is_read_like_the_plain_one(tmp_path):
    packed = tmp_path / "tweets.jsonl.gz"
    with open(FIXTURES / "twarc1.jsonl", "rb") as plain, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(plain, out)
    run = ingest(packed)
    assert run.format == Format.TWARC1
    assert run.counts["created"] == 4


def test_a_malformed_document_fails_its_run_naming_source_and_position_and_damages_nothing():
    ingest(FIXTURES / "news_rss.xml")
    before = list(SourceArticle.objects.values_list("id", "title", "text"))
    run = ingest(FIXTURES / "broken.xml", format=Format.RSS)
    assert run.status == RunStatus.FAILED
    assert "broken.xml" in run.error and "line 5, column 1" in run.error
    assert "Traceback" not in run.error
    assert list(SourceArticle.objects.values_list("id", "title", "text")) == before
    (capture,) = run.captures.all()  # the raw input is kept all the same
    assert capture.size == (FIXTURES / "broken.xml").stat().st_size


def test_a_missing_file_fails_its_run_with_a_sentence():
    run = ingest("/nonexistent/feed.xml")
    assert run.status == RunStatus.FAILED
    assert run.error == "/nonexistent/feed.xml: no such file: /nonexistent/feed.xml"


def test_a_wrongly_chosen_format_fails_cleanly():
    run = ingest(FIXTURES / "news_rss.xml", format=Format.JSONFEED)
    assert run.status == RunStatus.FAILED
    assert "invalid JSON at line 1" in run.error


def test_an_id_list_records_unknown_posts_without_touching_hydrated_ones():
    ingest(FIXTURES / "twarc1.jsonl")
    run = ingest(FIXTURES / "tweet_ids.txt")
    assert run.counts == {"created": 2, "updated": 0, "unchanged": 1, "failed": 1}
    milano = Post.objects.get(platform_id="919659299755700224")
    assert milano.hydrated and milano.text
    bare = Post.objects.get(platform_id="919659299755700999")
    assert not bare.hydrated and bare.account is None
    # Hydrating it later fills it in.
    ingest(FIXTURES / "twarc1.jsonl")
    assert Post.objects.filter(hydrated=False).count() == 2


def test_a_bare_post_is_hydrated_by_a_later_export(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("919669299755700225\n")
    ingest(ids)
    run = ingest(FIXTURES / "twarc1.jsonl")
    assert run.counts["updated"] == 1
    post = Post.objects.get(platform_id="919669299755700225")
    assert post.hydrated and post.account.handle == "replier_one"


def test_a_feed_rule_publishes_what_the_feed_brings_and_logs_the_rule():
    feed = Feed.objects.create(name="Trusted", url=str(FIXTURES / "news_rss.xml"))
    rule = PublicationRule.objects.create(
        scope=RuleScope.FEED, target_id=feed.pk, description="Trusted outlet"
    )
    run = services.feed_poll(feed_id=feed.pk)
    assert run.status == RunStatus.SUCCEEDED
    assert SourceArticle.objects.published().count() == 2
    decisions = ModerationDecision.objects.filter(rule=rule)
    assert decisions.count() == 2
    feed.refresh_from_db()
    assert feed.item_count == 2 and feed.consecutive_failures == 0 and feed.last_success_at


def test_an_account_rule_publishes_only_that_accounts_posts():
    milano = factories.AccountFactory(handle="Alyssa_Milano", platform="twitter", published=True)
    PublicationRule.objects.create(
        scope=RuleScope.ACCOUNT, target_id=milano.pk, description="Public figure"
    )
    ingest(FIXTURES / "twarc1.jsonl")
    published = set(Post.objects.published().values_list("platform_id", flat=True))
    assert published == {"919659299755700224"}
    assert Post.objects.pending().count() == 3


def test_a_rule_added_later_publishes_pending_entries_on_the_next_read():
    feed = Feed.objects.create(name="Later", url=str(FIXTURES / "news_rss.xml"))
    services.feed_poll(feed_id=feed.pk)
    assert not SourceArticle.objects.published().exists()
    PublicationRule.objects.create(
        scope=RuleScope.FEED, target_id=feed.pk, description="Now trusted"
    )
    run = services.feed_poll(feed_id=feed.pk)
    assert run.counts["unchanged"] == 2
    assert SourceArticle.objects.published().count() == 2


def test_nothing_goes_public_without_a_rule():
    for name in ("news_rss.xml", "twarc1.jsonl", "mastodon_tag.json", "bluesky_search.json"):
        ingest(FIXTURES / name)
    assert not Post.objects.published().exists()
    assert not SourceArticle.objects.published().exists()
    assert not Account.objects.published().exists()
    assert not Outlet.objects.filter(domain="news.example.org").published().exists()


def test_an_update_to_a_published_entry_goes_back_for_review_and_leaves_curated_fields_alone(
    tmp_path,
):
    ingest(FIXTURES / "mastodon_tag.json")
    alice = Post.objects.get(platform_id="mastodon.example:109000000000000001")
    Post.objects.filter(pk=alice.pk).update(
        moderation_state=ModerationState.PUBLISHED, content_warning="Describes abuse"
    )
    changed = tmp_path / "changed.json"
    changed.write_bytes(
        (FIXTURES / "mastodon_tag.json").read_bytes().replace(b"solidarity", b"love")
    )
    ingest(changed)
    alice.refresh_from_db()
    assert alice.text.endswith("love")
    # Not silently republished: back in the queue, held, the old text kept as a revision
    # (tests/ingest/test_curated_fields.py has the details).
    assert alice.moderation_state == ModerationState.PENDING
    assert alice.hold_reason == HoldReason.SOURCE_CHANGED
    assert alice.content_warning == "Describes abuse"


def test_a_withdrawn_entry_stays_withdrawn_when_it_is_read_again(tmp_path):
    ingest(FIXTURES / "twarc1.jsonl")
    Post.objects.filter(platform_id="919659299755700224").update(
        moderation_state=ModerationState.WITHDRAWN
    )
    feed = Feed.objects.create(name="All", url=str(FIXTURES / "twarc1.jsonl"))
    PublicationRule.objects.create(
        scope=RuleScope.FEED, target_id=feed.pk, description="Everything"
    )
    services.feed_poll(feed_id=feed.pk)
    assert (
        Post.objects.get(platform_id="919659299755700224").moderation_state
        == ModerationState.WITHDRAWN
    )


def test_small_batches_give_the_same_result_as_one(tmp_path):
    run = ingest(FIXTURES / "twarc1.jsonl", batch_size=1)
    assert run.counts == {"created": 4, "updated": 0, "unchanged": 1, "failed": 1}
    reply = Post.objects.get(platform_id="919669299755700225")
    assert reply.in_reply_to.platform_id == "919659299755700224"


def test_a_feed_cannot_name_a_file_outside_the_export_folders():
    feed = Feed.objects.create(name="Sneaky", url="/etc/passwd")
    run = services.feed_poll(feed_id=feed.pk)
    assert run.status == RunStatus.FAILED
    assert run.error == "/etc/passwd: file feeds must be under INGEST_FEED_FILE_DIRS"
    assert not run.captures.exists()
    escaping = Feed.objects.create(name="Dots", url=str(FIXTURES / ".." / ".." / "conftest.py"))
    assert services.feed_poll(feed_id=escaping.pk).status == RunStatus.FAILED


def test_a_failing_feed_backs_off_and_recovers(tmp_path):
    feed = Feed.objects.create(name="Flaky", url=str(tmp_path / "flaky.xml"))
    services.feed_poll(feed_id=feed.pk)
    services.feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.consecutive_failures == 2
    assert feed.health == "backing off"
    assert "no such file" in feed.last_error
    gap = feed.next_poll_at - feed.last_polled_at
    assert gap == feed.poll_interval * 4
    Feed.objects.filter(pk=feed.pk).update(url=str(FIXTURES / "atom.xml"))
    services.feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0 and feed.health == "ok" and feed.last_error == ""


def test_a_repeated_delivery_of_the_same_task_does_nothing_the_second_time():
    feed = Feed.objects.create(name="Once", url=str(FIXTURES / "twarc1.jsonl"))
    assert services.feed_poll(feed_id=feed.pk, task_id="task-1") is not None
    assert services.feed_poll(feed_id=feed.pk, task_id="task-1") is None
    assert IngestRun.objects.filter(task_id="task-1").count() == 1
    assert Post.objects.count() == 4


def test_a_feed_being_polled_elsewhere_is_not_polled_twice():
    import threading

    from django.db import connection

    feed = Feed.objects.create(name="Busy", url=str(FIXTURES / "atom.xml"))
    held, done = threading.Event(), threading.Event()

    def poll_elsewhere():  # another worker's database session, polling the feed now
        try:
            with services.feed_poll_lock(feed.pk):
                held.set()
                done.wait(10)
        finally:
            connection.close()

    elsewhere = threading.Thread(target=poll_elsewhere)
    elsewhere.start()
    try:
        assert held.wait(10)
        assert services.feed_poll(feed_id=feed.pk, task_id="other") is None
    finally:
        done.set()
        elsewhere.join()
    assert not IngestRun.objects.exists()


def test_a_poll_cut_short_by_a_killed_worker_is_closed_and_its_redelivery_polls_the_feed():
    from django.utils import timezone

    feed = Feed.objects.create(name="Cut short", url=str(FIXTURES / "twarc1.jsonl"))
    # What a worker killed mid-poll leaves: its run marked running and the feed leased.
    killed = IngestRun.objects.create(source=feed.url, feed=feed, task_id="killed")
    Feed.objects.filter(pk=feed.pk).update(
        lease_until=timezone.now() + timezone.timedelta(minutes=12)
    )
    run = services.feed_poll(feed_id=feed.pk, task_id="killed")  # the message, redelivered
    assert run is not None and run.status == RunStatus.SUCCEEDED
    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED and "interrupted" in killed.error
    assert Post.objects.count() == 4
    feed.refresh_from_db()
    assert feed.lease_until is None


def test_due_feeds_are_claimed_once():
    due = Feed.objects.create(name="Due", url="/a")
    Feed.objects.create(name="Paused", url="/b", active=False)
    assert services.feeds_claim_due() == [due.pk]
    assert services.feeds_claim_due() == []


def test_a_reply_read_before_its_parent_in_another_run_is_linked_by_the_hourly_pass(tmp_path):
    from apps.ingest.tasks import link_replies

    reply_only = tmp_path / "reply.jsonl"
    reply_only.write_text((FIXTURES / "twarc1.jsonl").read_text().splitlines()[1] + "\n")
    ingest(reply_only)
    reply = Post.objects.get(platform_id="919669299755700225")
    assert reply.in_reply_to is None and reply.in_reply_to_platform_id == "919659299755700224"
    parent_only = tmp_path / "parent.jsonl"
    parent_only.write_text((FIXTURES / "twarc1.jsonl").read_text().splitlines()[0] + "\n")
    ingest(parent_only)
    assert link_replies() == 1
    reply.refresh_from_db()
    assert reply.in_reply_to.platform_id == "919659299755700224"


def test_a_poll_stopped_at_its_time_limit_keeps_its_batches_and_says_why(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from apps.ingest import adapters

    def slow_reader(stream, **kwargs):
        yield from adapters.read_twarc1(stream, **kwargs)
        raise SoftTimeLimitExceeded()  # what Celery raises in the task when time is up

    monkeypatch.setitem(adapters.READERS, Format.TWARC1, slow_reader)
    run = ingest(FIXTURES / "twarc1.jsonl", batch_size=2)
    assert run.status == RunStatus.FAILED
    assert run.error.endswith("stopped at the task's time limit; the batches written are kept")
    assert Post.objects.count() == 3  # the full batches; the one being filled is not written


def test_a_run_collects_cycles_less_often_and_restores_the_collector_after():
    import gc

    before = gc.get_threshold()
    during = []
    run = ingest(FIXTURES / "twarc1.jsonl", progress=lambda *_: during.append(gc.get_threshold()))
    assert run.status == RunStatus.SUCCEEDED
    assert during and set(during) == {services.RUN_GC_THRESHOLD}
    assert gc.get_threshold() == before != services.RUN_GC_THRESHOLD


def test_a_run_switches_threads_more_often_and_restores_the_interval_after():
    import sys

    before = sys.getswitchinterval()
    during = []
    run = ingest(
        FIXTURES / "twarc1.jsonl", progress=lambda *_: during.append(sys.getswitchinterval())
    )
    assert run.status == RunStatus.SUCCEEDED
    assert during and set(during) == {services.RUN_SWITCH_INTERVAL}
    assert sys.getswitchinterval() == before != services.RUN_SWITCH_INTERVAL


def test_runs_overlapping_in_one_process_leave_the_interpreter_as_it_was_when_the_last_ends():
    import gc
    import sys

    untuned = (gc.get_threshold(), sys.getswitchinterval())
    tuned = (services.RUN_GC_THRESHOLD, services.RUN_SWITCH_INTERVAL)
    first, second = services.ingest_tuning(), services.ingest_tuning()
    first.__enter__()
    second.__enter__()  # another worker thread's run starts while the first still runs
    first.__exit__(None, None, None)
    assert (gc.get_threshold(), sys.getswitchinterval()) == tuned  # the second still runs
    second.__exit__(None, None, None)
    assert (gc.get_threshold(), sys.getswitchinterval()) == untuned


def test_importing_the_ingest_and_web_modules_leaves_the_interpreter_alone():
    import subprocess
    import sys

    code = (
        "import gc, sys\n"
        "before = (gc.get_threshold(), sys.getswitchinterval(), gc.get_freeze_count())\n"
        "import django; django.setup()\n"
        "import apps.ingest.services, apps.ingest.tasks, apps.ingest.writer\n"
        "import metoo_archive.wsgi\n"
        "print(before == (gc.get_threshold(), sys.getswitchinterval(), gc.get_freeze_count()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "metoo_archive.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["True"], out.stderr[-2000:]
