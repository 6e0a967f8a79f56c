"""Background work for curators. Task names are a contract: renaming breaks queued messages."""

from celery import shared_task

from apps.curation import services


@shared_task(name="curation.run_bulk_action", acks_late=True)
def run_bulk_action(job_id: int) -> None:
    # Safe to run twice: the service claims the job, and decided entries are no longer pending.
    services.bulk_action_run(job_id=job_id)
