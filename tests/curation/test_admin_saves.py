"""The Django admin saves through curation's services: each edit is logged, and the search
index and cached pages follow at once (that a post's edited fields survive the next ingest is
tested with the writer, in tests/ingest/test_admin_edits.py).

Each test posts the admin's own forms, as a browser would send them."""

import pytest
from django.urls import reverse

from apps.archive.models import Post
from apps.core.content import story_version
from apps.curation.models import ModerationDecision
from apps.search.models import SearchEntry
from tests.curation.test_admin_protections import _post_with
from tests.factories import (
    ChapterFactory,
    EventSourceFactory,
    PostFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db


def test_an_admin_edit_of_an_events_evidence_and_sources_is_logged_and_moves_the_story(
    superuser_client, superuser
):
    event = TimelineEventFactory(published=True)
    EventSourceFactory(event=event, name="A dating source")
    post = PostFactory(published=True)
    url = reverse("admin:timeline_timelineevent_change", args=[event.pk])
    story = story_version()
    _post_with(
        superuser_client, url, posts=str(post.pk), **{"sources-0-name": "A corrected source"}
    )
    assert list(event.posts.all()) == [post]
    assert event.sources.get().name == "A corrected source"
    note = ModerationDecision.objects.filter(entry_kind="event", entry_id=event.pk).last()
    assert (note.actor, note.reason) == (superuser, "Edited: event sources, posts")
    assert story_version() != story


def test_a_post_deleted_in_the_admin_leaves_the_index_and_a_note_in_the_audit(
    superuser_client, superuser
):
    post = PostFactory(published=True)
    url = reverse("admin:archive_post_delete", args=[post.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not SearchEntry.objects.filter(kind="post", entry_id=post.pk).exists()
    note = ModerationDecision.objects.get(entry_kind="post", entry_id=post.pk)
    assert note.actor == superuser and note.reason.startswith("Deleted")


def test_posts_deleted_together_in_the_admin_all_leave_the_index(superuser_client):
    posts = PostFactory.create_batch(2, published=True)
    response = superuser_client.post(
        reverse("admin:archive_post_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in posts], "post": "yes"},
    )
    assert response.status_code == 302
    assert not SearchEntry.objects.filter(kind="post").exists()


def test_a_chapter_renamed_in_the_admin_moves_the_story(superuser_client):
    chapter = ChapterFactory(title="Before")
    story = story_version()
    url = reverse("admin:timeline_chapter_change", args=[chapter.pk])
    _post_with(superuser_client, url, title="After")
    chapter.refresh_from_db()
    assert chapter.title == "After"
    assert story_version() != story
