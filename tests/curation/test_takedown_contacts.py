"""A requester's name and email address are kept only while they are needed: they are erased
TAKEDOWN_CONTACT_RETENTION_DAYS after the request is closed, and the decision stays."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.curation import tasks
from apps.curation.models import TakedownRequest, TakedownState
from apps.curation.services import (
    takedown_contacts_erase,
    takedown_grant,
    takedown_refuse,
    takedown_submit,
)
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _request():
    post = PostFactory(published=True)
    return takedown_submit(
        entry_url=f"/posts/{post.pk}/", entry_kind="post", entry_id=post.pk,
        requester_name="Jane Roe", relation="subject", reason="It names me.",
        contact="jane@example.org",
    )  # fmt: skip


def _decided(takedown, days_ago, actor, grant=True):
    if grant:
        takedown_grant(request_id=takedown.pk, actor=actor, note="Consent withdrawn")
    else:
        takedown_refuse(request_id=takedown.pk, actor=actor, note="Public statement")
    TakedownRequest.objects.filter(pk=takedown.pk).update(
        decided_at=NOW - datetime.timedelta(days=days_ago)
    )
    takedown.refresh_from_db()
    return takedown


def test_contacts_of_requests_closed_long_enough_ago_are_erased_and_the_decision_kept(
    settings, curator, caplog
):
    settings.TAKEDOWN_CONTACT_RETENTION_DAYS = 90
    granted = _decided(_request(), 91, curator)
    refused = _decided(_request(), 120, curator, grant=False)
    recent = _decided(_request(), 89, curator)
    still_open = _request()
    TakedownRequest.objects.filter(pk=still_open.pk).update(
        received_at=NOW - datetime.timedelta(days=400)
    )

    with caplog.at_level("INFO", logger="apps.curation.services"):
        assert takedown_contacts_erase(now=NOW) == 2

    for takedown, state in ((granted, TakedownState.GRANTED), (refused, TakedownState.REFUSED)):
        before = takedown
        takedown = TakedownRequest.objects.get(pk=before.pk)
        assert (takedown.requester_name, takedown.contact) == ("", "")
        # The decision, and what it was about, stay for the record.
        assert takedown.state == state
        assert (takedown.decided_at, takedown.decided_by) == (before.decided_at, curator)
        assert takedown.decision_note == before.decision_note
        assert (takedown.reason, takedown.entry_id) == ("It names me.", before.entry_id)
    for takedown in (recent, still_open):
        takedown.refresh_from_db()
        assert (takedown.requester_name, takedown.contact) == ("Jane Roe", "jane@example.org")
    assert "erased the contact details of 2 closed takedown request(s)" in caplog.text
    assert granted.reference in caplog.text and "jane@" not in caplog.text


def test_erasing_again_does_nothing(settings, curator):
    settings.TAKEDOWN_CONTACT_RETENTION_DAYS = 0
    _decided(_request(), 1, curator)
    assert takedown_contacts_erase(now=NOW) == 1
    assert takedown_contacts_erase(now=NOW) == 0


def test_the_beat_task_erases_with_the_current_time(settings, curator):
    settings.TAKEDOWN_CONTACT_RETENTION_DAYS = 30
    takedown = _decided(_request(), 0, curator)
    TakedownRequest.objects.filter(pk=takedown.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert tasks.erase_takedown_contacts() == 1
    assert TakedownRequest.objects.get(pk=takedown.pk).contact == ""


def test_the_task_is_scheduled():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE["erase-takedown-contacts"]
    assert schedule["task"] == tasks.erase_takedown_contacts.name


def test_an_erased_request_still_shows_its_decision_to_curators(settings, curator_client, curator):
    settings.TAKEDOWN_CONTACT_RETENTION_DAYS = 0
    takedown = _decided(_request(), 1, curator)
    takedown_contacts_erase(now=NOW)
    page = curator_client.get(reverse("curation:takedown", args=[takedown.pk])).content.decode()
    assert "Jane Roe" not in page and "jane@example.org" not in page
    assert "Erased" in page and "Consent withdrawn" in page


def test_the_requester_can_no_longer_look_it_up_by_email(settings, client, curator):
    settings.TAKEDOWN_CONTACT_RETENTION_DAYS = 0
    takedown = _decided(_request(), 1, curator)
    takedown_contacts_erase(now=NOW)
    response = client.post(
        reverse("curation:takedown_status"),
        {"reference": takedown.reference, "contact": "jane@example.org"},
    )
    assert response.status_code == 400


def test_a_negative_retention_is_refused_at_start(tmp_path):
    from tests.test_deploy import SETUP_DJANGO, production_env, run

    result = run(
        ["-c", SETUP_DJANGO], production_env(tmp_path, TAKEDOWN_CONTACT_RETENTION_DAYS="-1")
    )
    assert result.returncode != 0
    assert "TAKEDOWN_CONTACT_RETENTION_DAYS cannot be negative" in result.stderr
