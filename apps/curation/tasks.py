"""Background work for curators. Task names are a contract: renaming breaks queued messages."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from apps.curation import services


# acks_late: a worker that dies mid-way leaves the message to be redelivered, and the service
# resumes a job whose progress went stale. Time limits well past any real queue (50,000 rows
# take seconds); a soft limit marks the job failed, to be run again from its progress page.
# A database restart mid-way fails the chunk being decided (its transaction rolls back) and
# leaves the job "running": the task retries, and its retry (the same message, so the job's
# own holder) takes the job again and carries on from what is still pending.
@shared_task(
    bind=True,
    name="curation.run_bulk_action",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1860,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=False,
    max_retries=8,
)
def run_bulk_action(self, job_id: int) -> None:
    # Safe to run twice: the service claims the job, and decided entries are no longer pending.
    services.bulk_action_run(job_id=job_id, resume=self.request.retries > 0)


# Hourly from beat (CELERY_BEAT_SCHEDULE). Safe to run twice: erased requests are not due again.
@shared_task(name="curation.erase_takedown_contacts")
def erase_takedown_contacts() -> int:
    return services.takedown_contacts_erase()
