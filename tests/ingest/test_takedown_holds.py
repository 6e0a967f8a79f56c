"""Withdrawn stays withdrawn: after a takedown is granted, what a feed brings next of the same
person (or, where the request says so, of the withdrawn post's thread) is never published by a
rule. Each test is the attack: grant, then let the real writer read the next posts from a
local HTTP feed under publication rules."""

import io
import json
import threading
import time

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.archive.models import Account, Post
from apps.core.moderation import HoldReason, ModerationState
from apps.curation.models import ModerationDecision, PublicationRule, RuleScope
from apps.curation.services import entries_transition, takedown_grant, takedown_submit
from apps.ingest import services
from apps.ingest.models import Feed, Format, RunStatus
from tests.ingest.conftest import Reply

pytestmark = pytest.mark.django_db


def tweet(pid: str, handle: str, text: str, reply_to: str = "", quote_of: str = "") -> dict:
    item = {
        "created_at": "Sun Oct 15 20:21:16 +0000 2017",
        "id_str": pid,
        "full_text": text,
        "user": {"screen_name": handle, "name": handle.title()},
        "entities": {"hashtags": [{"text": "MeToo"}], "user_mentions": []},
        "lang": "en",
    }
    if reply_to:
        item["in_reply_to_status_id_str"] = reply_to
    if quote_of:
        item["quoted_status_id_str"] = quote_of
    return item


def serve(http_server, *tweets: dict) -> None:
    body = "".join(json.dumps(t) + "\n" for t in tweets).encode()
    http_server.routes["/feed.jsonl"] = Reply(body=body)


@pytest.fixture
def feed(http_server):
    return Feed.objects.create(
        name="#MeToo search", url=http_server.url("/feed.jsonl"), format=Format.TWARC1
    )


@pytest.fixture
def curator(django_user_model):
    call_command("curation_groups", stdout=io.StringIO())
    user = django_user_model.objects.create_user("carla", "carla@example.org", "pw-carla-2017")
    user.groups.add(Group.objects.get(name="Curator"))
    return user


