"""``manage.py audit_fixity [--all]``

Re-hashes stored files now (the ones due in the rolling window, or every one with ``--all``),
records each check, prints a summary and every problem. Exit status 0 when every file checked
is intact, 1 when one is missing, altered or unreadable, 2 when the audit could not run.
"""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.fixity.services import AuditBusy, files_audit

PROGRESS_SECONDS = 5


class Command(BaseCommand):
    help = (
        "Check the fixity of stored files now: raw ingest captures (under INGEST_CAPTURE_DIR, "
        "decompressed, as they were hashed) and web capture files (under WEB_CAPTURE_DIR) are "
        "re-hashed with SHA-256 and compared with the hash recorded when they were stored. "
        "Without --all, checks the files due in the rolling window, as the hourly task does "
        "(every file once every FIXITY_CYCLE_DAYS days, oldest check first, at most "
        "FIXITY_MAX_BYTES_PER_RUN bytes). Every check is recorded. Prints a summary and each "
        "problem (path, expected and found SHA-256); progress goes to stderr. Exit status: 0 "
        "every file checked is intact; 1 a file is missing, altered or unreadable; 2 the "
        "audit could not run (another one is running)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="all_files",
            help="Check every stored file now, whatever the window and the byte budget.",
        )

    def handle(self, *args, all_files: bool, **options):
        last = [time.monotonic()]

        def progress(checked: int, bytes_read: int) -> None:
            if time.monotonic() - last[0] >= PROGRESS_SECONDS:
                last[0] = time.monotonic()
                self.stderr.write(f"... {checked} files checked, {_size(bytes_read)} read")

        try:
            report = files_audit(all_files=all_files, progress=progress)
        except AuditBusy as exc:
            raise CommandError(str(exc), returncode=2) from None
        scope = "every file" if all_files else "the files due"
        self.stdout.write(
            f"Checked {report.checked} of {report.files_total} stored files ({scope}), "
            f"{_size(report.bytes_read)} read: {report.ok} intact, "
            f"{len(report.problems)} with a problem."
        )
        if report.stopped_by_budget:
            self.stdout.write(
                f"Stopped at FIXITY_MAX_BYTES_PER_RUN ({_size(settings.FIXITY_MAX_BYTES_PER_RUN)})"
                "; the rest are checked by the next runs."
            )
        self.stdout.write(
            f"{report.files_checked_in_cycle} of {report.files_total} files were checked in the "
            f"last {settings.FIXITY_CYCLE_DAYS} days."
        )
        for problem in report.problems:
            self.stdout.write(
                f"{problem.result.upper()}: {problem.path} ({problem.kind}, row "
                f"{problem.object_id})\n  expected {problem.expected}\n  found    "
                f"{problem.found or '-'}" + (f"\n  {problem.detail}" if problem.detail else "")
            )
        if report.problems:
            self.stderr.write(
                f"{len(report.problems)} stored files failed the fixity check "
                f"({len(report.damaged)} missing or altered)."
            )
            sys.exit(1)


def _size(count: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} bytes"
