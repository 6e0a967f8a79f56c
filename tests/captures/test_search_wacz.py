"""A search's articles as one WACZ: the same search as /search/, only published articles' latest
captures, a page listed for each, a package the WACZ validator passes; nothing pending or
withdrawn leaves, a file whose fixity fails is left out, and the download shares the exports'
limits."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from warcio.archiveiterator import ArchiveIterator

from apps.archive.models import SourceArticle
from apps.captures.models import FileKind
from apps.captures.storage import validate_wacz
from apps.core.moderation import ModerationState
from tests.factories import SourceArticleFactory

pytestmark = pytest.mark.django_db

URL = "/captures/search.wacz"


def article(url: str, title: str, **traits):
    return SourceArticleFactory(canonical_url=url, url=url, title=title, **traits)


def download(client, tmp_path, query: str) -> tuple[Path, list[dict], list[str]]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith('attachment; filename="metoo-archive-search-')
    assert response["Content-Disposition"].endswith('.wacz"')
    path = tmp_path / "download.wacz"
    path.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(path) as package:
        lines = package.read("pages/pages.jsonl").decode().splitlines()
        pages = [json.loads(line) for line in lines[1:]]
        urls = []
        for name in package.namelist():
            if name.startswith("archive/"):
                with package.open(name) as warc:
                    urls += [
                        r.rec_headers.get_header("WARC-Target-URI")
                        for r in ArchiveIterator(warc)
                        if r.rec_type == "response"
                    ]
    return path, pages, urls


@pytest.fixture
def weinstein_search(make_capture):
    """Four articles about Weinstein, each captured, in every moderation state, and one about
    something else."""
    day = datetime.datetime(2017, 10, 16, tzinfo=datetime.UTC)
    found = article("https://news.example.org/weinstein", "Weinstein accused", published=True)
    make_capture(found.canonical_url, article=found, when=day)
    make_capture(
        found.canonical_url,
        "<html><title>Weinstein, updated</title><body>later</body></html>",
        article=found,
        when=day + datetime.timedelta(days=3),
        requisites={"https://news.example.org/site.css": ("text/css", b"p{}")},
    )
    other = article("https://news.example.org/weather", "Storm on the coast", published=True)
    make_capture(other.canonical_url, article=other, when=day)
    pending = article("https://news.example.org/weinstein-pending", "Weinstein pending")
    make_capture(pending.canonical_url, article=pending, when=day)
    withdrawn = article(
        "https://news.example.org/weinstein-withdrawn", "Weinstein withdrawn", withdrawn=True
    )
    make_capture(withdrawn.canonical_url, article=withdrawn, when=day)
    uncaptured = article(
        "https://news.example.org/weinstein-bare", "Weinstein bare", published=True
    )
    return found, uncaptured


def test_a_search_s_captured_articles_download_as_one_valid_wacz(
    client, tmp_path, weinstein_search
):
    found, _ = weinstein_search

    path, pages, urls = download(client, tmp_path, "?q=weinstein")

    assert validate_wacz(path)
    assert [page["url"] for page in pages] == [found.canonical_url]
    assert pages[0]["title"] == "Weinstein accused"
    assert pages[0]["ts"].startswith("2017-10-19")  # the latest capture, not the first
    assert urls == [found.canonical_url, "https://news.example.org/site.css"]


def test_pending_and_withdrawn_articles_captures_never_leave_in_the_package(
    client, tmp_path, weinstein_search, make_capture
):
    # Withdrawn behind the index's back (its row still there): the captures' own check holds.
    stale = article("https://news.example.org/weinstein-stale", "Weinstein stale", published=True)
    make_capture(stale.canonical_url, article=stale)
    SourceArticle.objects.filter(pk=stale.pk).update(moderation_state=ModerationState.WITHDRAWN)

    _, pages, urls = download(client, tmp_path, "?q=weinstein")

    assert [p["url"] for p in pages] == ["https://news.example.org/weinstein"]
    assert not any("pending" in u or "withdrawn" in u or "stale" in u for u in urls)


def test_the_search_s_filters_apply_as_on_the_search_page(client, tmp_path, weinstein_search):
    _, pages, _ = download(client, tmp_path, "?q=storm&kind=article")

    assert [page["url"] for page in pages] == ["https://news.example.org/weather"]


def test_a_search_with_no_captured_articles_answers_a_clear_404(client, weinstein_search):
    response = client.get(URL + "?q=bare")

    assert response.status_code == 404
    assert b"No captured articles in this search" in response.content
    assert b'href="/search/?q=bare"' in response.content


def test_a_download_holds_at_most_the_maximum_newest_articles_first(
    client, tmp_path, make_capture, settings
):
    settings.CAPTURE_SEARCH_WACZ_MAX_ARTICLES = 2
    for day in (1, 2, 3):
        entry = article(
            f"https://news.example.org/story-{day}",
            f"Story {day}",
            published=True,
            published_at=datetime.datetime(2017, 10, day, tzinfo=datetime.UTC),
        )
        make_capture(entry.canonical_url, article=entry)

    _, pages, _ = download(client, tmp_path, "?q=story")

    assert [p["url"] for p in pages] == [
        "https://news.example.org/story-3",
        "https://news.example.org/story-2",
    ]


def test_a_capture_whose_file_no_longer_matches_its_fixity_is_left_out(
    client, tmp_path, make_capture
):
    kept = article("https://news.example.org/kept", "Weinstein kept", published=True)
    make_capture(kept.canonical_url, article=kept)
    altered = article("https://news.example.org/altered", "Weinstein altered", published=True)
    capture = make_capture(altered.canonical_url, article=altered)
    warc = settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path
    warc.write_bytes(warc.read_bytes() + b"\x1f\x8b tampered")

    path, pages, urls = download(client, tmp_path, "?q=weinstein")

    assert [p["url"] for p in pages] == [kept.canonical_url]
    assert altered.canonical_url not in urls
    assert validate_wacz(path)


def test_downloads_share_the_exports_rate_limit(client, settings, weinstein_search):
    settings.EXPORT_RATE_LIMIT = "1/h"
    settings.TRUSTED_PROXY_COUNT = 0

    assert client.get(URL + "?q=weinstein").status_code == 200
    refused = client.get(URL + "?q=weinstein", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert refused.status_code == 429
    assert refused["Retry-After"]


def test_the_search_page_links_to_its_articles_as_wacz(client, weinstein_search):
    response = client.get("/search/?q=weinstein&kind=article")

    assert b'href="/captures/search.wacz?q=weinstein&amp;kind=article"' in response.content
    assert b"Download these articles as WACZ" in response.content


def test_the_search_page_offers_no_wacz_when_no_article_matches(client, weinstein_search):
    response = client.get("/search/?q=weinstein&kind=post")

    assert response.status_code == 200
    assert b"Download these articles as WACZ" not in response.content
    assert b"Export the results as CSV" in response.content


def test_the_download_s_queries_do_not_grow_with_its_articles(
    client, make_capture, django_assert_num_queries
):
    def entries(count: int) -> None:
        for _ in range(count):
            entry = SourceArticleFactory(title="Weinstein again", published=True)
            make_capture(entry.canonical_url, article=entry)

    entries(1)
    with django_assert_num_queries(2):  # the captures with their articles, then their files
        assert client.get(URL + "?q=weinstein").status_code == 200
    entries(3)
    with django_assert_num_queries(2):
        assert client.get(URL + "?q=weinstein").status_code == 200
