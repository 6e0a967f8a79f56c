"""Takedown and consent requests: the public form, the curators' queue, and what granting does."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.curation.models import ModerationDecision, TakedownRequest, TakedownState
from apps.curation.services import (
    CurationError,
    takedown_grant,
    takedown_refuse,
    takedown_submit,
)
from tests.factories import (
    AccountFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db
FORM = reverse("curation:takedown_form")


def _request_data(url, **overrides):
    return {
        "entry_url": url,
        "requester_name": "Jane Doe",
        "relation": "author",
        "reason": "I did not consent to this being archived.",
        "contact": "jane@example.org",
        **overrides,
    }


def _file(post):
    return takedown_submit(
        entry_url=f"/posts/{post.pk}/", entry_kind="post", entry_id=post.pk,
        requester_name="J", relation="author", reason="r", contact="j@example.org",
    )  # fmt: skip


def test_a_visitor_files_a_request_and_gets_a_reference_number(client):
    post = PostFactory(published=True)
    response = client.post(FORM, _request_data(f"http://testserver/posts/{post.pk}?ref=x#top"))

    assert response.status_code == 200
    takedown = TakedownRequest.objects.get()
    assert re.fullmatch(r"TD-[A-Z2-9]{8}", takedown.reference)
    assert takedown.reference in response.content.decode()
    assert (takedown.entry_kind, takedown.entry_id, takedown.state) == (
        "post",
        post.pk,
        TakedownState.RECEIVED,
    )
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("make_url", "kind"),
    [
        (lambda: f"/events/{TimelineEventFactory(published=True).slug}/", "event"),
        (
            lambda: reverse(
                "archive:account",
                args=["twitter", AccountFactory(published=True, is_public_figure=True).handle],
            ),
            "account",
        ),
    ],
)
def test_links_to_events_and_accounts_are_understood(client, make_url, kind):
    client.post(FORM, _request_data(make_url()))
    assert TakedownRequest.objects.get().entry_kind == kind


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://elsewhere.example.com/posts/1/", "not a link to a page of this archive"),
        ("/timeline/", "not to a post, article, event or account"),
        ("/posts/987654/", "not to a post, article, event or account"),
    ],
)
def test_a_bad_link_is_explained_and_nothing_typed_is_lost(client, url, message):
    response = client.post(FORM, _request_data(url))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "I did not consent to this being archived." in body
    assert "jane@example.org" in body
    assert not TakedownRequest.objects.exists()


def test_missing_fields_and_a_bad_email_are_reported(client):
    response = client.post(FORM, {"entry_url": "", "contact": "not-an-email"})
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") >= 3
    assert "Enter a valid email address." in response.content.decode()


def test_the_form_is_csrf_protected():
    post = PostFactory(published=True)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(FORM, _request_data(f"/posts/{post.pk}/"))
    assert response.status_code == 403
    assert not TakedownRequest.objects.exists()
    page = strict.get(FORM)
    token = page.cookies["csrftoken"].value
    response = strict.post(
        FORM, {**_request_data(f"/posts/{post.pk}/"), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert TakedownRequest.objects.count() == 1


def test_the_form_is_rate_limited_per_address(client, settings):
    settings.TAKEDOWN_RATE_LIMIT = "2/h"
    post = PostFactory(published=True)
    data = _request_data(f"/posts/{post.pk}/")
    assert client.post(FORM, data).status_code == 200
    assert client.post(FORM, data).status_code == 200
    limited = client.post(FORM, data)
    assert limited.status_code == 429
    assert "Too many requests" in limited.content.decode()
    assert TakedownRequest.objects.count() == 2
    # Another address is not held back by the first one's requests.
    assert client.post(FORM, data, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_requests_go_through_when_the_rate_limits_cache_cannot_be_reached(client, settings, caplog):
    settings.CACHES = {  # a Redis nobody listens for
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.TAKEDOWN_RATE_LIMIT = "1/h"
    post = PostFactory(published=True)
    with caplog.at_level("WARNING", logger="apps.core.limits"):
        for _ in range(2):  # past the limit, which cannot be counted
            assert client.post(FORM, _request_data(f"/posts/{post.pk}/")).status_code == 200
        status = client.post(
            reverse("curation:takedown_status"),
            {"reference": "NOT-A-REFERENCE", "contact": "jane@example.org"},
        )
    assert TakedownRequest.objects.count() == 2
    assert status.status_code in (200, 400) and b"Too many requests" not in status.content
    assert "cache unreachable (ConnectionError): takedown-form not rate-limited" in caplog.text
    assert "takedown-status not rate-limited" in caplog.text


def test_granting_withdraws_the_entry_everywhere_and_logs_it(curator_client, curator, client):
    event = TimelineEventFactory(published=True)
    post = PostFactory(published=True, text="A survivor's account.")
    event.posts.add(post)
    takedown = _file(post)

    curator_client.post(reverse("curation:takedown_decide", args=[takedown.pk, "review"]))
    takedown.refresh_from_db()
    assert takedown.state == TakedownState.UNDER_REVIEW and takedown.review_started_at

    curator_client.post(
        reverse("curation:takedown_decide", args=[takedown.pk, "grant"]),
        {"note": "Consent withdrawn"},
    )

    takedown.refresh_from_db()
    post.refresh_from_db()
    assert takedown.state == TakedownState.GRANTED
    assert (takedown.decided_by, takedown.decision_note) == (curator, "Consent withdrawn")
    assert post.moderation_state == "withdrawn", "kept for the audit, not deleted"
    decision = ModerationDecision.objects.get(entry_kind="post", entry_id=post.pk)
    assert decision.to_state == "withdrawn"
    assert takedown.reference in decision.reason

    client.logout()
    gone = client.get(post.get_absolute_url())
    assert gone.status_code == 410
    assert "A survivor" not in gone.content.decode()
    assert "withdrawn" in gone.content.decode()
    event_page = client.get(event.get_absolute_url()).content.decode()
    assert "A survivor" not in event_page


def test_granting_an_account_request_withdraws_its_posts_too(curator):
    account = AccountFactory(published=True, is_public_figure=True)
    posts = PostFactory.create_batch(2, account=account, published=True)
    takedown = takedown_submit(
        entry_url="/accounts/x/", entry_kind="account", entry_id=account.pk,
        requester_name="J", relation="author", reason="r", contact="j@example.org",
    )  # fmt: skip
    takedown_grant(request_id=takedown.pk, actor=curator)
    account.refresh_from_db()
    assert account.moderation_state == "withdrawn"
    assert {p.moderation_state for p in _fresh(posts)} == {"withdrawn"}


def test_a_refusal_needs_a_reason_and_a_decided_request_stays_decided(curator_client, curator):
    post = PostFactory(published=True)
    takedown = _file(post)
    with pytest.raises(CurationError):
        takedown_refuse(request_id=takedown.pk, actor=curator, note="")
    takedown_refuse(request_id=takedown.pk, actor=curator, note="Public figure, public statement")
    response = curator_client.post(
        reverse("curation:takedown_decide", args=[takedown.pk, "grant"]), follow=True
    )
    assert "already Refused" in response.content.decode()
    post.refresh_from_db()
    assert post.moderation_state == "published"


def test_the_queue_shows_open_requests_with_days_since_receipt(curator_client):
    from django.utils import timezone

    post = PostFactory(published=True)
    old = _file(post)
    TakedownRequest.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timezone.timedelta(days=9)
    )
    response = curator_client.get(reverse("curation:takedowns"))
    assert [r.pk for r in response.context["requests"]] == [old.pk]
    assert response.context["requests"][0].days_since_receipt == 9
    detail = curator_client.get(reverse("curation:takedown", args=[old.pk]))
    assert old.reference in detail.content.decode()


def test_an_unknown_takedown_action_is_not_found(curator_client):
    takedown = _file(PostFactory(published=True))
    response = curator_client.post(reverse("curation:takedown_decide", args=[takedown.pk, "x"]))
    assert response.status_code == 404


def _fresh(posts):
    from apps.archive.models import Post

    return Post.objects.filter(pk__in=[p.pk for p in posts])


def test_a_requester_checks_their_request_with_reference_and_email(client, curator):
    takedown = _file(PostFactory(published=True))
    url = reverse("curation:takedown_status")
    wrong = client.post(url, {"reference": takedown.reference, "contact": "x@example.org"})
    assert wrong.status_code == 400
    assert "No request matches" in wrong.content.decode()
    takedown_refuse(request_id=takedown.pk, actor=curator, note="It is a public statement")
    found = client.post(url, {"reference": takedown.reference.lower(), "contact": "J@example.org"})
    body = found.content.decode()
    assert found.status_code == 200
    assert "refused" in body and "It is a public statement" in body
    assert found["Cache-Control"] == "no-store"


def test_the_takedown_pages_use_a_fixed_number_of_queries(
    curator_client, django_assert_max_num_queries
):
    takedowns = [_file(PostFactory(published=True)) for _ in range(3)]
    with django_assert_max_num_queries(7):
        curator_client.get(reverse("curation:takedowns"))
    takedowns += [_file(PostFactory(published=True)) for _ in range(5)]
    with django_assert_max_num_queries(7):
        listing = curator_client.get(reverse("curation:takedowns"))
    assert len(listing.context["requests"]) == 8
    with django_assert_max_num_queries(8):
        curator_client.get(reverse("curation:takedown", args=[takedowns[0].pk]))
    with django_assert_max_num_queries(0):
        assert Client().get(FORM).status_code == 200  # an anonymous visitor's form: no query


def test_a_requester_can_ask_for_a_posts_thread_and_the_grant_form_starts_from_it(
    client, curator_client
):
    post = PostFactory(published=True)
    response = client.post(FORM, _request_data(f"/posts/{post.pk}/", thread_requested="on"))
    assert response.status_code == 200
    takedown = TakedownRequest.objects.get()
    assert takedown.thread_requested and not takedown.covers_thread  # a wish until granted

    page = curator_client.get(reverse("curation:takedown", args=[takedown.pk]))
    assert b'name="covers_thread" value="1" checked' in page.content
    assert b"The post and its thread" in page.content


def test_a_thread_asked_for_an_article_is_not_recorded(client):
    article = SourceArticleFactory(published=True)
    client.post(FORM, _request_data(f"/articles/{article.pk}/", thread_requested="on"))
    assert TakedownRequest.objects.get().thread_requested is False
