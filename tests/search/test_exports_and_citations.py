import csv
import datetime
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from apps.curation.services import entries_transition
from apps.search import citations, exports
from tests.factories import (
    AccountFactory,
    OutletFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db

CAPTURED = datetime.datetime(2017, 10, 16, 8, 0, tzinfo=datetime.UTC)
SHA = "ab" * 32


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_json(response) -> dict:
    assert isinstance(response, StreamingHttpResponse)
    return json.loads(b"".join(response.streaming_content))


def test_csv_export_has_the_documented_columns_and_provenance(client):
    milano = AccountFactory(published=True, handle="Alyssa_Milano", is_public_figure=True)
    PostFactory(
        published=True,
        account=milano,
        text="Me too.",
        url="https://twitter.com/Alyssa_Milano/status/919659438700670976",
        captured_at=CAPTURED,
        capture_sha256=SHA,
        hashtags=["MeToo"],
    )
    response = client.get(reverse("search:export_csv"), {"q": '"me too"'})
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == exports.COLUMNS
    assert rows[0]["original_url"].endswith("/919659438700670976")
    assert rows[0]["captured_at"] == CAPTURED.isoformat()
    assert rows[0]["content_sha256"] == SHA
    assert rows[0]["author"] == "'@Alyssa_Milano"  # defused for spreadsheets
    assert rows[0]["hashtags"] == "#MeToo"


def test_export_streams_every_matching_row_in_batches(client, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 4)
    posts = [
        PostFactory(
            published=True,
            text="metoo",
            posted_at=datetime.datetime(2017, 10, 15, tzinfo=datetime.UTC)
            + datetime.timedelta(minutes=i),
        )
        for i in range(11)
    ]
    PostFactory(published=True, text="unrelated")
    rows = read_csv(client.get(reverse("search:export_csv"), {"q": "metoo"}))
    assert [int(row["id"]) for row in rows] == [post.pk for post in posts]


def test_json_export_takes_the_same_parameters_and_says_how_the_query_was_read(client):
    outlet = OutletFactory(name="Variety")
    SourceArticleFactory(
        published=True, outlet=outlet, title="Weinstein", captured_at=CAPTURED, capture_sha256=SHA
    )
    PostFactory(published=True, text="weinstein")
    data = read_json(
        client.get(reverse("search:export_json"), {"q": "weinstein", "outlet": outlet.pk})
    )
    assert data["understood_as"] == ["weinstein"]
    assert data["columns"] == exports.COLUMNS
    assert [row["kind"] for row in data["results"]] == ["article"]
    assert data["results"][0]["content_sha256"] == SHA
    assert data["results"][0]["outlet"] == "Variety"


def test_withdrawn_entries_are_absent_from_exports(client):
    kept = PostFactory(published=True, text="metoo kept")
    gone = PostFactory(published=True, text="metoo gone")
    saved_away = PostFactory(published=True, text="metoo saved away")
    entries_transition(kind="post", ids=[gone.pk], to_state="withdrawn")
    saved_away.moderation_state = "withdrawn"
    saved_away.save()
    rows = read_csv(client.get(reverse("search:export_csv"), {"q": "metoo"}))
    assert [int(row["id"]) for row in rows] == [kept.pk]
    data = read_json(client.get(reverse("search:export_json"), {"q": "metoo"}))
    assert [row["id"] for row in data["results"]] == [kept.pk]


def test_a_private_persons_post_is_exported_without_its_url_or_handle(client):
    private = AccountFactory(published=True, handle="jane_private")
    PostFactory(published=True, account=private, text="metoo", url="https://x.com/jane_private/1")
    rows = read_csv(client.get(reverse("search:export_csv"), {"q": "metoo"}))
    assert rows[0]["original_url"] == ""
    assert "jane_private" not in json.dumps(rows)
    assert rows[0]["author"].startswith("Contributor ")


def article_for_citation(**kwargs):
    outlet = OutletFactory(name="The New York Times", domain="www.nytimes.com")
    defaults = {
        "outlet": outlet,
        "title": "Harvey Weinstein Paid Off Sexual Harassment Accusers for Decades",
        "authors": ["Jodi Kantor", "Megan Twohey"],
        "published_at": datetime.datetime(2017, 10, 5, tzinfo=datetime.UTC),
        "canonical_url": "https://www.nytimes.com/2017/10/05/us/harvey-weinstein.html",
        "captured_at": CAPTURED,
        "capture_sha256": SHA,
    }
    return SourceArticleFactory(published=True, **{**defaults, **kwargs})


def test_each_citation_style_names_the_original_the_capture_and_its_hash():
    article = article_for_citation()
    source = citations.source_for(
        article,
        kind="article",
        archive_url="https://archive.example/articles/1/",
        today=datetime.date(2026, 1, 2),
    )
    apa, mla, chicago, bluebook = (style["text"] for style in citations.all_styles(source))
    assert apa.startswith("Kantor, J., & Twohey, M. (2017, October 5). Harvey Weinstein Paid")
    assert mla.startswith("Kantor, Jodi, and Megan Twohey. “Harvey Weinstein Paid Off Sexual")
    assert chicago.startswith("Kantor, Jodi, and Megan Twohey. “Harvey Weinstein Paid Off")
    assert "5 Oct. 2017" in mla and "Accessed 2 Jan. 2026" in mla
    assert "October 5, 2017" in chicago and "(accessed January 2, 2026)" in chicago
    assert bluebook.startswith("Jodi Kantor & Megan Twohey, Harvey Weinstein Paid Off")
    assert "(Oct. 5, 2017)" in bluebook and "captured Oct. 16, 2017" in bluebook
    for text in (apa, mla, chicago, bluebook):
        assert "https://www.nytimes.com/2017/10/05/us/harvey-weinstein.html" in text
        assert "https://archive.example/articles/1/" in text
        assert SHA in text

    bib = citations.bibtex(source)
    assert bib.startswith("@article{metoo-article-")
    assert "author = {Kantor, Jodi and Twohey, Megan}" in bib  # unambiguous family names
    assert "journal = {The New York Times}" in bib
    assert SHA in bib and "\\#MeToo Archive" in bib

    csl = json.loads(citations.csl_json(source))[0]
    assert csl["type"] == "article-newspaper"
    assert csl["issued"] == {"date-parts": [[2017, 10, 5]]}
    assert csl["URL"].startswith("https://www.nytimes.com/")
    assert SHA in csl["note"] and csl["archive_location"] == "https://archive.example/articles/1/"


def test_a_citation_without_a_capture_says_not_recorded():
    article = article_for_citation(captured_at=None, capture_sha256="")
    source = citations.source_for(article, kind="article", archive_url="https://a.example/1/")
    for style in citations.all_styles(source):
        assert "not recorded" in style["text"], style


def test_entry_pages_offer_every_style_and_the_downloads(client, django_assert_num_queries):
    article = article_for_citation()
    html = client.get(article.get_absolute_url()).content.decode()
    for name in ("APA", "MLA", "Chicago", "Bluebook", "BibTeX", "CSL-JSON"):
        assert name in html
    assert SHA in html

    post = PostFactory(published=True, captured_at=CAPTURED, capture_sha256=SHA)
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'id="cite-apa"' in html and "withheld" in html  # a private person's post

    event = TimelineEventFactory(published=True, title="Milano tweets")
    html = client.get(event.get_absolute_url()).content.decode()
    assert 'id="cite-chicago"' in html and "Milano tweets" in html


@pytest.mark.parametrize("url", ["", "https://x.com/Alyssa_Milano/status/919659438700670976"])
def test_a_public_figures_post_gives_its_address_or_says_it_was_not_recorded(client, url):
    """Only a private person's post withholds its address; a public figure's post known only
    by its id (no address collected) says "not recorded", never "private person"."""
    figure = AccountFactory(published=True, handle="Alyssa_Milano", is_public_figure=True)
    post = PostFactory(published=True, account=figure, url=url)
    source = citations.source_for(post, kind="post", archive_url="https://a.example/posts/1/")
    html = client.get(post.get_absolute_url()).content.decode()
    texts = [style["text"] for style in citations.all_styles(source)]
    assert "withheld" not in html and not any("withheld" in text for text in texts)
    assert not any("private person" in text for text in texts)
    if url:
        assert f'<span class="original-url">{url}</span>' in html
        assert all(url in text for text in texts)
    else:
        assert "Original: not recorded" in html


def test_citation_downloads_are_served_and_withdrawn_entries_are_gone(client):
    article = article_for_citation()
    post = PostFactory(published=True)
    post_bib = client.get(reverse("search:cite_bibtex", args=["post", post.pk])).content.decode()
    assert "author = {{Contributor " in post_bib  # a pseudonym, kept whole
    bib = client.get(reverse("search:cite_bibtex", args=["article", article.pk]))
    assert bib.status_code == 200 and bib["Content-Type"] == "application/x-bibtex"
    assert b"Kantor" in bib.content
    csl = client.get(reverse("search:cite_csl", args=["article", article.pk]))
    assert json.loads(csl.content)[0]["title"].startswith("Harvey Weinstein")

    entries_transition(kind="article", ids=[article.pk], to_state="withdrawn")
    gone = client.get(reverse("search:cite_bibtex", args=["article", article.pk]))
    assert gone.status_code == 410 and b"Kantor" not in gone.content
    pending = PostFactory()
    assert client.get(reverse("search:cite_csl", args=["post", pending.pk])).status_code == 404
    assert client.get("/cite/account/1.bib").status_code == 404


def test_events_and_public_accounts_are_exported_too(client):
    TimelineEventFactory(published=True, title="Weinstein fired")
    AccountFactory(published=True, handle="weinstein_watch", is_public_figure=True)
    AccountFactory(published=True, handle="weinstein_private")  # never indexed
    data = read_json(client.get(reverse("search:export_json"), {"q": "weinstein"}))
    assert sorted(row["kind"] for row in data["results"]) == ["account", "event"]
    account = next(row for row in data["results"] if row["kind"] == "account")
    assert account["author"] == "@weinstein_watch"
    assert set(account) == set(exports.COLUMNS)
