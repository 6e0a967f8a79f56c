"""A curator's decision survives the next poll: fields a curator edited are never overwritten,
and a change the source makes to a published entry is kept as a revision and sent back for
review (held, so no rule publishes it again), with an audit row. Each test polls a real local
HTTP feed through the real writer."""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from apps.archive.models import Post, SourceArticle
from apps.core.moderation import HoldReason, ModerationState
from apps.curation.models import ModerationDecision, PublicationRule, RuleScope, SourceRevision
from apps.curation.services import entries_decide, entry_update
from apps.ingest import services
from apps.ingest.models import Feed, Format, RunStatus
from tests.ingest.conftest import FIXTURES, Reply

pytestmark = pytest.mark.django_db


def tweet(pid: str, text: str, lang: str = "en", url_handle: str = "jane") -> str:
    return json.dumps(
        {
            "created_at": "Sun Oct 15 20:21:16 +0000 2017",
            "id_str": pid,
            "full_text": text,
            "user": {"screen_name": url_handle, "name": "Jane"},
            "entities": {"hashtags": [], "user_mentions": []},
            "lang": lang,
        }
    )


@pytest.fixture
def curator(django_user_model):
    call_command("curation_groups", stdout=io.StringIO())
    user = django_user_model.objects.create_user("edna", "edna@example.org", "pw-edna-2017")
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def tweets_feed(http_server):
    feed = Feed.objects.create(
        name="Tweets", url=http_server.url("/tweets.jsonl"), format=Format.TWARC1
    )
    PublicationRule.objects.create(scope=RuleScope.FEED, target_id=feed.pk, description="All")

    def serve(*lines: str) -> None:
        http_server.routes["/tweets.jsonl"] = Reply(body=("\n".join(lines) + "\n").encode())

    feed.serve = serve
    return feed


