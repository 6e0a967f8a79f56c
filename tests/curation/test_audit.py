"""The audit log: shown on each entry's curator view; never editable or deletable."""

import pytest
from django.urls import reverse

from apps.curation.models import ModerationDecision
from apps.curation.services import entries_transition
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_each_entrys_curator_view_shows_its_history(curator_client, curator):
    post = PostFactory()
    curator_client.post(
        reverse("curation:post_warning", args=[post.pk]), {"content_warning": "assault"}
    )
    curator_client.post(
        reverse("curation:entry_decide", args=["post", post.pk]),
        {"action": "reject", "reason": "not about the movement"},
    )
    page = curator_client.get(reverse("curation:entry", args=["post", post.pk]))
    body = page.content.decode()
    decisions = page.context["decisions"]
    assert [(d.from_state, d.to_state) for d in decisions] == [
        ("pending", "pending"),
        ("pending", "rejected"),
    ]
    assert "Content warning set: assault" in body
    assert "not about the movement" in body
    assert curator.username in body


def test_the_admin_shows_decisions_but_cannot_add_change_or_delete_them(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    post = PostFactory()
    entries_transition(kind="post", ids=[post.pk], to_state="published", reason="ok")
    decision = ModerationDecision.objects.get()

    listing = client.get(reverse("admin:curation_moderationdecision_changelist"))
    assert listing.status_code == 200
    assert client.get(reverse("admin:curation_moderationdecision_add")).status_code == 403
    change_url = reverse("admin:curation_moderationdecision_change", args=[decision.pk])
    # The change page is a read-only view; posting to it changes nothing.
    assert client.get(change_url).status_code == 200
    client.post(change_url, {"reason": "rewritten", "entry_kind": "post"})
    delete_url = reverse("admin:curation_moderationdecision_delete", args=[decision.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    decision.refresh_from_db()
    assert decision.reason == "ok"
    assert ModerationDecision.objects.count() == 1


def test_no_curator_url_deletes_or_rewrites_a_decision(curator_client):
    post = PostFactory()
    curator_client.post(
        reverse("curation:entry_decide", args=["post", post.pk]), {"action": "approve"}
    )
    decision = ModerationDecision.objects.get()
    # Deciding the same entry again logs nothing new and leaves the old row alone.
    curator_client.post(
        reverse("curation:entry_decide", args=["post", post.pk]),
        {"action": "reject", "reason": "changed my mind"},
    )
    assert list(ModerationDecision.objects.all()) == [decision]
    decision.refresh_from_db()
    assert (decision.to_state, decision.reason) == ("published", "")
