"""Celery tasks for web captures: thin, by id, idempotent. Task names are a contract (queued
messages carry them): never rename one."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from apps.captures import liveness, services
from apps.core.fetching import TransientFetchError


# A batch is LIVENESS_BATCH_SIZE checks one after another, each bounded by the fetcher's
# timeouts; a batch cut short leaves the rest claimed for an hour (liveness.CLAIM_HOURS).
@shared_task(
    name="captures.check_due_urls", ignore_result=True, soft_time_limit=3000, time_limit=3300
)
def check_due_urls() -> int:
    """Beat's entry point: watch newly captured addresses, then re-check a bounded batch of the
    due ones, one at a time (LIVENESS_BATCH_SIZE)."""
    return liveness.due_urls_check()


# The longest a capture may take: the page, its requisites' time budget, then the screenshot
# and the files; past it the capture is marked failed and the worker moves on.
CAPTURE_SOFT_LIMIT = settings.INGEST_TOTAL_TIMEOUT + settings.CAPTURE_TOTAL_TIMEOUT + 120


@shared_task(
    bind=True,
    name="captures.run_capture",
    acks_late=True,  # safe twice: a finished capture is left alone, the lock keeps runs apart
    autoretry_for=(TransientFetchError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=CAPTURE_SOFT_LIMIT,
    time_limit=CAPTURE_SOFT_LIMIT + 60,
    ignore_result=True,
)
def run_capture(self, capture_id: int) -> None:
    """Capture one queued address. Until its last attempt, a failure that may pass leaves it
    queued and the task is retried with back-off; the last attempt marks it failed."""
    services.capture_run(
        capture_id=capture_id, retry_transient=self.request.retries < self.max_retries
    )


@shared_task(name="captures.capture_new_articles", ignore_result=True)
def capture_new_articles() -> int:
    """Beat's entry point: queue a capture of the source articles that have none yet
    (CAPTURE_BATCH_SIZE at a time)."""
    return services.articles_capture_missing()
