"""Counts and facets are reused for the same search until anything public changes: a withdrawn
entry leaves them on the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.curation.services import entries_transition
from tests.factories import AccountFactory, PostFactory, public_change

pytestmark = pytest.mark.django_db


def search(client, **params):
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    return response


def facet_values(response, name: str) -> list[str]:
    facet = next(f for f in response.context["facets"] if f["name"] == name)
    return [option["value"] for option in facet["options"]]


def test_the_same_search_again_reuses_counts_and_facets(client):
    PostFactory(published=True, text="zanzibar solidarity")
    with CaptureQueriesContext(connection) as first:
        search(client, q="zanzibar")
    with CaptureQueriesContext(connection) as again:  # another order: the same matches
        response = search(client, q="zanzibar", order="newest")
    assert response.context["page"].count == 1
    assert len(again) < len(first)


def test_post_withdrawn_through_the_service_leaves_count_and_facets(client):
    account = AccountFactory(published=True, is_public_figure=True, handle="famous_one")
    post = PostFactory(published=True, text="zanzibar solidarity", account=account)
    response = search(client, q="zanzibar")
    assert response.context["page"].count == 1
    assert str(account.pk) in facet_values(response, "account")
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn")
    response = search(client, q="zanzibar")
    assert response.context["page"].count == 0
    assert facet_values(response, "account") == []


def test_post_withdrawn_by_saving_it_leaves_count_and_facets(client):
    post = PostFactory(published=True, text="zanzibar solidarity", hashtags=["rarehashtag"])
    assert "rarehashtag" in facet_values(search(client, q="zanzibar"), "hashtag")
    post.moderation_state = "withdrawn"
    post.save()
    public_change(post)  # what every write service does after it writes
    response = search(client, q="zanzibar")
    assert response.context["page"].count == 0
    assert facet_values(response, "hashtag") == []