def poll(feed):
    run = services.feed_poll(feed_id=feed.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def edit(entry, kind: str, actor, **values) -> None:
    for name, value in values.items():
        setattr(entry, name, value)
    entry_update(kind=kind, entry=entry, actor=actor, fields=list(values))


def test_a_curators_redaction_of_a_published_post_survives_the_next_polls(tweets_feed, curator):
    tweets_feed.serve(tweet("1", "It was John Smith, my manager"))
    poll(tweets_feed)
    post = Post.objects.get(platform_id="1")
    assert post.moderation_state == ModerationState.PUBLISHED
    edit(post, "post", curator, text="It was [name removed], my manager", language="en-GB")

    poll(tweets_feed)  # the source unchanged
    tweets_feed.serve(tweet("1", "It was John Smith, my manager!", lang="fr"))
    poll(tweets_feed)  # the source changed the very fields the curator edited

    post.refresh_from_db()
    assert post.text == "It was [name removed], my manager"
    assert post.language == "en-GB"
    assert post.moderation_state == ModerationState.PUBLISHED
    assert not SourceRevision.objects.exists()


def test_a_source_change_to_a_published_post_becomes_a_revision_and_goes_back_for_review(
    tweets_feed, curator, client
):
    tweets_feed.serve(tweet("1", "Me too. It happened at work."))
    poll(tweets_feed)
    post = Post.objects.get(platform_id="1")
    assert post.moderation_state == ModerationState.PUBLISHED
    public_url = post.get_absolute_url()

    tweets_feed.serve(tweet("1", "Me too. It happened at work, at ACME, in 2009."))
    run = poll(tweets_feed)
    assert run.counts["updated"] == 1

    post.refresh_from_db()
    # Back in the queue, and the feed's rule did not publish it again in the same batch.
    assert post.moderation_state == ModerationState.PENDING
    assert post.hold_reason == HoldReason.SOURCE_CHANGED
    revision = SourceRevision.objects.get(entry_kind="post", entry_id=post.pk)
    assert revision.previous == {"text": "Me too. It happened at work."}
    assert revision.incoming == {"text": "Me too. It happened at work, at ACME, in 2009."}
    assert revision.capture_sha256 == post.capture_sha256
    decision = ModerationDecision.objects.filter(entry_kind="post", entry_id=post.pk).last()
    assert (decision.from_state, decision.to_state, decision.actor, decision.rule) == (
        "published", "pending", None, None,
    )  # fmt: skip
    assert "Changed at the source (text)" in decision.reason
    assert client.get(public_url).status_code == 404

    poll(tweets_feed)  # polled again: still waiting, one revision
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.PENDING
    assert SourceRevision.objects.count() == 1

    client.force_login(curator)
    queue = client.get(reverse("curation:queue"), {"kind": "post"}).content.decode()
    assert "changed at the source after it was published" in queue
    detail = client.get(reverse("curation:entry", args=["post", post.pk])).content.decode()
    assert "Changes made at the source after publication" in detail
    assert "Me too. It happened at work." in detail

    entries_decide(kind="post", ids=[post.pk], action="approve", actor=curator)
    post.refresh_from_db()
    assert (post.moderation_state, post.hold_reason) == ("published", "")


def test_a_change_to_a_post_not_yet_published_is_simply_written(tweets_feed):
    PublicationRule.objects.all().delete()
    tweets_feed.serve(tweet("1", "First words"))
    poll(tweets_feed)
    tweets_feed.serve(tweet("1", "Second words"))
    poll(tweets_feed)
    post = Post.objects.get(platform_id="1")
    assert (post.text, post.moderation_state, post.hold_reason) == ("Second words", "pending", "")
    assert not SourceRevision.objects.exists()


def test_an_articles_curated_title_and_excerpt_survive_a_repoll(http_server, curator):
    original = (FIXTURES / "news_rss.xml").read_bytes()
    http_server.routes["/news.xml"] = Reply(body=original)
    feed = Feed.objects.create(name="News", url=http_server.url("/news.xml"), format=Format.RSS)
    PublicationRule.objects.create(scope=RuleScope.FEED, target_id=feed.pk, description="Daily")
    poll(feed)
    article = SourceArticle.objects.get(canonical_url__contains="burke")
    assert article.moderation_state == ModerationState.PUBLISHED
    edit(article, "article", curator, title="Tarana Burke founded me too in 2006",
         excerpt="A curated summary.")  # fmt: skip

    changed = original.replace(
        b"The woman who created #MeToo long before hashtags", b"A new headline"
    ).replace(
        b"Tarana Burke started the movement in 2006.</description>", b"New teaser.</description>"
    )
    http_server.routes["/news.xml"] = Reply(body=changed)
    poll(feed)

    article.refresh_from_db()
    assert article.title == "Tarana Burke founded me too in 2006"
    assert article.excerpt == "A curated summary."
    assert article.moderation_state == ModerationState.PUBLISHED
    assert not SourceRevision.objects.exists()


def test_a_source_change_to_a_published_articles_other_fields_goes_back_for_review(
    http_server, curator
):
    original = (FIXTURES / "news_rss.xml").read_bytes()
    http_server.routes["/news.xml"] = Reply(body=original)
    feed = Feed.objects.create(name="News", url=http_server.url("/news.xml"), format=Format.RSS)
    PublicationRule.objects.create(scope=RuleScope.FEED, target_id=feed.pk, description="Daily")
    poll(feed)
    article = SourceArticle.objects.get(canonical_url__contains="burke")
    edit(article, "article", curator, title="A curated title")
    http_server.routes["/news.xml"] = Reply(
        body=original.replace(b"long before hashtags", b"NEW").replace(
            b"Tarana Burke started the movement in 2006.</description>",
            b"A new teaser.</description>",
        )
    )
    poll(feed)
    article.refresh_from_db()
    assert article.title == "A curated title"
    assert article.excerpt == "A new teaser."
    assert (article.moderation_state, article.hold_reason) == ("pending", "source_changed")
    revision = SourceRevision.objects.get(entry_kind="article", entry_id=article.pk)
    assert revision.previous == {"excerpt": "Tarana Burke started the movement in 2006."}
    assert revision.incoming == {"excerpt": "A new teaser."}
