"""``manage.py seed``: load the archive's curated story (idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.timeline.models import TimelineEvent
from apps.timeline.seeding import SEED_ARTICLES_DIR, story_seed


class Command(BaseCommand):
    help = (
        "Load the curated #MeToo story: the five seed articles and their outlets, the posts they "
        "quote, the chapters, the timeline events with their sources and competing dates. "
        "Everything is matched by natural key, so running it again creates no duplicates and "
        "only brings changed rows up to date; rows a curator withdrew stay withdrawn. Prints "
        "what was created, updated and left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when there are no timeline events yet (what `make run` uses).",
        )
        parser.add_argument(
            "--base-dir",
            type=Path,
            default=SEED_ARTICLES_DIR,
            help=f"Directory holding the seed articles' text files (default {SEED_ARTICLES_DIR}).",
        )

    def handle(self, *args, if_empty: bool = False, base_dir: Path = SEED_ARTICLES_DIR, **options):
        if if_empty and TimelineEvent.objects.exists():
            self.stdout.write("The timeline already has events; nothing seeded.")
            return
        report = story_seed(base_dir=base_dir)
        for line in report.lines():
            self.stdout.write(f"  {line}")
        summary = (
            f"Seeded: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )
        self.stdout.write(self.style.SUCCESS(summary) if report.changed_anything else summary)
