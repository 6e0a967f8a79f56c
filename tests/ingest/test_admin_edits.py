"""A curator's edit of a post in the Django admin survives the next ingest of that post: the
admin saves through curation's ``entry_update``, which records the field as edited, and the
writer never overwrites an edited field. The post is read from a local file by the real
writer, through ``apps.ingest.services``."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from apps.archive.models import Post
from apps.core.moderation import ModerationState
from apps.curation.models import ModerationDecision
from apps.curation.services import entries_decide
from apps.ingest import services
from apps.ingest.models import RunStatus
from tests.curation.test_admin_protections import _post_with

pytestmark = pytest.mark.django_db


def indexed(post_id: int, lexeme: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM search_searchentry WHERE kind = 'post' "
            "AND entry_id = %s AND document @@ %s::tsquery)",
            [post_id, f"'{lexeme}'"],
        )
        return cursor.fetchone()[0]


def ingest_tweet(path, text: str) -> None:
    path.write_text(
        json.dumps(
            {
                "created_at": "Sun Oct 15 20:21:16 +0000 2017",
                "id_str": "920000000000000001",
                "full_text": text,
                "user": {"screen_name": "jane", "name": "Jane"},
                "entities": {"hashtags": [], "user_mentions": []},
                "lang": "en",
            }
        )
        + "\n"
    )
    run = services.source_ingest(source=str(path))
    assert run.status == RunStatus.SUCCEEDED, run.error


def test_an_admin_edit_of_a_posts_text_survives_a_reingest_with_other_text(
    tmp_path, superuser_client, superuser
):
    export = tmp_path / "tweets.jsonl"
    ingest_tweet(export, "It was John Smith, my manager")
    post = Post.objects.get(platform_id="920000000000000001")
    entries_decide(kind="post", ids=[post.pk], action="approve", actor=superuser)

    url = reverse("admin:archive_post_change", args=[post.pk])
    _post_with(superuser_client, url, text="It was [name removed], my manager")
    post.refresh_from_db()
    assert post.text == "It was [name removed], my manager"
    assert post.edited_fields == ["text"]
    note = ModerationDecision.objects.filter(entry_kind="post", entry_id=post.pk).last()
    assert (note.actor, note.reason) == (superuser, "Edited: text")
    assert indexed(post.pk, "removed") and not indexed(post.pk, "smith")

    ingest_tweet(export, "It was John Smith, my manager, at ACME")

    post.refresh_from_db()
    assert post.text == "It was [name removed], my manager"
    assert post.moderation_state == ModerationState.PUBLISHED
    assert not indexed(post.pk, "smith") and not indexed(post.pk, "acme")
