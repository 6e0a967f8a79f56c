"""``manage.py backup [DIR] [--keep-days N]``: a restorable backup of the database and the
stored files (apps.backups.services)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.backups.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, one snapshot) and every stored file (raw captures, web "
        "captures) into a new folder DIR/backup-<UTC time>/ with manifest.json: each file's "
        "size and SHA-256, the dump's SHA-256, the migration state and the project version. "
        "Data packages are left out (they are rebuilt on request). A stored file that no longer "
        "matches the SHA-256 the database recorded is copied as it is, listed under "
        "'mismatches' in the manifest, and makes the exit status 2 (older backups are then "
        "not pruned: they may hold the intact copy). Restore with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            metavar="DIR",
            help="Where the backup folder is made (default: BACKUP_DIR).",
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            metavar="N",
            help="Then remove backups older than N days, always keeping the newest "
            "(default: keep all; the scheduled backup passes BACKUP_KEEP_DAYS).",
        )

    def handle(self, *args, directory, keep_days, verbosity, **options):
        if keep_days is not None and keep_days < 1:
            raise CommandError("--keep-days must be at least 1.")
        target = Path(directory or settings.BACKUP_DIR)
        log = self._log if verbosity else (lambda message: None)
        try:
            result = backup_create(
                directory=target,
                keep_days=keep_days,
                progress=Progress(self.stderr) if verbosity else None,
                log=log,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        for pruned in result.pruned:
            log(f"removed the old backup {pruned}")
        self.stdout.write(
            f"{result.path} ({len(manifest['files']):,} files, database "
            f"{manifest['database']['size']:,} bytes)"
        )
        if result.mismatches:
            raise CommandError(
                f"{len(result.mismatches)} stored files do not match the SHA-256 the database "
                f"recorded (listed under 'mismatches' in {result.path / 'manifest.json'}); "
                "older backups were kept",
                returncode=2,
            )

    def _log(self, message: str) -> None:
        self.stderr.write(message)


class Progress:
    """A progress line on stderr every few seconds and at the end."""

    def __init__(self, stream, every: float = 5.0):
        self.stream, self.every = stream, every
        self.last = time.monotonic()

    def __call__(self, files: int, total: int, done: int, total_bytes: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every and files < total:
            return
        self.last = now
        share = done / total_bytes if total_bytes else 1.0
        self.stream.write(
            f"  {files:,}/{total:,} files, {done:,}/{total_bytes:,} bytes ({share:.0%})"
        )
