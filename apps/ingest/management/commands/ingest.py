"""``manage.py ingest SOURCE [SOURCE ...] [--format FORMAT] [--json]``

Reads URLs and files (``.gz`` too) into the archive, as a feed poll would, and reports the
counts per source. WARC and WACZ files (found by their bytes, or failing that their names) are
imported as articles with their web captures. Exit status 0 only if every source was read.
"""

from __future__ import annotations

import json
import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from apps.captures.importing import web_archive_kind
from apps.ingest.models import Format, RunStatus, is_url
from apps.ingest.services import source_ingest, web_archive_ingest


class ProgressBar:
    """A one-line progress bar on a terminal; silent when stderr is not one."""

    def __init__(self, stream, label: str, total: int):
        self.stream, self.label, self.total = stream, label, total
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, items: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and done < self.total:
            return
        self.last = now
        rate = items / max(now - self.started, 1e-6)
        if self.total:
            fraction = min(done / self.total, 1.0)
            bar = "#" * int(fraction * 30)
            self.stream.write(
                f"\r{self.label[-40:]:40} [{bar:30}] {fraction:4.0%} {items:,} items {rate:,.0f}/s"
            )
        else:
            self.stream.write(f"\r{self.label[-40:]:40} {items:,} items {rate:,.0f}/s")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Ingest feeds and data exports from URLs or files (.gz too), and WARC/WACZ files "
        "(.warc, .warc.gz, .wacz) as articles with their captures. The format is detected "
        "unless --format is given. Exit status 0 only if every source was read."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="SOURCE", help="A URL or a file path.")
        parser.add_argument(
            "--format",
            choices=[choice for choice, _ in Format.choices],
            default=Format.AUTO,
            help="The format of every source (default: detect each).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--extract-articles",
            action="store_true",
            help="Queue text extraction for new articles (needs a running worker).",
        )
        parser.add_argument("--batch-size", type=int, default=None, help=argparse_hidden())

    def handle(self, *args, sources, format, json, extract_articles, batch_size, **options):
        if batch_size is not None and batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        report = {"sources": [], "ok": True}
        for source in sources:
            if not is_url(source):
                source = os.path.abspath(source)
                kind = web_archive_kind(source) if format == Format.AUTO else ""
                if kind and os.path.isfile(source):
                    entry = self._web_archive(source, kind, quiet=json)
                    report["sources"].append(entry)
                    report["ok"] = report["ok"] and entry["status"] != RunStatus.FAILED
                    continue
            bar = None
            if not json and sys.stderr.isatty():
                total = os.path.getsize(source) if os.path.isfile(source) else 0
                bar = ProgressBar(sys.stderr, os.path.basename(source) or source, total)
            try:
                run = source_ingest(
                    source=source,
                    format=format,
                    extract_articles=extract_articles,
                    progress=bar,
                    batch_size=batch_size,
                )
            except KeyboardInterrupt:
                # What was written stays (each batch is committed); running again is safe.
                self.stderr.write(f"\n{source}: interrupted; batches already written are kept.")
                sys.exit(130)
            except DatabaseError as exc:
                raise CommandError(f"{source}: the database could not be used ({exc})") from None
            if bar is not None:
                bar.done()
            failures = list(run.failures.values_list("position", "reason")[:100])
            entry = {
                "source": source,
                "run": run.pk,
                "format": run.format,
                "status": run.status,
                "counts": run.counts,
                "error": run.error,
                "item_errors": [{"position": p, "reason": r} for p, r in failures],
            }
            report["sources"].append(entry)
            if run.status == RunStatus.FAILED:
                report["ok"] = False
            if not json:
                self._print(entry, run.failed_count)
        if json:
            self.stdout.write(dumps(report))
        if not report["ok"]:
            sys.exit(1)

    def _web_archive(self, source: str, kind: str, *, quiet: bool) -> dict:
        """A WARC or WACZ file: its pages become articles with their captures."""
        bar = capture_bar = None
        if not quiet and sys.stderr.isatty():
            name = os.path.basename(source)
            bar = ProgressBar(sys.stderr, name, os.path.getsize(source))
            capture_bar = ProgressBar(sys.stderr, f"{name}: captures", 0)
        try:
            run, found = web_archive_ingest(
                path=source, kind=kind, progress=bar, capture_progress=capture_bar
            )
        except KeyboardInterrupt:
            self.stderr.write(f"\n{source}: interrupted; the captures stored are kept.")
            sys.exit(130)
        except DatabaseError as exc:
            raise CommandError(f"{source}: the database could not be used ({exc})") from None
        if bar is not None:
            bar.done()
        failures = list(run.failures.values_list("position", "reason")[:100])
        entry = {
            "source": source,
            "run": run.pk,
            "format": kind,
            "status": run.status,
            "counts": run.counts,
            "web_archive": found.as_dict(),
            "error": run.error,
            "item_errors": [{"position": p, "reason": r} for p, r in failures],
        }
        if not quiet:
            counts, archive = entry["counts"], entry["web_archive"]
            reasons = ", ".join(f"{n} {why}" for why, n in archive["skipped_by_reason"].items())
            line = (
                f"{source}: {run.status} ({kind}): {archive['pages']} pages, "
                f"{archive['captures_created']} captures stored, "
                f"{archive['captures_existing']} already stored, "
                f"{archive['skipped']} records skipped{f' ({reasons})' if reasons else ''}, "
                f"{archive['errors']} errors; articles: {counts['created']} created, "
                f"{counts['updated']} updated, {counts['unchanged']} unchanged"
            )
            if run.status == RunStatus.FAILED:
                self.stderr.write(self.style.ERROR(line))
                self.stderr.write(f"  error: {run.error}")
            else:
                self.stdout.write(self.style.SUCCESS(line))
            for item in entry["item_errors"][:20]:
                self.stderr.write(f"  skipped {item['position']}: {item['reason']}")
        return entry

    def _print(self, entry: dict, failed: int) -> None:
        counts = entry["counts"]
        line = (
            f"{entry['source']}: {entry['status']} ({entry['format'] or 'unknown format'}): "
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed"
        )
        if entry["status"] == RunStatus.FAILED:
            self.stderr.write(self.style.ERROR(line))
            self.stderr.write(f"  error: {entry['error']}")
        else:
            self.stdout.write(self.style.SUCCESS(line))
        for item in entry["item_errors"][:20]:
            self.stderr.write(f"  skipped {item['position']}: {item['reason']}")
        if failed > 20:
            self.stderr.write(
                f"  … and {failed - 20} more skipped items (see the run in the admin)"
            )


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
