"""Background work for curators. Task names are a contract: renaming breaks queued messages."""

from celery import shared_task

from apps.curation import services


# acks_late: a worker that dies mid-way leaves the message to be redelivered, and the service
# resumes a job whose progress went stale. Time limits well past any real queue (50,000 rows
# take seconds); a soft limit marks the job failed, to be run again from its progress page.
@shared_task(name="curation.run_bulk_action", acks_late=True, soft_time_limit=1800, time_limit=1860)
def run_bulk_action(job_id: int) -> None:
    # Safe to run twice: the service claims the job, and decided entries are no longer pending.
    services.bulk_action_run(job_id=job_id)


# Hourly from beat (CELERY_BEAT_SCHEDULE). Safe to run twice: erased requests are not due again.
@shared_task(name="curation.erase_takedown_contacts")
def erase_takedown_contacts() -> int:
    return services.takedown_contacts_erase()
