import datetime
import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core.content import content_version
from apps.core.moderation import ModerationState
from apps.search.models import SearchEntry
from apps.timeline.models import Chapter, DatedClaim, EventSource, TimelineEvent
from apps.timeline.seeding import story_seed
from apps.timeline.storydata import DATA_DIR
from tests.index_writes import index_writes

pytestmark = pytest.mark.django_db

MILANO_NOTE = (
    "Suggested by a friend: If all the women who have been sexually harassed or assaulted wrote "
    "'Me too' as a status, we might give people a sense of the magnitude of the problem."
)


@pytest.fixture
def seed_report():
    return story_seed()


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Outlet,
            SourceArticle,
            Account,
            Post,
            Chapter,
            TimelineEvent,
            EventSource,
            DatedClaim,
        )
    }


def test_seeding_creates_published_events_from_2006_to_october_2017(seed_report):
    events = TimelineEvent.objects.published()
    assert events.count() >= 30
    assert events.filter(date__year=2006).exists()
    assert events.filter(date__range=(datetime.date(2017, 10, 25), datetime.date(2017, 10, 31)))
    assert not events.filter(date__gt=datetime.date(2017, 10, 31)).exists()
    assert not TimelineEvent.objects.exclude(moderation_state=ModerationState.PUBLISHED).exists()
    assert not events.filter(chapter__isnull=True).exists()


def test_every_seeded_event_cites_its_sources(seed_report):
    assert not TimelineEvent.objects.filter(sources__isnull=True).exists()
    weinstein = TimelineEvent.objects.get(slug="2017-10-05-nyt-weinstein-investigation")
    global_citizen = weinstein.sources.get(url__contains="globalcitizen.org")
    assert global_citizen.article.outlet.name == "Global Citizen"
    assert weinstein.articles.filter(pk=global_citizen.article.pk).exists()


def test_chapters_run_from_the_origins_to_the_spread(seed_report):
    chapters = list(Chapter.objects.order_by("position"))
    assert len(chapters) == 5
    assert chapters[0].events.filter(date__year=2006).exists()
    assert all(chapter.introduction and chapter.events.exists() for chapter in chapters)


def test_origin_event_is_contested_between_2006_and_2007(seed_report):
    origin = TimelineEvent.objects.get(slug="2006-burke-starts-me-too")
    assert origin.date == datetime.date(2006, 1, 1)
    assert origin.date_precision == "year"
    assert origin.is_contested
    assert origin.is_highlight
    years = {claim.date.year for claim in origin.claims.all()}
    assert years == {2006, 2007}
    assert origin.claims.filter(date__year=2006).count() >= 3
    assert all(c.is_preferred for c in origin.claims.filter(date__year=2006))
    assert not origin.claims.filter(date__year=2007, is_preferred=True).exists()


def test_other_date_disputes_are_recorded_as_claims(seed_report):
    for slug, dates in {
        "2006-just-be-inc-founded": {2003, 2006, 2007},
        "2017-10-12-twitter-locks-mcgowan-account": {11, 12},
        "2017-10-13-quellavoltache-launched": {12, 13},
    }.items():
        event = TimelineEvent.objects.get(slug=slug)
        assert event.is_contested
        named = {
            c.date.year if c.date_precision == "year" else c.date.day for c in event.claims.all()
        }
        assert named == dates


def test_uncontested_events_are_not_marked_disputed(seed_report):
    assert not TimelineEvent.objects.get(slug="2017-10-14-academy-expels-weinstein").is_contested


def test_milanos_tweet_keeps_its_note_and_links_to_event_and_articles(seed_report):
    post = Post.objects.get(platform="twitter", platform_id="archive-milano-2017-10-15")
    assert post.is_published
    assert post.media_text == MILANO_NOTE
    assert "write 'me too' as a reply to this tweet" in post.text
    assert post.account.handle == "Alyssa_Milano"
    assert post.account.is_public_figure
    assert post.url == ""
    assert post.posted_at == datetime.datetime(2017, 10, 15, 12, tzinfo=datetime.UTC)

    event = post.events.get()
    assert event.date == datetime.date(2017, 10, 15)
    assert event.time_note == "afternoon (PT), unconfirmed"
    assert event.is_highlight
    assert post.quoted_in_articles.count() == 5


def test_seeded_posts_never_claim_a_status_url_or_real_id(seed_report):
    for post in Post.objects.all():
        assert post.platform_id.startswith("archive-")
        assert post.url == ""
        assert post.posted_at is None or post.posted_at.tzinfo is not None


def test_creasys_reply_answers_the_private_users_post(seed_report):
    reply = Post.objects.get(platform_id="archive-creasy-2017-10-reply")
    assert reply.text.startswith("Not 'admitting' anything.")
    assert reply.in_reply_to.account.is_public_figure is False
    assert reply.in_reply_to.in_reply_to.platform_id == "archive-creasy-2017-10-me-too"


