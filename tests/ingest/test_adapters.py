"""The format adapters, on small fixtures written for the project (no database needed)."""

import datetime
import io
import json

import pytest

from apps.ingest import adapters
from apps.ingest.models import Format
from tests.ingest.conftest import fixture_bytes

UTC = datetime.UTC


def read(name, fmt=None):
    data = fixture_bytes(name)
    fmt = fmt or adapters.detect_format(data[:65536], name=name)
    return fmt, list(adapters.READERS[fmt](io.BytesIO(data), source=name))


def items(records, kind):
    return [r for r in records if isinstance(r, kind)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("news_rss.xml", Format.RSS),
        ("atom.xml", Format.RSS),
        ("rdf.xml", Format.RSS),
        ("latin1.xml", Format.RSS),
        ("jsonfeed11.json", Format.JSONFEED),
        ("jsonfeed10.json", Format.JSONFEED),
        ("mastodon_tag.json", Format.MASTODON),
        ("mastodon_tag.rss", Format.MASTODON_RSS),
        ("bluesky_search.json", Format.BLUESKY),
        ("twarc1.jsonl", Format.TWARC1),
        ("twarc2.jsonl", Format.TWARC2),
        ("tweet_ids.txt", Format.TWEET_IDS),
    ],
)
def test_each_format_is_detected_from_its_first_bytes(name, expected):
    assert adapters.detect_format(fixture_bytes(name)[:65536], name=name) == expected


@pytest.mark.parametrize("head", [b"", b"   \n", b"hello world", b'{"what": 1}', b"[1, 2]"])
def test_unrecognisable_input_is_refused_with_a_reason(head):
    with pytest.raises(adapters.SourceError):
        adapters.detect_format(head)


def test_rss_entries_become_articles_with_plain_text_and_utc_dates():
    _, records = read("news_rss.xml")
    first, second = items(records, adapters.ArticleRecord)
    assert first.title == "Harvey Weinstein Paid Off Sexual Harassment Accusers for Decades"
    assert first.authors == ["Jodi Kantor"]
    assert first.published_at == datetime.datetime(2017, 10, 5, 18, 20, tzinfo=UTC)
    assert first.excerpt == "An investigation found previously undisclosed allegations."
    assert "alert" not in first.excerpt and "<" not in first.excerpt
    assert first.language == "en-us"
    assert second.text.startswith("Tarana Burke started the movement in 2006, a decade")
    (error,) = items(records, adapters.ItemError)
    assert error.position == "entry 3" and "no link" in error.reason


def test_atom_and_rss_1_0_entries_are_read():
    _, atom = read("atom.xml")
    (entry,) = items(atom, adapters.ArticleRecord)
    assert entry.title == "Silence Breakers & the reckoning"
    assert entry.authors == ["A. Writer", "B. Editor"]
    assert entry.published_at == datetime.datetime(2017, 12, 6, 12, 0, tzinfo=UTC)
    _, rdf = read("rdf.xml")
    (item,) = items(rdf, adapters.ArticleRecord)
    assert item.url == "https://rdf.example.net/a"
    assert item.published_at == datetime.datetime(2017, 10, 18, 8, 0, tzinfo=UTC)


def test_a_declared_latin_1_encoding_is_honoured():
    _, records = read("latin1.xml")
    (article,) = items(records, adapters.ArticleRecord)
    assert article.title == "Balance ton porc : la parole se libère"
    assert article.excerpt == "Café et société."


def test_broken_markup_is_read_leniently_and_the_break_is_recorded():
    _, records = read("recovered.xml")
    assert len(items(records, adapters.ArticleRecord)) == 1
    (warning,) = items(records, adapters.ItemError)
    assert warning.position.startswith("line 6") and "not well-formed" in warning.reason


def test_xml_that_is_not_a_feed_fails_with_the_line_and_column():
    with pytest.raises(adapters.SourceError, match=r"line 5, column 1"):
        read("broken.xml", Format.RSS)