def poll(feed):
    run = services.feed_poll(feed_id=feed.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def grant(kind: str, entry_id: int, actor, **kwargs):
    takedown = takedown_submit(
        entry_url="/", entry_kind=kind, entry_id=entry_id, requester_name="J",
        relation="author", reason="Please", contact="j@example.org",
    )  # fmt: skip
    return takedown_grant(request_id=takedown.pk, actor=actor, **kwargs)


def rule(scope, target_id):
    return PublicationRule.objects.create(scope=scope, target_id=target_id, description="Trusted")


def test_a_withdrawn_accounts_next_posts_arrive_withdrawn_under_an_account_and_a_feed_rule(
    http_server, feed, curator
):
    serve(http_server, tweet("1", "jane", "What happened to me"), tweet("2", "ann", "Me too"))
    feed_rule = rule(RuleScope.FEED, feed.pk)
    poll(feed)
    jane = Account.objects.get(handle="jane")
    account_rule = rule(RuleScope.ACCOUNT, jane.pk)
    assert Post.objects.get(platform_id="1").moderation_state == ModerationState.PUBLISHED

    grant("account", jane.pk, curator)
    account_rule.refresh_from_db()
    assert not account_rule.active, "the rule that publishes her posts is switched off"
    note = ModerationDecision.objects.get(entry_kind="account", entry_id=jane.pk, rule=None,
                                          reason__contains="switched off")  # fmt: skip
    assert f"#{account_rule.pk}" in note.reason and note.actor == curator
    account_rule.active = True  # even if a curator switched it back on
    account_rule.save()

    serve(
        http_server,
        tweet("1", "jane", "What happened to me"),
        tweet("3", "jane", "More about what happened"),
        tweet("4", "jane", "And my name is ..."),
        tweet("5", "bob", "Solidarity"),
    )
    poll(feed)

    mine = Post.objects.filter(account=jane).order_by("platform_id")
    assert [(p.platform_id, p.moderation_state, p.hold_reason) for p in mine] == [
        ("1", "withdrawn", ""),
        ("3", "withdrawn", HoldReason.ACCOUNT_WITHDRAWN),
        ("4", "withdrawn", HoldReason.ACCOUNT_WITHDRAWN),
    ]
    assert not Post.objects.published().filter(account=jane).exists()
    arrival = ModerationDecision.objects.get(entry_kind="post", entry_id=mine[1].pk)
    assert (arrival.from_state, arrival.to_state, arrival.actor, arrival.rule) == (
        "pending", "withdrawn", None, None,
    )  # fmt: skip
    # The feed's rule still publishes everybody else.
    assert Post.objects.get(platform_id="5").moderation_state == ModerationState.PUBLISHED
    feed_rule.refresh_from_db()
    assert feed_rule.active


def test_the_rule_of_a_feed_that_brings_only_the_withdrawn_accounts_posts_is_switched_off(
    http_server, feed, curator
):
    serve(http_server, tweet("1", "jane", "My story"), tweet("2", "jane", "Part two"))
    feed_rule = rule(RuleScope.FEED, feed.pk)
    other_feed = Feed.objects.create(name="Tag", url=http_server.url("/tag.jsonl"))
    other_rule = rule(RuleScope.FEED, other_feed.pk)
    poll(feed)
    grant("account", Account.objects.get(handle="jane").pk, curator)
    feed_rule.refresh_from_db()
    other_rule.refresh_from_db()
    assert not feed_rule.active and other_rule.active


def test_replies_in_a_post_s_withdrawn_thread_are_held_and_the_queue_says_why(
    http_server, feed, curator, client
):
    serve(
        http_server,
        tweet("1", "jane", "It was him"),
        tweet("2", "ann", "Believe you", reply_to="1"),
    )
    rule(RuleScope.FEED, feed.pk)
    poll(feed)
    root = Post.objects.get(platform_id="1")
    grant("post", root.pk, curator, covers_thread=True)

    serve(
        http_server,
        tweet("3", "bob", "Who is she? Her name is Jane", reply_to="1"),
        tweet("4", "cat", "Replying to bob", reply_to="3"),  # deeper in the same batch
        tweet("5", "dan", "Look at this", quote_of="1"),
        tweet("6", "eve", "Unrelated #MeToo post"),
    )
    poll(feed)

    states = dict(Post.objects.values_list("platform_id", "moderation_state"))
    assert states == {
        "1": "withdrawn", "2": "published", "3": "pending", "4": "pending", "5": "pending",
        "6": "published",
    }  # fmt: skip
    held = Post.objects.filter(platform_id__in=["3", "4", "5"])
    assert {p.hold_reason for p in held} == {HoldReason.THREAD_WITHDRAWN}

    client.force_login(curator)
    page = client.get(reverse("curation:queue"), {"kind": "post"}).content.decode()
    assert page.count("Held for a curator, no rule publishes it") == 3
    assert "answers or quotes a post withdrawn with its thread" in page

    # A curator's own decision still counts, and ends the hold.
    reply = held.get(platform_id="5")
    client.post(reverse("curation:entry_decide", args=["post", reply.pk]), {"action": "approve"})
    reply.refresh_from_db()
    assert (reply.moderation_state, reply.hold_reason) == ("published", "")


def test_the_whole_thread_is_held_below_replies_published_or_approved_before(
    http_server, feed, curator
):
    """Published replies stay as curators left them, but whatever arrives below them is part
    of the withdrawn post's thread: held, however many levels down, and still held below a
    reply a curator approved out of the hold."""
    serve(
        http_server,
        tweet("1", "jane", "It was him"),
        tweet("2", "ann", "Believe you", reply_to="1"),  # published by the rule before the grant
    )
    rule(RuleScope.FEED, feed.pk)
    poll(feed)
    grant("post", Post.objects.get(platform_id="1").pk, curator, covers_thread=True)

    serve(
        http_server,
        tweet("3", "bob", "Jane, is it the man at the hotel?", reply_to="2"),
        tweet("4", "cat", "Look at this", quote_of="3"),
        tweet("5", "dan", "Unrelated, replying to a post the archive has not seen", reply_to="99"),
    )
    poll(feed)
    states = dict(Post.objects.values_list("platform_id", "moderation_state"))
    assert states == {
        "1": "withdrawn", "2": "published", "3": "pending", "4": "pending", "5": "published"
    }  # fmt: skip
    assert set(
        Post.objects.filter(hold_reason=HoldReason.THREAD_WITHDRAWN).values_list(
            "platform_id", flat=True
        )
    ) == {"3", "4"}

    approved = Post.objects.get(platform_id="3")
    entries_transition(kind="post", ids=[approved.pk], to_state="published", actor=curator)
    serve(http_server, tweet("6", "eve", "Replying to bob", reply_to="3"))
    poll(feed)
    reply = Post.objects.get(platform_id="6")
    assert (reply.moderation_state, reply.hold_reason) == ("pending", HoldReason.THREAD_WITHDRAWN)


def test_walking_up_a_thread_costs_a_statement_per_level_for_the_whole_batch(curator):
    from apps.curation.services import posts_hold_for_takedowns
    from tests.factories import PostFactory

    root = PostFactory(published=True, platform="twitter", platform_id="1")
    grant("post", root.pk, curator, covers_thread=True)
    parent, chain = "1", []
    for depth in range(2, 7):  # five levels, each published before the next arrives
        chain.append(PostFactory(
            published=True, platform="twitter", platform_id=str(depth),
            in_reply_to_platform_id=parent,
        ))  # fmt: skip
        parent = str(depth)
    batch = [
        PostFactory(platform="twitter", platform_id=f"{n}00", in_reply_to_platform_id=parent)
        for n in range(1, 21)
    ]
    with CaptureQueriesContext(connection) as queries:
        assert posts_hold_for_takedowns(post_ids=[post.pk for post in batch]) == 20
    walked = [q["sql"] for q in queries if '"platform_id" IN' in q["sql"]]
    assert len(walked) == 6  # the five published levels and the root: not one per post


def test_a_loop_of_replies_a_feed_made_up_ends_the_walk(curator):
    from apps.curation.services import posts_hold_for_takedowns
    from tests.factories import PostFactory

    root = PostFactory(published=True, platform="twitter", platform_id="1")
    grant("post", root.pk, curator, covers_thread=True)
    loop = [
        PostFactory(platform="twitter", platform_id="a", in_reply_to_platform_id="b"),
        PostFactory(platform="twitter", platform_id="b", quote_of_platform_id="a"),
    ]
    with CaptureQueriesContext(connection) as queries:
        assert posts_hold_for_takedowns(post_ids=[post.pk for post in loop]) == 0
    assert len([q for q in queries if '"platform_id" IN' in q["sql"]]) == 2


def test_a_thread_is_held_only_where_the_request_says_so(http_server, feed, curator):
    serve(http_server, tweet("1", "jane", "It was him"))
    rule(RuleScope.FEED, feed.pk)
    poll(feed)
    grant("post", Post.objects.get(platform_id="1").pk, curator)
    serve(http_server, tweet("2", "ann", "Believe you", reply_to="1"))
    poll(feed)
    assert Post.objects.get(platform_id="2").moderation_state == ModerationState.PUBLISHED


def test_replies_already_waiting_are_held_when_the_thread_s_takedown_is_granted(curator):
    from tests.factories import PostFactory

    root = PostFactory(published=True, platform_id="1")
    waiting = PostFactory(platform_id="2", in_reply_to=root, in_reply_to_platform_id="1")
    grant("post", root.pk, curator, covers_thread=True)
    waiting.refresh_from_db()
    assert waiting.hold_reason == HoldReason.THREAD_WITHDRAWN
    rule(RuleScope.ACCOUNT, waiting.account_id)
    from apps.curation.services import publication_rule_apply_to_queue

    assert (
        publication_rule_apply_to_queue(rule_id=PublicationRule.objects.get().pk, actor=curator)
        == 0
    )


@pytest.fixture
def statements(monkeypatch):
    """Every statement sent to the database (the writer's raw cursor's and Django's)."""
    sent = []
    original = psycopg.Cursor.execute

    def execute(self, query, params=None, **kwargs):
        sent.append(str(query))
        return original(self, query, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    return sent


@pytest.mark.parametrize("withdrawn", [False, True])
def test_the_takedown_check_costs_the_same_statements_for_a_batch_of_any_size(
    http_server, feed, curator, statements, withdrawn
):
    serve(http_server, tweet("0", "jane", "First"))
    rule(RuleScope.FEED, feed.pk)
    poll(feed)
    if withdrawn:
        grant("account", Account.objects.get(handle="jane").pk, curator)
    counts = []
    for start, size in ((100, 3), (200, 60)):
        serve(http_server, *(tweet(str(start + n), "jane", f"post {n}") for n in range(size)))
        statements.clear()
        poll(feed)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def _wait_for_a_lock(settings) -> bool:
    """Whether a session of the test database is waiting for a lock, within ten seconds.
    (Asked on a connection of its own: within a transaction the statistics views show the
    same snapshot each time.)"""
    with psycopg.connect(**settings, autocommit=True) as watcher:
        for _ in range(200):
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()[0]
            if waiting:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_batch_written_while_a_takedown_is_granted_waits_and_then_sees_it(
    http_server, feed, curator
):
    serve(http_server, tweet("1", "jane", "My story"), tweet("2", "ann", "Me too"))
    rule(RuleScope.FEED, feed.pk)
    poll(feed)
    jane = Account.objects.get(handle="jane")
    settings = connection.get_connection_params()
    granting = psycopg.connect(**settings, autocommit=False)
    try:
        # A grant under way in another session: the account withdrawn, not yet committed.
        granting.execute(
            "UPDATE archive_account SET moderation_state = 'withdrawn' WHERE id = %s", [jane.pk]
        )
        serve(http_server, tweet("3", "jane", "Her next post"))
        result = {}
        reader = threading.Thread(target=lambda: result.update(run=poll(feed)))
        reader.start()
        assert _wait_for_a_lock(settings), "the batch should wait for the grant"
        granting.commit()
        reader.join(timeout=30)
    finally:
        granting.close()
    assert result["run"].status == RunStatus.SUCCEEDED
    post = Post.objects.get(platform_id="3")
    assert (post.moderation_state, post.hold_reason) == ("withdrawn", "account_withdrawn")


@pytest.mark.django_db(transaction=True)
def test_a_grant_made_while_a_batch_is_written_waits_and_then_withdraws_its_posts(curator):
    from tests.factories import AccountFactory

    jane = AccountFactory(published=True, handle="jane")
    settings = connection.get_connection_params()
    batch = psycopg.connect(**settings, autocommit=False)
    try:
        # A batch under way in another session: its post written and checked, not committed.
        batch.execute(
            "INSERT INTO archive_post (platform, platform_id, account_id, text, media_text, "
            "url, language, hashtags, mentions, in_reply_to_platform_id, quote_of_platform_id, "
            "hydrated, content_warning, capture_sha256, moderation_state, created_at, "
            "updated_at) VALUES ('twitter', '7', %s, 'hers', '', '', '', '{}', '{}', '', '', "
            "true, '', '', 'published', now(), now())",
            [jane.pk],
        )
        granter = threading.Thread(target=lambda: grant("account", jane.pk, curator))
        granter.start()
        assert _wait_for_a_lock(settings), "the grant should wait for the batch"
        batch.commit()
        granter.join(timeout=30)
    finally:
        batch.close()
    assert Post.objects.get(platform_id="7").moderation_state == ModerationState.WITHDRAWN


def test_a_curator_grants_a_post_s_takedown_with_its_thread_from_the_request_page(curator, client):
    from tests.factories import PostFactory

    root = PostFactory(published=True, platform_id="1")
    waiting = PostFactory(platform_id="2", in_reply_to=root, in_reply_to_platform_id="1")
    takedown = takedown_submit(
        entry_url="/", entry_kind="post", entry_id=root.pk, requester_name="J",
        relation="subject", reason="Me and the replies naming me", contact="j@example.org",
    )  # fmt: skip
    client.force_login(curator)
    page = client.get(reverse("curation:takedown", args=[takedown.pk])).content.decode()
    assert 'name="covers_thread"' in page
    client.post(
        reverse("curation:takedown_decide", args=[takedown.pk, "grant"]), {"covers_thread": "1"}
    )
    takedown.refresh_from_db()
    waiting.refresh_from_db()
    assert takedown.state == "granted" and takedown.covers_thread
    assert waiting.hold_reason == HoldReason.THREAD_WITHDRAWN
    page = client.get(reverse("curation:takedown", args=[takedown.pk])).content.decode()
    assert "replies and quotes of the post are held" in page
