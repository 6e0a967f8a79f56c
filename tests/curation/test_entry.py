"""One entry in the curator view: edits, warnings, handles and evidence, each logged; and the
privacy defaults those choices drive on public pages."""

import re

import pytest
from django.urls import reverse

from apps.curation.models import ModerationDecision
from tests.factories import AccountFactory, PostFactory, SourceArticleFactory, TimelineEventFactory

pytestmark = pytest.mark.django_db


def test_a_private_persons_post_shows_a_pseudonym_until_a_curator_allows_the_handle(
    client, curator
):
    account = AccountFactory(handle="jane_private", published=True)
    post = PostFactory(account=account, published=True, text="It happened to me too.")

    public = client.get(post.get_absolute_url()).content.decode()
    assert "jane_private" not in public
    assert account.pseudonym in public
    assert client.get(account.get_absolute_url()).status_code == 404

    client.force_login(curator)
    client.post(
        reverse("curation:account_handle", args=[account.pk]),
        {"handle_visible": "1", "next": reverse("curation:entry", args=["post", post.pk])},
    )
    client.logout()
    public = client.get(post.get_absolute_url()).content.decode()
    assert "@jane_private" in public
    assert account.pseudonym not in public
    decision = ModerationDecision.objects.get(entry_kind="account", entry_id=account.pk)
    assert (decision.actor, decision.reason) == (curator, "Handle shown")


def test_a_public_figures_handle_is_shown_by_default(client):
    figure = AccountFactory(handle="public_voice", published=True, is_public_figure=True)
    post = PostFactory(account=figure, published=True)
    assert "@public_voice" in client.get(post.get_absolute_url()).content.decode()


def test_hiding_a_handle_again_brings_the_pseudonym_back(curator_client, client):
    account = AccountFactory(published=True, handle_visible=True)
    post = PostFactory(account=account, published=True)
    curator_client.post(
        reverse("curation:account_handle", args=[account.pk]), {"handle_visible": "0"}
    )
    curator_client.logout()
    assert account.pseudonym in client.get(post.get_absolute_url()).content.decode()


def test_a_content_warning_folds_the_text_on_public_pages_without_javascript(
    curator_client, client
):
    post = PostFactory(published=True, text="Graphic details.")
    curator_client.post(
        reverse("curation:post_warning", args=[post.pk]),
        {"content_warning": "describes sexual assault"},
    )
    curator_client.logout()
    body = client.get(post.get_absolute_url()).content.decode()
    details = body[body.index("<details") : body.index("</details>")]
    assert "Content warning: describes sexual assault" in details
    assert "Graphic details." in details, "the text sits inside the folded <details>"
    # No script does the folding: the only script element is the page's JSON-LD, which is data.
    assert re.findall(r"<script[^>]*>", body) == ['<script type="application/ld+json">']


def test_an_edit_is_saved_logged_and_validated(curator_client, curator):
    post = PostFactory(text="typo", language="en")
    url = reverse("curation:entry_edit", args=["post", post.pk])
    response = curator_client.post(url, {"edit-text": "fixed", "edit-language": "en"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == "fixed"
    decision = ModerationDecision.objects.get(entry_kind="post", entry_id=post.pk)
    assert (decision.actor, decision.reason) == (curator, "Edited: text")

    article = SourceArticleFactory()
    bad = curator_client.post(
        reverse("curation:entry_edit", args=["article", article.pk]),
        {"edit-title": "", "edit-excerpt": "kept", "edit-language": "en"},
    )
    assert bad.status_code == 400
    assert "This field is required." in bad.content.decode()
    assert "kept" in bad.content.decode()


def test_a_curator_links_and_unlinks_a_post_as_evidence_for_an_event(curator_client, client):
    event = TimelineEventFactory(published=True)
    post = PostFactory(published=True, text="Evidence text.")
    url = reverse("curation:evidence", args=["post", post.pk])

    curator_client.post(url, {"event": event.pk})
    assert list(event.posts.all()) == [post]
    assert "Evidence text." in client.get(event.get_absolute_url()).content.decode()
    view = curator_client.get(reverse("curation:entry", args=["post", post.pk]))
    assert view.context["linked_events"] == [event]

    curator_client.post(url, {"event": event.pk, "unlink": "1"})
    assert not event.posts.exists()
    reasons = list(
        ModerationDecision.objects.filter(entry_id=post.pk).values_list("reason", flat=True)
    )
    assert reasons == [
        f"Linked as evidence to event {event.slug}",
        f"Unlinked from event {event.slug}",
    ]


def test_the_curator_view_renders_every_kind_in_a_fixed_number_of_queries(
    curator_client, django_assert_max_num_queries
):
    post = PostFactory(capture_sha256="cd" * 32)
    article = SourceArticleFactory()
    event = TimelineEventFactory()
    for kind, entry in (("post", post), ("article", article)):
        with django_assert_max_num_queries(14):
            response = curator_client.get(reverse("curation:entry", args=[kind, entry.pk]))
        assert response.status_code == 200
    assert (
        curator_client.get(reverse("curation:entry", args=["event", event.pk])).status_code == 403
    )
    assert curator_client.get(reverse("curation:entry", args=["outlet", 1])).status_code == 404
    assert curator_client.get(reverse("curation:entry", args=["post", 999999])).status_code == 404
