"""A citation names no more than the post's public page: a private person's post without text
is not titled by its platform id, which the platform would answer with its author."""

import datetime

import pytest
from django.urls import reverse

from apps.captures.models import CaptureFile, WebCapture
from apps.search import citations
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db

PLATFORM_ID = "1049725983754780672"
URL = f"https://twitter.com/jane_private/status/{PLATFORM_ID}"


def every_citation(client, post) -> str:
    """Every style on the post's page, both downloads, and each format built directly."""
    page = client.get(post.get_absolute_url()).content.decode()
    bib = client.get(reverse("search:cite_bibtex", args=["post", post.pk])).content.decode()
    csl = client.get(reverse("search:cite_csl", args=["post", post.pk])).content.decode()
    source = citations.source_for(post, kind="post", archive_url="https://a.example/posts/1/")
    built = [style["text"] for style in citations.all_styles(source)]
    built += [citations.bibtex(source), citations.csl_json(source)]
    return "\n".join([page, bib, csl, *built])


@pytest.mark.parametrize("hydrated", [True, False])
def test_a_private_persons_post_without_text_is_cited_without_its_id_url_or_handle(
    client, hydrated
):
    account = AccountFactory(published=True, handle="jane_private")
    post = PostFactory(
        published=True, account=account, text="", platform_id=PLATFORM_ID, url=URL,
        hydrated=hydrated,
    )  # fmt: skip
    cited = every_citation(client, post)
    assert account.pseudonym in cited and "Untitled Twitter/X post" in cited
    for secret in (PLATFORM_ID, URL, "jane_private", "twitter.com"):
        assert secret not in cited


def test_a_post_without_text_or_account_is_cited_without_its_id(client):
    post = PostFactory(published=True, account=None, text="", platform_id=PLATFORM_ID, url=URL)
    cited = every_citation(client, post)
    assert "Unknown account" in cited
    assert PLATFORM_ID not in cited and URL not in cited


def test_a_public_figures_post_without_text_is_still_cited_by_its_id():
    account = AccountFactory(published=True, handle="Alyssa_Milano", is_public_figure=True)
    post = PostFactory(published=True, account=account, text="", platform_id=PLATFORM_ID, url=URL)
    source = citations.source_for(post, kind="post", archive_url="https://a.example/posts/1/")
    assert source.title == f"Twitter/X post {PLATFORM_ID}" and source.original_url == URL


def test_a_private_persons_post_never_cites_its_web_capture(client):
    """A capture's page shows the address captured (here the post's own, which names them)."""
    account = AccountFactory(published=True, handle="jane_private")
    post = PostFactory(published=True, account=account, text="my story", url=URL)
    capture = WebCapture.objects.create(
        url=URL, url_key="com,twitter)/jane_private", status="done", post=post,
        captured_at=datetime.datetime(2019, 3, 4, tzinfo=datetime.UTC),
    )  # fmt: skip
    CaptureFile.objects.create(
        capture=capture, kind="wacz", path=f"c/{capture.pk}.wacz", sha256="cd" * 32, size=1
    )
    cited = every_citation(client, post)
    assert f"/captures/{capture.pk}/" not in cited and "cd" * 32 not in cited
    for secret in (PLATFORM_ID, "jane_private"):
        assert secret not in cited
