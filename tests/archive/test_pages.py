import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AccountFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db


def test_post_by_a_public_figure_shows_the_handle(client):
    account = AccountFactory(published=True, handle="Alyssa_Milano", is_public_figure=True)
    post = PostFactory(published=True, account=account, text="me too")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "@Alyssa_Milano" in html
    assert account.get_absolute_url() in html


def test_post_by_a_private_person_shows_a_stable_pseudonym_not_the_handle(client):
    account = AccountFactory(published=True, handle="jane_private", is_public_figure=False)
    post = PostFactory(published=True, account=account)
    other = PostFactory(published=True, account=account)

    first = client.get(post.get_absolute_url()).content.decode()
    second = client.get(other.get_absolute_url()).content.decode()

    assert "jane_private" not in first
    assert account.pseudonym in first and account.pseudonym in second
    assert account.pseudonym.startswith("Contributor ")


def test_a_curator_can_allow_a_private_persons_handle(client):
    account = AccountFactory(published=True, handle="jane_agreed", handle_visible=True)
    post = PostFactory(published=True, account=account)
    assert "@jane_agreed" in client.get(post.get_absolute_url()).content.decode()


def test_a_private_persons_account_page_does_not_exist_under_their_handle(client):
    account = AccountFactory(published=True, handle="jane_private")
    assert client.get(account.get_absolute_url()).status_code == 404


def test_public_figures_account_page_lists_only_published_posts(client):
    account = AccountFactory(published=True, is_public_figure=True)
    PostFactory(published=True, account=account, text="a published post")
    PostFactory(account=account, text="a pending post")
    PostFactory(withdrawn=True, account=account, text="a withdrawn post")
    html = client.get(account.get_absolute_url()).content.decode()
    assert "a published post" in html
    assert "a pending post" not in html
    assert "a withdrawn post" not in html


def test_post_with_a_content_warning_is_folded_without_javascript(client):
    post = PostFactory(published=True, content_warning="describes assault", text="the story")
    html = client.get(post.get_absolute_url()).content.decode()
    details = html.index("<details")
    assert "Content warning: describes assault" in html
    assert details < html.index("the story") < html.index("</details>")
    assert '<details class="content-warning" open' not in html


def test_unpublished_post_is_not_found_and_withdrawn_post_answers_gone(client):
    assert client.get(PostFactory().get_absolute_url()).status_code == 404
    withdrawn = PostFactory(withdrawn=True, text="a withdrawn disclosure")
    response = client.get(withdrawn.get_absolute_url())
    assert response.status_code == 410
    assert "a withdrawn disclosure" not in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_post_text_from_outside_is_escaped(client):
    post = PostFactory(published=True, text='<script>alert("x")</script><b>bold</b>')
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;" in html


def test_article_page_shows_an_excerpt_and_links_to_the_original_not_the_full_text(client):
    article = SourceArticleFactory(
        published=True,
        excerpt="A short passage.",
        text="A short passage. The rest of the full text that is kept only for search.",
        url="https://www.eonline.com/news/887214/x",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "A short passage." in html
    assert "kept only for search" not in html
    assert 'href="https://www.eonline.com/news/887214/x"' in html


def _web_capture(**entry):
    """A finished web capture of an entry, with its WACZ's row (citations cite both)."""
    from apps.captures.models import CaptureFile, WebCapture

    capture = WebCapture.objects.create(
        url="https://www.example.org/a", url_key="org,example)/a", status="done",
        captured_at=datetime.datetime(2017, 10, 16, tzinfo=datetime.UTC), **entry,
    )  # fmt: skip
    CaptureFile.objects.create(
        capture=capture, kind="wacz", path=f"x/{capture.pk}.wacz", sha256="ab" * 32, size=1
    )
    return capture


@pytest.mark.parametrize("kind", ["post", "article", "account"])
def test_detail_pages_render_in_a_fixed_number_of_queries(client, kind):
    account = AccountFactory(published=True, is_public_figure=True)
    post = PostFactory(published=True, account=account)
    article = SourceArticleFactory(published=True)
    article.quoted_posts.add(post)
    _web_capture(post=post)
    _web_capture(article=article)
    url = {
        "post": post.get_absolute_url(),
        "article": article.get_absolute_url(),
        "account": account.get_absolute_url(),
    }[kind]

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        more = PostFactory(published=True, account=account)
        extra = SourceArticleFactory(published=True)
        extra.quoted_posts.add(post)
        article.quoted_posts.add(more)
        event = TimelineEventFactory(published=True)
        event.posts.add(post)
        event.articles.add(article)
        _web_capture(post=post)
        _web_capture(article=article)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # Post and article pages: 4, and 2 more for their public web captures and their files.
    assert len(many) == len(few) <= 6, [q["sql"][:150] for q in many]


@pytest.mark.parametrize(
    "path", ["/posts/99999999999999999999999/", "/articles/9223372036854775808/"]
)
def test_an_id_too_large_for_the_database_is_not_found_rather_than_an_error(client, path):
    assert client.get(path).status_code == 404


def test_a_javascript_link_from_outside_data_is_never_clickable(client):
    account = AccountFactory(published=True, is_public_figure=True, profile_url="javascript:x()")
    post = PostFactory(published=True, account=account, url="javascript:alert(1)")
    article = SourceArticleFactory(published=True, url="javascript:alert(2)")
    for url in (post.get_absolute_url(), article.get_absolute_url(), account.get_absolute_url()):
        html = client.get(url).content.decode()
        assert 'href="javascript:' not in html, url
