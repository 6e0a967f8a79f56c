"""The whole published archive as one file: what the site's exports, bounded per download,
point to for everything."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.search import exports
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry


class Command(BaseCommand):
    help = (
        "Write every published post, article, event and public account, with the search "
        "exports' columns, to a CSV or JSON file (written beside it first, then moved into "
        "place, so a failed run leaves the previous file whole)."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="the file to write (.csv or .json)")
        parser.add_argument(
            "--format", choices=["csv", "json"], help="default: from the file's extension"
        )

    def handle(self, *args, output: Path, format: str | None, **options):
        fmt = format or output.suffix.lstrip(".").lower()
        if fmt not in ("csv", "json"):
            raise CommandError(f"Say --format csv or json: {output.name} has neither extension.")
        if not output.parent.is_dir():
            raise CommandError(f"No such folder: {output.parent}")
        count = 0

        def counted(rows):
            nonlocal count
            for row in rows:
                count += 1
                yield row

        rows = counted(
            exports.export_rows(
                SearchFilterSet({}, queryset=SearchEntry.objects.all()), site_url=settings.SITE_URL
            )
        )
        if fmt == "csv":
            chunks = exports.csv_stream(rows)
        else:
            meta = {
                "archive": settings.SITE_NAME,
                "dataset": "every published entry",
                "exported_at": timezone.now().isoformat(),
                "url": settings.SITE_URL,
            }
            chunks = exports.json_stream(rows, meta=meta)
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as file:
                file.writelines(chunks)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(self.style.SUCCESS(f"Wrote {count:,} entries to {output}."))
