"""Fixity audits: re-hash stored files, oldest check first, and record every check.

Every file is checked at least once every ``FIXITY_CYCLE_DAYS``, spread evenly over the runs of
a cycle (one every ``FIXITY_RUN_MINUTES``): a run checks about (files / runs per cycle) of them,
the never-checked and longest-unchecked first, more when some would otherwise go past the cycle,
and stops at ``FIXITY_MAX_BYTES_PER_RUN`` stored bytes read (at least one file, so one large
file cannot stall the audit). ``--all`` checks every file now.

Raw ingest captures are gzip files whose recorded SHA-256 is of the bytes before compression,
so they are decompressed while hashed; web capture files are hashed as stored. Both are read
in 1 MiB chunks: memory stays flat whatever the file's size.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import logging
import math
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from apps.captures.models import CaptureFile
from apps.core.locks import lock_id, session_lock
from apps.fixity.models import DAMAGE, FileKind, FixityCheck, FixityFile, FixityRun, Result
from apps.ingest.models import RawCapture

logger = logging.getLogger("apps.fixity")

CHUNK = 1024 * 1024
BATCH = 500
# The audit's lock (apps.core.locks), by id: tests hold it from another session.
LOCK_KEY = lock_id("fixity.audit")
# A gzip file whose bytes were changed can fail to decompress rather than hash differently.
DAMAGED_GZIP = (gzip.BadGzipFile, EOFError, zlib.error)


class AuditBusy(Exception):
    """Another audit is running."""


@dataclass(frozen=True)
class Problem:
    kind: str
    path: str
    object_id: int
    result: str
    expected: str
    found: str
    detail: str


@dataclass
class AuditReport:
    run_id: int
    all_files: bool
    files_total: int
    checked: int = 0
    bytes_read: int = 0
    stopped_by_budget: bool = False
    files_checked_in_cycle: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def damaged(self) -> list[Problem]:
        """Files missing or altered (the audit command's failure)."""
        return [p for p in self.problems if p.result in DAMAGE]

    @property
    def ok(self) -> int:
        return self.checked - len(self.problems)


@dataclass
class _Outcome:
    result: str
    found: str = ""
    detail: str = ""
    bytes_read: int = 0


def cycle() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FIXITY_CYCLE_DAYS)


