"""A post's account, replied-to post and quoted post are checked by the database once per
statement (migration archive 0004) instead of by row-level foreign keys: the same guarantees,
tested here through the ORM, through raw SQL and COPY, and under a concurrent delete."""

import threading

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from apps.archive.models import Account, Post
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# A post's required columns besides (platform, platform_id, account_id), with plain values.
REQUIRED = (
    "text, media_text, url, language, hashtags, mentions, in_reply_to_platform_id, "
    "quote_of_platform_id, hydrated, content_warning, capture_sha256, moderation_state, "
    "created_at, updated_at"
)
REQUIRED_VALUES = "\t".join(
    ["", "", "", "", "{}", "{}", "", "", "t", "", "", "pending"] + 2 * ["2026-12-01 00:00+00"]
)


def _missing_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def test_a_post_cannot_name_an_account_that_does_not_exist():
    with pytest.raises(IntegrityError, match=r"account \d+ does not exist"):
        with transaction.atomic():
            PostFactory(account=None, account_id=_missing_id(Account))
    assert not Post.objects.exists()


def test_a_post_cannot_reply_to_or_quote_a_post_that_does_not_exist():
    parent = PostFactory()
    for field in ("in_reply_to_id", "quote_of_id"):
        with pytest.raises(IntegrityError, match=r"post \d+ does not exist"):
            with transaction.atomic():
                PostFactory(**{field: _missing_id(Post)})
    assert list(Post.objects.all()) == [parent]


def test_a_post_may_reply_to_one_written_in_the_same_statement():
    account = AccountFactory()
    parent, reply = Post.objects.bulk_create(
        [
            Post(platform="twitter", platform_id="1", account=account),
            Post(platform="twitter", platform_id="2", account=account),
        ]
    )
    _raw(
        "UPDATE archive_post SET in_reply_to_id = %s, quote_of_id = %s WHERE id = %s",
        [parent.pk, parent.pk, reply.pk],
    )
    reply.refresh_from_db()
    assert reply.in_reply_to == parent and reply.quote_of == parent


def test_a_copy_with_one_bad_reference_writes_nothing():
    account = AccountFactory()
    lines = (
        f"twitter\t10\t{account.pk}\t{REQUIRED_VALUES}\n"
        # one row of the batch names no account
        f"twitter\t11\t{_missing_id(Account)}\t{REQUIRED_VALUES}\n"
    )
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        with transaction.atomic():
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                with cursor.copy(
                    f"COPY archive_post (platform, platform_id, account_id, {REQUIRED}) FROM STDIN"
                ) as copy:
                    copy.write(lines)
    assert not Post.objects.exists()


def test_changing_a_posts_account_to_a_missing_one_is_refused_and_other_edits_pass():
    post = PostFactory()
    with pytest.raises(IntegrityError, match="does not exist"):
        _raw("UPDATE archive_post SET account_id = %s", [_missing_id(Account)])
    _raw("UPDATE archive_post SET text = 'edited'")
    post.refresh_from_db()
    assert post.text == "edited" and post.account_id is not None


def test_an_account_with_posts_cannot_be_deleted():
    post = PostFactory()
    with pytest.raises(ProtectedError):  # Django's on_delete, before the database
        post.account.delete()
    with pytest.raises(IntegrityError, match="still referenced"):  # and the database itself
        _raw("DELETE FROM archive_account WHERE id = %s", [post.account_id])
    assert Account.objects.filter(pk=post.account_id).exists()
    lonely = AccountFactory()
    lonely.delete()
    assert not Account.objects.filter(pk=lonely.pk).exists()


def test_a_replied_to_post_is_unlinked_by_django_and_guarded_by_the_database():
    parent = PostFactory()
    reply = PostFactory(in_reply_to=parent, quote_of=parent)
    with pytest.raises(IntegrityError, match="still replied to or quoted"):
        _raw("DELETE FROM archive_post WHERE id = %s", [parent.pk])
    # Deleting both in one statement leaves nothing dangling.
    other_parent = PostFactory()
    other_reply = PostFactory(in_reply_to=other_parent)
    _raw("DELETE FROM archive_post WHERE id IN (%s, %s)", [other_parent.pk, other_reply.pk])
    parent.delete()  # Django's SET_NULL clears the reply's links first
    reply.refresh_from_db()
    assert reply.in_reply_to is None and reply.quote_of is None


@pytest.mark.django_db(transaction=True)
def test_a_delete_racing_a_writer_waits_for_it_and_then_is_refused():
    """The writer locks the account as a foreign key check would, so a curator's delete that
    comes while the writer's transaction is open waits, then sees the new post and fails."""
    account = AccountFactory()
    settings = connection.get_connection_params()
    outcome = {}

    with psycopg.connect(**settings) as writer, psycopg.connect(**settings) as deleter:
        with writer.cursor().copy(
            f"COPY archive_post (platform, platform_id, account_id, {REQUIRED}) FROM STDIN"
        ) as copy:
            copy.write(f"twitter\t77\t{account.pk}\t{REQUIRED_VALUES}\n")

        def delete():
            try:
                deleter.execute("DELETE FROM archive_account WHERE id = %s", [account.pk])
                deleter.commit()
                outcome["deleted"] = True
            except psycopg.Error as exc:
                deleter.rollback()
                outcome["error"] = exc

        thread = threading.Thread(target=delete)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the delete should wait for the writer's transaction"
        writer.commit()
        thread.join(timeout=10)

    assert isinstance(outcome.get("error"), psycopg.errors.ForeignKeyViolation), outcome
    assert Account.objects.filter(pk=account.pk).exists()
    assert Post.objects.filter(platform_id="77", account=account).exists()
