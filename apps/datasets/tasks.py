"""Background work for data packages. Task names are a contract: renaming breaks queued
messages."""

from celery import shared_task

from apps.datasets import services


# acks_late: a worker that dies mid-way leaves the message to be redelivered, and the service
# claims again a build whose lock went with its worker. A package of DATASET_MAX_ROWS rows takes
# minutes; the soft limit marks it failed, to be asked for again.
@shared_task(name="datasets.build_package", acks_late=True, soft_time_limit=3600, time_limit=3660)
def build_package(package_id: str) -> None:
    services.package_build(package_id=package_id)


# Daily from beat (CELERY_BEAT_SCHEDULE). Safe to run twice: retired packages are not due again.
@shared_task(name="datasets.remove_packages")
def remove_packages() -> dict:
    removed = services.packages_remove()
    return {"expired": removed.expired, "superseded": removed.superseded}
