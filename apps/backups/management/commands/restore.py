"""``manage.py restore DIR [--force]``: bring a backup made by ``manage.py backup`` back
(apps.backups.services)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.backups.services import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore the backup folder DIR (made by `manage.py backup`, holding manifest.json) into "
        "the configured database and stored folders. Every file and the database dump are "
        "checked against the manifest first: if any does not match, nothing is restored and "
        "the exit status is 1. Refuses an installation that has archive entries or stored "
        "files unless --force. The database is replaced in one transaction; migrations newer "
        "than the backup are applied afterwards. Stop the web, worker and beat processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="A backup folder (backup-<time>).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a non-empty installation: its database contents are dropped and "
            "restored from the backup, and the backup's files overwrite those at the same "
            "paths (other stored files are left in place).",
        )

    def handle(self, *args, directory, force, verbosity, **options):
        log = self.stderr.write if verbosity else (lambda message: None)
        try:
            result = backup_restore(path=directory, force=force, log=log)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stderr.write(f"WARNING: {warning}")
        self.stdout.write(
            f"restored {result.path} ({result.files:,} files"
            + (", then migrated" if result.migrated else "")
            + ")"
        )
