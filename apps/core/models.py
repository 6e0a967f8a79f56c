"""The few tables every app shares."""

from django.db import models


class HostState(models.Model):
    """Politeness per host, shared by every worker: a host that said 429/503 waits."""

    host = models.CharField(max_length=253, unique=True)
    blocked_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        # Born in ingest, shared since web captures fetch through the same guard.
        db_table = "ingest_hoststate"

    def __str__(self) -> str:
        return self.host
