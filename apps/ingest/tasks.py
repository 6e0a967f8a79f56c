"""Celery tasks for ingestion: thin, by id, idempotent. Task names are a contract (queued
messages carry them): never rename one."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

from apps.core.fetching import TransientFetchError
from apps.ingest import services


@shared_task(name="ingest.poll_due_feeds", ignore_result=True)
def poll_due_feeds() -> int:
    """Beat's entry point: claim the feeds that are due and fan out one task per feed."""
    with transaction.atomic():
        feed_ids = services.feeds_claim_due()

        def enqueue():
            for feed_id in feed_ids:
                poll_feed.delay(feed_id)

        transaction.on_commit(enqueue)
    return len(feed_ids)


@shared_task(
    bind=True,
    name="ingest.poll_feed",
    acks_late=True,
    max_retries=4,
    soft_time_limit=settings.INGEST_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.INGEST_TASK_TIME_LIMIT,
    ignore_result=True,
)
def poll_feed(self, feed_id: int) -> None:
    """Poll one feed. Safe to deliver twice: the run is keyed by the task id, the feed is
    locked while it is polled, and every write is an upsert by natural key."""
    try:
        services.feed_poll(feed_id=feed_id, task_id=self.request.id or "", raise_transient=True)
    except TransientFetchError as exc:
        backoff = settings.INGEST_RETRY_BASE * (2**self.request.retries)
        raise self.retry(exc=exc, countdown=max(exc.retry_after or 0, backoff)) from exc
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-poll (a restart, a failover): the batches committed stay,
        # and every write is an upsert, so the retry reads the whole source again once the
        # database is back (the connection Django left broken is replaced before it runs).
        backoff = settings.INGEST_RETRY_BASE * (2**self.request.retries)
        raise self.retry(exc=exc, countdown=backoff) from exc


@shared_task(name="ingest.link_replies", ignore_result=True, soft_time_limit=600, time_limit=660)
def link_replies() -> int:
    """Hourly: link replies and quotes whose parent arrived in a later run."""
    return services.post_links_resolve()


@shared_task(
    bind=True,
    name="ingest.extract_article_text",
    acks_late=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def extract_article_text(self, article_id: int) -> None:
    try:
        services.article_text_extract(article_id=article_id)
    except TransientFetchError as exc:
        backoff = settings.INGEST_RETRY_BASE * (2**self.request.retries)
        raise self.retry(exc=exc, countdown=max(exc.retry_after or 0, backoff)) from exc
