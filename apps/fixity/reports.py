"""What the audit found, read for ``/healthz`` and the curators' page. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from apps.captures.models import CaptureFile
from apps.fixity.models import FileKind, FixityFile, FixityRun
from apps.ingest.models import RawCapture


def problem_count() -> int:
    """Files whose latest check is not "ok": one count on a partial index."""
    return FixityFile.objects.problems().count()


def health_summary() -> dict:
    """Two small queries: the last finished run (its own index), and the problems count."""
    run = (
        FixityRun.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .only("finished_at", "files_total", "files_checked_in_cycle")
        .first()
    )
    return {
        "problems": problem_count(),
        "files_watched": run.files_total if run else 0,
        "files_checked_in_cycle": run.files_checked_in_cycle if run else 0,
        "last_run": run.finished_at.isoformat() if run else None,
    }


@dataclass
class ProblemRow:
    file: FixityFile
    check: object  # the latest FixityCheck
    source: str = ""  # where a raw capture was read from
    entry_kind: str = ""  # the entry a web capture documents, for a link
    entry_id: int | None = None


def problem_rows(*, limit: int) -> list[ProblemRow]:
    """The files with a problem, latest first, each with the entry or source it belongs to.
    Three queries whatever the number of rows."""
    files = list(
        FixityFile.objects.problems()
        .select_related("last_check")
        .order_by("-last_checked_at", "-id")[:limit]
    )
    raw_ids = [f.object_id for f in files if f.kind == FileKind.RAW]
    web_ids = [f.object_id for f in files if f.kind == FileKind.WEB]
    sources = dict(RawCapture.objects.filter(pk__in=raw_ids).values_list("pk", "source"))
    entries = {
        pk: ("article", article) if article else ("post", post) if post else ("", None)
        for pk, article, post in CaptureFile.objects.filter(pk__in=web_ids).values_list(
            "pk", "capture__article_id", "capture__post_id"
        )
    }
    rows = []
    for stored in files:
        row = ProblemRow(file=stored, check=stored.last_check)
        if stored.kind == FileKind.RAW:
            row.source = sources.get(stored.object_id, "")
        else:
            row.entry_kind, row.entry_id = entries.get(stored.object_id, ("", None))
        rows.append(row)
    return rows
