"""Fixity audits: stored files re-hashed on a rolling window, every check kept.

``FixityFile`` is the audit's list of what it watches (one row per stored file, with its latest
check, so choosing the next files and counting problems are index reads however long the
history grows). ``FixityCheck`` is the history itself: append-only, refused UPDATE and DELETE
by the database (migration 0002). ``FixityRun`` is one audit's summary.

What a file should hash to is never copied here for good: each check reads it from the row that
stored the file (``RawCapture.sha256``, ``CaptureFile.sha256``), the source of truth, and
records it on the check beside what was found.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class FileKind(models.TextChoices):
    RAW = "raw", "Raw ingest capture"
    WEB = "web", "Web capture file"


class Result(models.TextChoices):
    OK = "ok", "Intact"
    ALTERED = "altered", "Altered"
    MISSING = "missing", "Missing"
    UNREADABLE = "unreadable", "Unreadable"


PROBLEMS = [Result.ALTERED, Result.MISSING, Result.UNREADABLE]
# A failed audit exit status names these: the file is not what was stored.
DAMAGE = {Result.ALTERED, Result.MISSING}


class FixityRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    all_files = models.BooleanField(default=False, help_text="Every file, not the window's.")
    files_total = models.PositiveIntegerField(default=0, help_text="Files watched at the start.")
    checked = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0, help_text="Found by this run.")
    bytes_read = models.PositiveBigIntegerField(default=0)
    stopped_by_budget = models.BooleanField(default=False)
    files_checked_in_cycle = models.PositiveIntegerField(
        null=True, blank=True, help_text="Files whose latest check is within the cycle, at the end."
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-finished_at"], name="fixityrun_finished")]

    def __str__(self) -> str:
        return f"fixity run {self.pk} at {self.started_at:%Y-%m-%d %H:%M}"


class FixityCheck(models.Model):
    """One re-hash of one stored file. Never changed, never deleted."""

    run = models.ForeignKey(FixityRun, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    object_id = models.BigIntegerField(help_text="The RawCapture or CaptureFile row.")
    path = models.CharField(max_length=500, help_text="Relative to the kind's directory.")
    expected_sha256 = models.CharField(max_length=64)
    found_sha256 = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=12, choices=Result.choices)
    detail = models.CharField(max_length=500, blank=True, help_text="What went wrong, if anything.")
    checked_at = models.DateTimeField()
    duration = models.DurationField()
    bytes_read = models.PositiveBigIntegerField(default=0, help_text="Stored bytes read.")

    class Meta:
        indexes = [
            # A file's history, newest first.
            models.Index(F("kind"), F("path"), F("checked_at").desc(), name="fixitycheck_file"),
            models.Index(
                F("checked_at").desc(), condition=~Q(result=Result.OK), name="fixitycheck_problems"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path}: {self.result} at {self.checked_at:%Y-%m-%d %H:%M}"


class FixityFileQuerySet(models.QuerySet):
    def problems(self):
        """Files whose latest check found them altered, missing or unreadable."""
        return self.filter(last_result__in=PROBLEMS)

    def oldest_first(self):
        """Never checked first, then the longest unchecked (the ``fixityfile_due`` index)."""
        return self.order_by(F("last_checked_at").asc(nulls_first=True), "id")


class FixityFile(models.Model):
    """A stored file the audit watches: registered when the audit first sees its row, dropped
    when the row is gone (its checks stay)."""

    kind = models.CharField(max_length=8, choices=FileKind.choices)
    path = models.CharField(max_length=500)
    object_id = models.BigIntegerField(help_text="A RawCapture or CaptureFile row storing it.")
    sha256 = models.CharField(max_length=64, help_text="As recorded when it was registered.")
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes on disk, for the budget.")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=12, choices=Result.choices, blank=True)
    last_check = models.ForeignKey(
        FixityCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FixityFileQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "path"], name="fixityfile_one_per_path")
        ]
        indexes = [
            models.Index(
                F("last_checked_at").asc(nulls_first=True), F("id"), name="fixityfile_due"
            ),
            models.Index(
                fields=["last_checked_at"],
                condition=Q(last_result__in=PROBLEMS),
                name="fixityfile_problems",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.path}"