def test_private_quoted_people_are_not_public_figures(seed_report):
    private = Account.objects.filter(is_public_figure=False)
    assert private.exists()
    for account in private:
        assert not account.handle_visible
        assert account.public_name == account.pseudonym
        assert account.handle not in account.public_name
    public = Account.objects.get(platform="twitter", handle="stellacreasy")
    assert public.public_name == "@stellacreasy"


def test_the_five_articles_have_outlet_title_date_and_short_excerpt(seed_report):
    articles = SourceArticle.objects.published().select_related("outlet")
    assert articles.count() == 5
    for article in articles:
        assert article.outlet is not None
        assert article.outlet.is_published
        assert article.title
        assert article.published_at.date() == datetime.date(2017, 10, 16)
        assert 0 < len(article.excerpt) < 300
        assert len(article.text) > 1000
        assert article.excerpt.split(",")[0] in article.text
        assert article.canonical_url.split("/")[2] == article.outlet.domain.lower()
    e_news = articles.get(outlet__domain="www.eonline.com")
    assert e_news.authors == ["Elyse Dupre"]
    assert e_news.published_at == datetime.datetime(2017, 10, 16, 12, 31, tzinfo=datetime.UTC)
    elle = articles.get(outlet__domain="www.elleuk.com")
    assert "Sunday night" in elle.date_note


def test_seeding_twice_creates_nothing_and_reports_everything_unchanged(seed_report):
    before = row_counts()
    assert seed_report.created == sum(before.values())

    again = story_seed()

    assert row_counts() == before
    assert again.created == 0
    assert again.updated == 0
    assert again.unchanged == seed_report.created


def test_reseeding_repairs_an_edited_event_and_reports_it(seed_report):
    TimelineEvent.objects.filter(slug="2017-10-08-weinstein-fired").update(title="Edited")
    Post.objects.get(platform_id="archive-milano-2017-10-15").events.clear()

    again = story_seed()

    # One event changed, the other lost its link to a post.
    assert again.counts["events"]["updated"] == 2
    assert again.updated == 2
    fired = TimelineEvent.objects.get(slug="2017-10-08-weinstein-fired")
    assert fired.title != "Edited"
    assert TimelineEvent.objects.get(slug="2017-10-15-milano-me-too-tweet").posts.exists()


def test_reseeding_keeps_a_curators_withdrawal(seed_report):
    Post.objects.filter(platform_id="archive-evanrachelwood-2017-10-15").update(
        moderation_state=ModerationState.WITHDRAWN
    )

    story_seed()

    post = Post.objects.get(platform_id="archive-evanrachelwood-2017-10-15")
    assert post.moderation_state == ModerationState.WITHDRAWN


def test_seed_command_prints_what_it_did():
    out = StringIO()
    call_command("seed", stdout=out)
    assert "events: " in out.getvalue()
    assert "created" in out.getvalue()

    out = StringIO()
    call_command("seed", stdout=out)
    assert "Seeded: 0 created, 0 updated" in out.getvalue()


def test_seed_if_empty_skips_a_timeline_that_has_events(seed_report):
    Post.objects.filter(platform_id="archive-milano-2017-10-15").delete()
    out = StringIO()

    call_command("seed", if_empty=True, stdout=out)

    assert "nothing seeded" in out.getvalue()
    assert not Post.objects.filter(platform_id="archive-milano-2017-10-15").exists()


def test_seed_if_empty_seeds_an_empty_timeline():
    call_command("seed", "--if-empty", stdout=StringIO())
    assert TimelineEvent.objects.count() >= 30


def test_seeding_indexes_each_entry_once_and_a_rerun_touches_neither_index_nor_version():
    with CaptureQueriesContext(connection) as queries:
        story_seed()
    assert index_writes(queries) == {"account": 1, "post": 1, "article": 1, "event": 1}
    published_events = TimelineEvent.objects.published().count()
    assert SearchEntry.objects.filter(kind="event").count() == published_events
    assert SearchEntry.objects.filter(kind="post").count() == Post.objects.published().count()
    version = content_version()
    with CaptureQueriesContext(connection) as again:
        story_seed()
    assert index_writes(again) == {}
    assert content_version() == version


def test_a_reseed_that_renames_an_account_reindexes_its_posts(tmp_path):
    story_seed()
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    accounts = json.loads((data_dir / "accounts.json").read_text())
    handle = next(h for h, a in accounts.items() if a.get("is_public_figure"))
    accounts[handle]["display_name"] = "Zanzibar Quillfeather"
    (data_dir / "accounts.json").write_text(json.dumps(accounts))
    with CaptureQueriesContext(connection) as queries:
        story_seed(data_dir=data_dir)
    assert index_writes(queries) == {"account": 1, "post": 1}
    account = Account.objects.get(handle=handle)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM search_searchentry WHERE kind = 'post' AND account_id = %s "
            "AND document @@ %s::tsquery",
            [account.pk, "'quillfeather'"],
        )
        assert cursor.fetchone()[0] == account.posts.published().count() > 0