def runs_per_cycle() -> int:
    return max(1, settings.FIXITY_CYCLE_DAYS * 24 * 60 // settings.FIXITY_RUN_MINUTES)


def files_audit(
    *,
    all_files: bool = False,
    now: datetime.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AuditReport:
    """Check the files due now (or every file with ``all_files``); returns what was found.

    Raises ``AuditBusy`` when another audit holds the lock. ``progress(checked, bytes_read)`` is
    called after each batch. Checks are written a batch at a time, so a run cut short keeps
    what it checked."""
    now = now or timezone.now()
    started = time.monotonic()
    with _audit_lock():
        files_register()
        _problems_recheck_sources()
        total = FixityFile.objects.count()
        run = FixityRun.objects.create(started_at=now, all_files=all_files, files_total=total)
        report = AuditReport(run_id=run.pk, all_files=all_files, files_total=total)
        quota = total if all_files else math.ceil(total / runs_per_cycle())
        # A file checked before this would go past its cycle before the next run: checked
        # whatever the share (still within the byte budget), so the window catches up after
        # the audit stopped for a while; the shares spread such a burst out again in a cycle.
        overdue = now - cycle() + datetime.timedelta(minutes=settings.FIXITY_RUN_MINUTES)
        budget = settings.FIXITY_MAX_BYTES_PER_RUN
        planned_bytes = 0
        while True:
            # Files checked in this run are stamped after ``now`` and so leave the query.
            due = FixityFile.objects.filter(
                Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=now)
            ).oldest_first()
            batch, stop = [], False
            for stored in due[:BATCH]:
                if not all_files:
                    # Never-checked files come first but within the share: on a first
                    # deployment they are spread over the cycle, not read in one go.
                    behind = (
                        stored.last_checked_at is not None and stored.last_checked_at <= overdue
                    )
                    if report.checked + len(batch) >= quota and not behind:
                        stop = True
                        break
                    if planned_bytes and planned_bytes + stored.size > budget:
                        stop = report.stopped_by_budget = True
                        break
                planned_bytes += stored.size
                batch.append(stored)
            if batch:
                _check_batch(run, batch, report, now=now, started=started)
                if progress:
                    progress(report.checked, report.bytes_read)
            if stop or len(batch) < BATCH:
                break
        cutoff = now - cycle()
        report.files_checked_in_cycle = FixityFile.objects.filter(
            last_checked_at__gt=cutoff
        ).count()
        FixityRun.objects.filter(pk=run.pk).update(
            finished_at=now + datetime.timedelta(seconds=time.monotonic() - started),
            checked=report.checked,
            problems=len(report.problems),
            bytes_read=report.bytes_read,
            stopped_by_budget=report.stopped_by_budget,
            files_checked_in_cycle=report.files_checked_in_cycle,
        )
    logger.info(
        "fixity audit %s: %d of %d files checked (%d bytes read), %d intact, %d problems; "
        "%d checked within the %d-day cycle%s",
        run.pk, report.checked, total, report.bytes_read, report.ok, len(report.problems),
        report.files_checked_in_cycle, settings.FIXITY_CYCLE_DAYS,
        "; stopped at the byte budget" if report.stopped_by_budget else "",
    )  # fmt: skip
    return report


@contextmanager
def _audit_lock() -> Iterator[None]:
    """One audit at a time: the hourly task and an operator's ``audit_fixity`` could overlap
    (apps.core.locks: a killed worker's lock goes with its session)."""
    with session_lock("fixity.audit") as held:
        if not held:
            raise AuditBusy("another fixity audit is running; try again when it has finished")
        yield


def _raw_stored():
    # A raw capture whose compressed size is still 0 has no file yet (it is being compressed
    # beside its run's parse) or never got one (its run reports why): nothing to audit.
    return RawCapture.objects.filter(compressed_size__gt=0)


def files_register() -> int:
    """Add the stored files the audit has not seen yet; returns how many. One query per kind
    finds them (an anti-join), however many files there are; identical raw input is stored
    once for many captures, so raw files are one per path."""
    raw = (
        _raw_stored()
        .exclude(content_path__in=FixityFile.objects.filter(kind=FileKind.RAW).values("path"))
        .order_by()
        .values("content_path")
        .annotate(first=Min("pk"), sha=Min("sha256"), stored=Max("compressed_size"))
    )
    web = CaptureFile.objects.exclude(
        path__in=FixityFile.objects.filter(kind=FileKind.WEB).values("path")
    ).values_list("path", "pk", "sha256", "size")
    new = [
        FixityFile(kind=FileKind.RAW, path=row["content_path"], object_id=row["first"],
                   sha256=row["sha"], size=row["stored"])
        for row in raw.iterator(chunk_size=2000)
    ] + [
        FixityFile(kind=FileKind.WEB, path=path, object_id=pk, sha256=sha256, size=size)
        for path, pk, sha256, size in web.iterator(chunk_size=2000)
    ]  # fmt: skip
    FixityFile.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


def _sources(files: list[FixityFile]) -> dict[tuple[str, str], tuple[int, str]]:
    """The rows storing these files now: (kind, path) -> (row id, expected SHA-256). Two
    queries, each by an index (raw captures by their hash, capture files by their path)."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    raw = [f for f in files if f.kind == FileKind.RAW]
    if raw:
        rows = (
            _raw_stored()
            .filter(sha256__in={f.sha256 for f in raw}, content_path__in={f.path for f in raw})
            .order_by()
            .values("content_path")
            .annotate(first=Min("pk"), sha=Min("sha256"))
        )
        found.update({(FileKind.RAW, r["content_path"]): (r["first"], r["sha"]) for r in rows})
    web = [f.path for f in files if f.kind == FileKind.WEB]
    if web:
        rows = CaptureFile.objects.filter(path__in=web).values_list("path", "pk", "sha256")
        found.update({(FileKind.WEB, path): (pk, sha256) for path, pk, sha256 in rows})
    return found


def _problems_recheck_sources() -> None:
    last = 0
    while chunk := list(FixityFile.objects.problems().filter(pk__gt=last).order_by("pk")[:BATCH]):
        files_unregister_gone(files=chunk)
        last = chunk[-1].pk


def files_unregister_gone(*, files: list[FixityFile]) -> int:
    """Stop watching those of these files whose rows were deleted (their checks stay), so a
    capture deleted on purpose is not reported missing. Run on the current problems at the
    start of every audit; other files are looked at when their turn comes."""
    if not files:
        return 0
    sources = _sources(files)
    gone = [f.pk for f in files if (f.kind, f.path) not in sources]
    if gone:
        FixityFile.objects.filter(pk__in=gone).delete()
    return len(gone)


def _base_dir(kind: str) -> Path:
    return Path(settings.INGEST_CAPTURE_DIR if kind == FileKind.RAW else settings.WEB_CAPTURE_DIR)


def file_hash(*, kind: str, path: str, expected: str) -> _Outcome:
    """Re-hash one stored file as its SHA-256 was computed when it was stored."""
    digest = hashlib.sha256()
    try:
        with (_base_dir(kind) / path).open("rb") as handle:
            stream = gzip.GzipFile(fileobj=handle, mode="rb") if kind == FileKind.RAW else handle
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
            read = handle.tell()
    except FileNotFoundError:
        return _Outcome(Result.MISSING, detail="no file at this path")
    except DAMAGED_GZIP as exc:  # before OSError: BadGzipFile is one
        return _Outcome(Result.ALTERED, detail=f"the compressed file is damaged: {exc}"[:500])
    except OSError as exc:
        return _Outcome(Result.UNREADABLE, detail=f"{exc.__class__.__name__}: {exc}"[:500])
    found = digest.hexdigest()
    if found != expected:
        return _Outcome(Result.ALTERED, found, "the bytes hash differently", read)
    return _Outcome(Result.OK, found, "", read)


def _check_batch(
    run: FixityRun,
    batch: list[FixityFile],
    report: AuditReport,
    *,
    now: datetime.datetime,
    started: float,
) -> None:
    sources = _sources(batch)
    checks, watched, gone = [], [], []
    for stored in batch:
        source = sources.get((stored.kind, stored.path))
        if source is None:  # its row was deleted since the run began
            gone.append(stored.pk)
            continue
        object_id, expected = source
        began = time.monotonic()
        outcome = file_hash(kind=stored.kind, path=stored.path, expected=expected)
        ended = time.monotonic()
        check = FixityCheck(
            run=run, kind=stored.kind, object_id=object_id, path=stored.path,
            expected_sha256=expected, found_sha256=outcome.found, result=outcome.result,
            detail=outcome.detail, checked_at=now + datetime.timedelta(seconds=ended - started),
            duration=datetime.timedelta(seconds=ended - began), bytes_read=outcome.bytes_read,
        )  # fmt: skip
        checks.append(check)
        stored.object_id = object_id
        watched.append(stored)
        report.bytes_read += outcome.bytes_read
        if outcome.result != Result.OK:
            problem = Problem(
                kind=stored.kind, path=stored.path, object_id=object_id, result=outcome.result,
                expected=expected, found=outcome.found, detail=outcome.detail,
            )  # fmt: skip
            report.problems.append(problem)
            logger.warning(
                "fixity: %s %s is %s (%s row %s): expected sha256 %s, found %s (%s)",
                stored.kind, stored.path, outcome.result, stored.get_kind_display().lower(),
                object_id, expected, outcome.found or "nothing", outcome.detail,
            )  # fmt: skip
    with transaction.atomic():
        FixityCheck.objects.bulk_create(checks)
        for stored, check in zip(watched, checks, strict=True):
            stored.last_check = check
            stored.last_checked_at = check.checked_at
            stored.last_result = check.result
        FixityFile.objects.bulk_update(
            watched, ["object_id", "last_check", "last_checked_at", "last_result"]
        )
        if gone:
            FixityFile.objects.filter(pk__in=gone).delete()
    report.checked += len(checks)
