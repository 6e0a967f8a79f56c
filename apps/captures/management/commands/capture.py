"""``manage.py capture URL [URL ...] [--json] [--article ID | --post ID]``

Captures each address now, in this process (the page, its requisites, its text, a screenshot
where Chromium is), through the same network guard and settings as ingestion, and prints each
capture's id, status and files with their SHA-256. Exit status 0 only if every address was
captured.
"""

from __future__ import annotations

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from apps.archive.models import Post, SourceArticle
from apps.captures.models import CaptureStatus
from apps.captures.services import CaptureRequestError, capture_url


class Command(BaseCommand):
    help = (
        "Capture web pages now: each URL's page and requisites are written as WARC and WACZ "
        "(and a screenshot where Chromium is) under WEB_CAPTURE_DIR. Prints each capture's "
        "id, status and files with their SHA-256. A 404 or 410 answer is kept as a capture "
        "of that status. Fetching obeys the network guard and INGEST_* settings of ingestion. "
        "Exit status 0 only if every URL was captured."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "urls",
            nargs="*",
            metavar="URL",
            help="An http(s) address. With --article, the article's own address by default.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        entry = parser.add_mutually_exclusive_group()
        entry.add_argument(
            "--article", type=int, metavar="ID", help="Attach the captures to this source article."
        )
        entry.add_argument(
            "--post", type=int, metavar="ID", help="Attach the captures to this post."
        )

    def handle(self, *args, urls, json, article, post, **options):
        article_row = post_row = None
        if article is not None:
            article_row = SourceArticle.objects.filter(pk=article).first()
            if article_row is None:
                raise CommandError(f"There is no source article {article}.")
            urls = urls or [article_row.canonical_url]
        if post is not None:
            post_row = Post.objects.filter(pk=post).first()
            if post_row is None:
                raise CommandError(f"There is no post {post}.")
        if not urls:
            raise CommandError("Give at least one URL (or --article ID).")
        report = {"captures": [], "ok": True}
        for position, url in enumerate(urls, 1):
            if len(urls) > 1 and not json:
                self.stderr.write(f"[{position}/{len(urls)}] capturing {url}")
            try:
                capture = capture_url(url=url, article=article_row, post=post_row)
            except CaptureRequestError as exc:
                entry = {"url": url, "id": None, "status": "refused", "error": str(exc)}
                entry["files"] = []
            except KeyboardInterrupt:
                self.stderr.write(f"\n{url}: interrupted; nothing half-written is kept.")
                sys.exit(130)
            except DatabaseError as exc:
                raise CommandError(f"{url}: the database could not be used ({exc})") from None
            else:
                entry = describe(capture)
            report["captures"].append(entry)
            report["ok"] = report["ok"] and entry["status"] == CaptureStatus.DONE
            if not json:
                self._print(entry)
        if json:
            self.stdout.write(dumps(report))
        if not report["ok"]:
            sys.exit(1)

    def _print(self, entry: dict) -> None:
        if entry["status"] != CaptureStatus.DONE:
            which = f"capture {entry['id']}" if entry["id"] else "not captured"
            self.stderr.write(self.style.ERROR(f"{entry['url']}: {which}: {entry['status']}"))
            self.stderr.write(f"  error: {entry['error']}")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{entry['url']}: capture {entry['id']}: {entry['status']} "
                f"(HTTP {entry['http_status']}, {entry['resource_count']} requisites, "
                f"{entry['resources_skipped']} left out, {entry['total_bytes']:,} bytes)"
            )
        )
        if entry["final_url"] != entry["url"]:
            self.stdout.write(f"  final URL: {entry['final_url']}")
        for stored in entry["files"]:
            self.stdout.write(f"  {stored['kind']:10} {stored['file']}  sha256:{stored['sha256']}")


def describe(capture) -> dict:
    return {
        "url": capture.url,
        "id": capture.pk,
        "status": capture.status,
        "http_status": capture.http_status,
        "final_url": capture.final_url,
        "title": capture.title,
        "captured_at": capture.captured_at.isoformat() if capture.captured_at else None,
        "resource_count": capture.resource_count,
        "resources_skipped": capture.resources_skipped,
        "total_bytes": capture.total_bytes,
        "payload_digest": capture.payload_digest,
        "error": capture.error,
        "files": [
            {
                "kind": stored.kind,
                "path": stored.path,
                "file": str(settings.WEB_CAPTURE_DIR / stored.path),
                "sha256": stored.sha256,
                "size": stored.size,
            }
            for stored in capture.files.order_by("kind")
        ],
    }


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
