"""The capture queue in numbers, for operators (``/healthz``) and the public (``/sources/``).

Counts only: no address, entry or error is named, so the numbers may be shown to anyone."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from apps.captures.models import CaptureStatus, WebCapture

FAILED_WINDOW = datetime.timedelta(days=1)


@dataclass(frozen=True)
class QueueSummary:
    queued: int
    running: int
    failed_last_day: int  # failed captures requested in the last 24 hours
    oldest_queued_at: datetime.datetime | None
    now: datetime.datetime

    @property
    def oldest_queued_seconds(self) -> int | None:
        if self.oldest_queued_at is None:
            return None
        return max(0, int((self.now - self.oldest_queued_at).total_seconds()))

    def as_dict(self) -> dict:
        return {
            "queued": self.queued,
            "running": self.running,
            "failed_last_day": self.failed_last_day,
            "oldest_queued_seconds": self.oldest_queued_seconds,
        }


def queue_summary(*, now: datetime.datetime | None = None) -> QueueSummary:
    """One query. Only unfinished captures and the last day's failures are read (the status
    index finds them), never the finished ones, however many the archive holds."""
    now = now or timezone.now()
    since = now - FAILED_WINDOW
    queued = Q(status=CaptureStatus.QUEUED)
    running = Q(status=CaptureStatus.RUNNING)
    failed = Q(status=CaptureStatus.FAILED, requested_at__gte=since)
    counts = WebCapture.objects.filter(queued | running | failed).aggregate(
        queued=Count("pk", filter=queued),
        running=Count("pk", filter=running),
        failed=Count("pk", filter=failed),
        oldest=Min("requested_at", filter=queued),
    )
    return QueueSummary(
        queued=counts["queued"],
        running=counts["running"],
        failed_last_day=counts["failed"],
        oldest_queued_at=counts["oldest"],
        now=now,
    )
