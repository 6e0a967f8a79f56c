"""The takedown form, asked about entries the public cannot see, answers exactly as it answers
about entries that do not exist: it must not tell whether a private handle is in the archive."""

import re

import pytest
from django.urls import reverse

from apps.curation.models import TakedownRequest
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db
FORM = reverse("curation:takedown_form")


def _answer(client, url: str, *, typed: str) -> tuple[int, str]:
    """The response to a request for ``url``, with what the visitor typed in ``url`` and the
    per-response CSRF token blanked, so that two answers can be compared whole."""
    response = client.post(
        FORM,
        {
            "entry_url": url,
            "requester_name": "Jane Doe",
            "relation": "author",
            "reason": "I never agreed to this.",
            "contact": "jane@example.org",
        },
    )
    body = response.content.decode().replace(typed, "TYPED")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", body)
    return response.status_code, body


def _account_url(handle: str) -> str:
    return reverse("archive:account", args=["twitter", handle])


@pytest.mark.parametrize("state", ["published", "pending", "withdrawn", "rejected"])
def test_a_private_handle_in_the_archive_gets_the_answer_an_unknown_handle_gets(client, state):
    AccountFactory(handle="jane_private", moderation_state=state)
    PostFactory(published=True, account=AccountFactory(handle="someone_else"))

    known = _answer(client, _account_url("jane_private"), typed="jane_private")
    unknown = _answer(client, _account_url("nobody_at_all"), typed="nobody_at_all")

    assert known == unknown
    assert known[0] == 400 and "link to one of its posts" in known[1]
    assert not TakedownRequest.objects.exists()


@pytest.mark.parametrize("state", ["pending", "rejected"])
def test_an_unpublished_post_gets_the_answer_a_missing_one_gets(client, state):
    hidden = PostFactory(moderation_state=state)
    missing = hidden.pk + 1000

    known = _answer(client, f"/posts/{hidden.pk}/", typed=str(hidden.pk))
    unknown = _answer(client, f"/posts/{missing}/", typed=str(missing))

    assert known == unknown and known[0] == 400
    assert not TakedownRequest.objects.exists()


def test_a_handle_a_curator_allowed_can_still_be_named_in_a_request(client):
    account = AccountFactory(published=True, handle="jane_agreed", handle_visible=True)
    status, _ = _answer(client, _account_url("jane_agreed"), typed="jane_agreed")
    assert status == 200
    assert TakedownRequest.objects.get().entry_id == account.pk


def test_a_withdrawn_post_whose_page_says_so_can_still_be_named(client):
    post = PostFactory(withdrawn=True)
    status, _ = _answer(client, f"/posts/{post.pk}/", typed=str(post.pk))
    assert status == 200 and TakedownRequest.objects.get().entry_id == post.pk