def test_json_feed_items_become_articles_and_bad_items_are_named():
    _, records = read("jsonfeed11.json")
    first, second = items(records, adapters.ArticleRecord)
    assert first.title == "A JSON Feed story"
    assert first.text == "Hello world"
    assert first.authors == ["Feed Author"]
    assert second.url == "https://other.example.org/story"
    assert second.title.startswith("A microblog post")
    assert second.authors == ["Item Author"]
    assert second.published_at == datetime.datetime(2017, 10, 16, 9, 0, tzinfo=UTC)
    assert [(e.position, e.reason) for e in items(records, adapters.ItemError)] == [
        ("item 3", "the item has no url"),
        ("item 4", "the item is not an object"),
    ]
    _, old = read("jsonfeed10.json")
    (item,) = items(old, adapters.ArticleRecord)
    assert item.url == "https://json10.example.org/a" and item.authors == ["Old Author"]


def test_mastodon_statuses_keep_the_instance_in_handles_and_ids():
    _, records = read("mastodon_tag.json")
    alice, bob, reblogged = items(records, adapters.PostRecord)
    assert alice.platform_id == "mastodon.example:109000000000000001"
    assert alice.handle == "alice@mastodon.example"
    assert alice.text == "Me too. #MeToo & solidarity"
    assert alice.hashtags == ["metoo"]
    assert bob.handle == "bob@other.example"
    assert bob.platform_id == "other.example:555"
    assert bob.mentions == ["alice"]
    assert reblogged.platform_id == alice.platform_id  # a boost is the boosted status
    (error,) = items(records, adapters.ItemError)
    assert error.position == "item 4"


def test_a_mastodon_tag_rss_gives_posts():
    _, records = read("mastodon_tag.rss")
    (post,) = items(records, adapters.PostRecord)
    assert post.platform == "mastodon"
    assert post.platform_id == "mastodon.example:110000000000000007"
    assert post.handle == "dana@mastodon.example"
    assert post.hashtags == ["metoo"]
    assert post.mentions == ["erin"]


def test_bluesky_post_views_give_tags_mentions_replies_and_quotes():
    _, records = read("bluesky_search.json")
    first, reply = items(records, adapters.PostRecord)
    assert first.platform_id == "did:plc:abcdefghijklmnopqrstuvwx/3kabc2def3g4h"
    assert first.handle == "survivor.bsky.social"
    assert first.hashtags == ["MeToo"]
    assert first.mentions == ["friend.bsky.social"]
    assert first.language == "en"
    assert first.url == "https://bsky.app/profile/survivor.bsky.social/post/3kabc2def3g4h"
    assert reply.in_reply_to_platform_id == first.platform_id
    assert reply.quote_of_platform_id == first.platform_id
    (error,) = items(records, adapters.ItemError)
    assert error.position == "item 3" and "AT URI" in error.reason


def test_twarc_v1_lines_give_tweets_retweeted_and_quoted_and_skip_a_truncated_line():
    _, records = read("twarc1.jsonl")
    posts = items(records, adapters.PostRecord)
    ids = [p.platform_id for p in posts]
    assert ids == [
        "919659299755700224",
        "919669299755700225",
        "919869299755700226",
        "919659299755700224",  # the retweeted tweet, embedded
        "919889299755700227",
    ]
    milano = posts[0]
    assert milano.text.endswith("as a reply to this tweet. & #MeToo")
    assert milano.posted_at == datetime.datetime(2017, 10, 15, 20, 21, 16, tzinfo=UTC)
    assert milano.hashtags == ["MeToo"]
    assert posts[1].in_reply_to_platform_id == "919659299755700224"
    assert posts[1].mentions == ["Alyssa_Milano"]
    assert posts[4].quote_of_platform_id == "919659299755700224"
    (error,) = items(records, adapters.ItemError)
    assert error.position == "line 5" and "invalid JSON" in error.reason


def test_twarc_v2_pages_use_the_included_users_and_referenced_tweets():
    _, records = read("twarc2.jsonl")
    posts = {p.platform_id: p for p in items(records, adapters.PostRecord)}
    reply = posts["919659299755700300"]
    assert reply.handle == "v2_user" and reply.display_name == "V2 User"
    assert reply.in_reply_to_platform_id == "919659299755700224"
    assert reply.hashtags == ["MeToo"] and reply.mentions == ["Alyssa_Milano"]
    assert posts["919659299755700301"].quote_of_platform_id == "919659299755700224"
    assert posts["919659299755700224"].handle == "Alyssa_Milano"
    assert (
        posts["919659299755700302"].text == "streamed"
    )  # a filtered-stream line: data is one object
    (error,) = items(records, adapters.ItemError)
    assert error.position == "line 2" and "Not Found Error" in error.reason


