"""Celery tasks for fixity audits: thin. Task names are a contract (queued messages carry them):
never rename one."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.fixity import services

logger = logging.getLogger("apps.fixity")


# A run is bounded by FIXITY_MAX_BYTES_PER_RUN; the limits only stop one stuck on a hung disk
# (the checks of its finished batches are kept). Running twice is safe: a file checked is
# simply not due.
@shared_task(name="fixity.audit_files", ignore_result=True, soft_time_limit=3000, time_limit=3300)
def audit_files() -> int:
    """Beat's entry point: check the files due in the rolling window. Returns how many."""
    try:
        return services.files_audit().checked
    except services.AuditBusy:
        logger.info("fixity audit skipped: another one is running")
        return 0
