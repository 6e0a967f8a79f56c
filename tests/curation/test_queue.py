"""The moderation queue: what it lists, its filters, and its single and bulk actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.moderation import HoldReason
from apps.curation.models import BulkAction, JobState, ModerationDecision
from apps.curation.services import CurationError, bulk_action_run, bulk_action_start
from apps.curation.tasks import run_bulk_action
from tests.factories import AccountFactory, PostFactory, SourceArticleFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("curation:queue")


def _day(day):
    return datetime.datetime(2017, 10, day, 12, tzinfo=datetime.UTC)


def test_the_queue_lists_pending_posts_oldest_first_with_source_and_capture(curator_client):
    first = PostFactory(url="https://twitter.com/a/status/1", capture_sha256="ab" * 32)
    second = PostFactory()
    PostFactory(published=True, text="already public")
    PostFactory(moderation_state="rejected", text="already rejected")

    response = curator_client.get(QUEUE)

    assert response.status_code == 200
    assert [e.pk for e in response.context["entries"]] == [first.pk, second.pk]
    assert response.context["total"] == 2
    body = response.content.decode()
    assert "already public" not in body and "already rejected" not in body
    assert "https://twitter.com/a/status/1" in body
    assert "ab" * 32 in body
    # A curator sees the real handle, and what the public will see instead.
    assert f"@{first.account.handle}" in body
    assert first.account.pseudonym in body


def test_the_queue_filters_by_account_language_and_date(curator_client):
    alice = AccountFactory(handle="alice")
    match = PostFactory(account=alice, language="fr", posted_at=_day(16))
    PostFactory(account=alice, language="en", posted_at=_day(16))
    PostFactory(account=alice, language="fr", posted_at=_day(20))
    PostFactory(language="fr", posted_at=_day(16))

    response = curator_client.get(
        QUEUE,
        {"account": "@Alice", "language": "fr", "date_from": "2017-10-15", "date_to": "2017-10-17"},
    )

    assert [e.pk for e in response.context["entries"]] == [match.pk]


def test_the_article_queue_filters_by_outlet(curator_client):
    article = SourceArticleFactory()
    SourceArticleFactory()
    response = curator_client.get(
        QUEUE, {"kind": "article", "account": article.outlet.domain.upper()}
    )
    assert [e.pk for e in response.context["entries"]] == [article.pk]


def test_a_bad_filter_is_reported_and_the_whole_queue_bulk_action_is_refused(
    curator_client, curator
):
    PostFactory()
    response = curator_client.get(QUEUE, {"date_from": "not a date"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    with pytest.raises(CurationError):
        bulk_action_start(
            action="approve", kind="post", filters={"date_from": "nope"}, reason="", actor=curator
        )
    assert not BulkAction.objects.exists()


def test_the_queue_pages_by_keyset_in_a_fixed_number_of_queries(curator_client, settings):
    from apps.curation.views import queue as views

    posts = PostFactory.create_batch(7)
    views.QUEUE_PAGE_SIZE, old = 3, views.QUEUE_PAGE_SIZE
    try:
        with CaptureQueriesContext(connection) as small:
            first = curator_client.get(QUEUE)
        assert [e.pk for e in first.context["entries"]] == [p.pk for p in posts[:3]]
        second = curator_client.get(QUEUE + "?" + first.context["next_query"])
        assert [e.pk for e in second.context["entries"]] == [p.pk for p in posts[3:6]]
        PostFactory.create_batch(5)
        with CaptureQueriesContext(connection) as large:
            curator_client.get(QUEUE)
    finally:
        views.QUEUE_PAGE_SIZE = old
    assert len(large) == len(small)


def test_approving_and_rejecting_one_entry_logs_who_and_why(curator_client, curator):
    post, other = PostFactory(), PostFactory()
    curator_client.post(
        reverse("curation:entry_decide", args=["post", post.pk]), {"action": "approve"}
    )
    response = curator_client.post(
        reverse("curation:entry_decide", args=["post", other.pk]), {"action": "reject"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.moderation_state == "pending", "a rejection without a reason is refused"
    curator_client.post(
        reverse("curation:entry_decide", args=["post", other.pk]),
        {"action": "reject", "reason": "spam"},
    )
    post.refresh_from_db()
    other.refresh_from_db()
    assert (post.moderation_state, other.moderation_state) == ("published", "rejected")
    decision = ModerationDecision.objects.get(entry_id=other.pk, entry_kind="post")
    assert (decision.actor, decision.from_state, decision.to_state, decision.reason) == (
        curator,
        "pending",
        "rejected",
        "spam",
    )


def test_bulk_action_over_a_selection_runs_at_once(curator_client):
    chosen = PostFactory.create_batch(3)
    left = PostFactory()
    response = curator_client.post(
        reverse("curation:bulk"),
        {
            "kind": "post",
            "scope": "selected",
            "ids": [p.pk for p in chosen],
            "action": "reject",
            "reason": "duplicates",
            "query": "kind=post",
        },
        follow=True,
    )
    assert "Rejected 3 entries." in response.content.decode()
    assert ModerationDecision.objects.filter(to_state="rejected").count() == 3
    left.refresh_from_db()
    assert left.moderation_state == "pending"


def test_bulk_action_over_the_filtered_queue_is_recorded_then_run_in_chunks(
    curator_client, curator, django_capture_on_commit_callbacks
):
    alice = AccountFactory(handle="alice")
    covered = PostFactory.create_batch(5, account=alice)
    others = PostFactory.create_batch(2)

    with django_capture_on_commit_callbacks() as callbacks:
        response = curator_client.post(
            reverse("curation:bulk"),
            {"kind": "post", "scope": "all", "action": "approve", "account": "alice"},
        )
    job = BulkAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("curation:bulk_progress", args=[job.pk])
    assert (job.state, job.total, job.filters, job.max_id) == (
        JobState.QUEUED,
        5,
        {"account": "alice"},
        covered[-1].pk,
    )
    assert len(callbacks) == 1, "the worker is asked only once the job is committed"

    # A post by the same account arriving after the click is not swept up.
    late = PostFactory(account=alice)
    progress = curator_client.get(reverse("curation:bulk_progress", args=[job.pk]))
    assert b'data-running="1"' in progress.content and b"Reload now" in progress.content

    bulk_action_run(job_id=job.pk, chunk_size=2)

    job.refresh_from_db()
    assert (job.state, job.done, job.changed) == (JobState.DONE, 5, 5)
    assert all(p.moderation_state == "published" for p in _fresh(covered))
    assert all(p.moderation_state == "pending" for p in _fresh([*others, late]))
    assert ModerationDecision.objects.filter(actor=curator, to_state="published").count() == 5
    done = curator_client.get(reverse("curation:bulk_progress", args=[job.pk]))
    assert b"data-running" not in done.content
    assert b"5 of 5 processed" in done.content


def test_the_bulk_task_claims_its_job_so_running_it_twice_does_nothing_more(curator):
    PostFactory.create_batch(3)
    job = bulk_action_start(
        action="reject", kind="post", filters={}, reason="off topic", actor=curator
    )
    run_bulk_action(job.pk)  # the task, called as the worker calls it
    run_bulk_action(job.pk)
    assert ModerationDecision.objects.filter(to_state="rejected").count() == 3
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_a_bulk_reject_needs_a_reason(curator):
    with pytest.raises(CurationError):
        bulk_action_start(action="reject", kind="post", filters={}, reason=" ", actor=curator)


def _fresh(posts):
    from apps.archive.models import Post

    return Post.objects.filter(pk__in=[p.pk for p in posts])


def test_an_unreachable_broker_marks_the_job_failed_and_it_can_be_run_again(
    curator_client, curator, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from apps.curation import tasks

    PostFactory.create_batch(2)

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.run_bulk_action, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(
            reverse("curation:bulk"), {"kind": "post", "scope": "all", "action": "approve"}
        )
    job = BulkAction.objects.get()
    assert job.state == JobState.FAILED
    page = curator_client.get(reverse("curation:bulk_progress", args=[job.pk])).content.decode()
    assert "The task queue could not be reached" in page and "Run it again" in page

    sent = []
    monkeypatch.setattr(tasks.run_bulk_action, "delay", lambda job_id: sent.append(job_id))
    response = curator_client.post(reverse("curation:bulk_retry", args=[job.pk]), follow=True)
    assert sent == [job.pk]
    assert "Started again" in response.content.decode()
    run_bulk_action(job.pk)
    job.refresh_from_db()
    assert (job.state, job.changed) == (JobState.DONE, 2)


def test_a_warning_and_a_handle_can_be_set_from_the_queue_row(curator_client):
    post = PostFactory()
    page = curator_client.get(QUEUE).content.decode()
    assert f'id="warning-{post.pk}"' in page and "Allow handle" in page
    response = curator_client.post(
        reverse("curation:post_warning", args=[post.pk]),
        {"content_warning": "abuse", "next": f"{QUEUE}?kind=post#entry-{post.pk}"},
    )
    assert response["Location"] == f"{QUEUE}?kind=post#entry-{post.pk}"
    post.refresh_from_db()
    assert post.content_warning == "abuse"


def test_a_curator_can_reconsider_one_entry_but_not_a_withdrawn_one(curator_client):
    rejected = PostFactory(moderation_state="rejected")
    published = PostFactory(published=True)
    withdrawn = PostFactory(withdrawn=True)

    def decide(post, **data):
        url = reverse("curation:entry_decide", args=["post", post.pk])
        curator_client.post(url, {"reconsider": "1", **data})
        post.refresh_from_db()
        return post.moderation_state

    assert decide(rejected, action="approve") == "published"
    assert decide(published, action="reject", reason="not what it seemed") == "rejected"
    assert decide(withdrawn, action="approve") == "withdrawn"
    # Without asking to reconsider, only pending entries move (as in the queue).
    another = PostFactory(moderation_state="rejected")
    assert decide(another, action="approve", reconsider="") == "rejected"
    states = list(
        ModerationDecision.objects.filter(entry_id__in=[rejected.pk, published.pk])
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    assert states == [("rejected", "published"), ("published", "rejected")]


def test_a_job_whose_worker_died_is_resumed_and_a_live_one_is_left_alone(curator):
    from django.utils import timezone

    posts = PostFactory.create_batch(3)
    job = bulk_action_start(action="approve", kind="post", filters={}, reason="", actor=curator)
    # A worker claimed it, decided one entry, saved progress just now... and is still going.
    from apps.curation.services import entries_decide

    entries_decide(kind="post", ids=[posts[0].pk], action="approve", actor=curator)
    BulkAction.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, done=1, changed=1, heartbeat_at=timezone.now()
    )
    assert bulk_action_run(job_id=job.pk) is None, "a redelivered message leaves it alone"

    # Eleven minutes without progress: that worker is gone; the redelivered message resumes.
    BulkAction.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(minutes=11)
    )
    resumed = bulk_action_run(job_id=job.pk)
    assert resumed.state == JobState.DONE
    assert ModerationDecision.objects.filter(to_state="published").count() == 3


def test_outside_links_are_escaped_and_only_http_links_are_clickable(curator_client):
    PostFactory(url="javascript:alert(1)", text="<script>alert('x')</script>")
    PostFactory(url="https://example.org/ok")
    body = curator_client.get(QUEUE).content.decode()
    assert 'href="javascript:' not in body
    assert "javascript:alert(1) (not a web link)" in body
    assert "<script>alert('x')</script>" not in body
    assert "&lt;script&gt;" in body
    assert 'href="https://example.org/ok"' in body


@pytest.mark.parametrize("bad", ["abc", "-1", str(2**70)])
def test_a_tampered_selection_is_refused_with_a_message(curator_client, bad):
    response = curator_client.post(
        reverse("curation:bulk"),
        {"kind": "post", "scope": "selected", "ids": [bad], "action": "approve"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# Ingestion writes on a connection of its own, so this test needs real commits (and the flush).
@pytest.mark.django_db(transaction=True)
def test_the_queue_filters_by_the_feed_that_brought_the_entries(curator_client, tmp_path):
    from apps.ingest.models import Feed, Format
    from apps.ingest.services import source_ingest

    first_file, second_file = tmp_path / "first.txt", tmp_path / "second.txt"
    first_file.write_text("1000000000000000001\n1000000000000000002\n")
    second_file.write_text("1000000000000000003\n")
    first = Feed.objects.create(name="First export", url=str(first_file))
    second = Feed.objects.create(name="Second export", url=str(second_file))
    source_ingest(source=str(first_file), format=Format.TWEET_IDS, feed=first)
    source_ingest(source=str(second_file), format=Format.TWEET_IDS, feed=second)

    response = curator_client.get(QUEUE, {"feed": first.pk})

    assert sorted(e.platform_id for e in response.context["entries"]) == [
        "1000000000000000001",
        "1000000000000000002",
    ]
    assert "First export" in response.content.decode()


def test_a_bulk_approval_of_the_whole_queue_leaves_held_entries_for_one_by_one_review(curator):
    plain = PostFactory()
    held = PostFactory(hold_reason=HoldReason.SOURCE_CHANGED)
    job = bulk_action_start(action="approve", kind="post", filters={}, reason="", actor=curator)
    run_bulk_action(job.pk)

    plain.refresh_from_db()
    held.refresh_from_db()
    job.refresh_from_db()
    assert plain.moderation_state == "published"
    assert (held.moderation_state, held.hold_reason) == ("pending", HoldReason.SOURCE_CHANGED)
    assert (job.total, job.changed) == (1, 1)