def test_a_tweet_id_list_gives_posts_that_are_not_hydrated():
    _, records = read("tweet_ids.txt")
    posts = items(records, adapters.PostRecord)
    assert [p.platform_id for p in posts] == [
        "919659299755700224",
        "919659299755700999",
        "919659299755701000",
    ]
    assert not any(p.hydrated for p in posts)
    (error,) = items(records, adapters.ItemError)
    assert error.position == "line 5"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://News.Example.ORG:443/a/B.html?utm_source=x&id=7&fbclid=y#top",
            "https://news.example.org/a/B.html?id=7",
        ),
        ("http://example.org", "http://example.org/"),
        ("http://example.org:8080/x?gclid=1", "http://example.org:8080/x"),
    ],
)
def test_canonical_urls_drop_case_tracking_and_fragments(url, expected):
    assert adapters.canonical_url(url) == expected


def test_a_url_that_is_not_http_has_no_canonical_form():
    with pytest.raises(ValueError, match="not an http"):
        adapters.canonical_url("javascript:alert(1)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-10-15T20:21:16Z", datetime.datetime(2017, 10, 15, 20, 21, 16, tzinfo=UTC)),
        ("2017-10-15T22:21:16+02:00", datetime.datetime(2017, 10, 15, 20, 21, 16, tzinfo=UTC)),
        ("Sun Oct 15 20:21:16 +0000 2017", datetime.datetime(2017, 10, 15, 20, 21, 16, tzinfo=UTC)),
        (
            "Sun, 15 Oct 2017 16:21:16 -0400",
            datetime.datetime(2017, 10, 15, 20, 21, 16, tzinfo=UTC),
        ),
        ("2017-10-15 20:21:16", datetime.datetime(2017, 10, 15, 20, 21, 16, tzinfo=UTC)),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_the_wild_are_read_as_utc(value, expected):
    assert adapters.parse_datetime(value) == expected


def test_cp1252_json_is_read_rather_than_refused():
    data = '[{"uri": "https://m.example/users/a/statuses/1", "url": "https://m.example/@a/1", '
    data += (
        '"content": "<p>caf\u00e9</p>", "account": {"acct": "a", "url": "https://m.example/@a"}}]'
    )
    (post,) = adapters.read_mastodon(io.BytesIO(data.encode("cp1252")))
    assert post.text == "café"


def test_invalid_json_documents_fail_with_line_and_column():
    with pytest.raises(adapters.SourceError, match=r"line 2, column \d+"):
        list(adapters.read_bluesky(io.BytesIO(b'{"posts": [\n  {"uri": }]}')))


def test_2017_mastodon_statuses_with_ostatus_uris_keep_their_origin():
    status = {
        "id": "172429",
        "uri": "tag:mstdn.example,2017-10-16:objectId=172429:objectType=Status",
        "url": "https://mstdn.example/@iori/172429",
        "created_at": "2017-10-16T06:11:41.893Z",
        "content": "<p>#MeToo</p>",
        "account": {"acct": "iori", "url": "https://mstdn.example/@iori"},
    }
    document = {"accounts": [], "statuses": [status], "hashtags": []}
    data = json.dumps(document).encode()
    assert adapters.detect_format(data) == Format.MASTODON
    (post,) = adapters.read_mastodon(io.BytesIO(data))
    assert post.platform_id == "mstdn.example:172429"
    assert post.handle == "iori@mstdn.example"


def test_a_pretty_printed_tweet_or_timeline_is_read_as_one_document():
    timeline = [
        {"id_str": "1", "text": "one", "user": {"screen_name": "a"}},
        {"id_str": "2", "text": "two", "user": {"screen_name": "b"}},
    ]
    data = json.dumps(timeline, indent=2).encode()
    assert adapters.detect_format(data) == Format.TWARC1
    posts = list(adapters.read_twarc1(io.BytesIO(data)))
    assert [p.platform_id for p in posts] == ["1", "2"]
