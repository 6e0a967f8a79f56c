"""``manage.py seed``: load the archive's curated story (idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.timeline.models import TimelineEvent
from apps.timeline.seeding import SEED_ARTICLES_DIR, story_seed
from apps.timeline.storydata import DATA_DIR, StoryDataError


class Command(BaseCommand):
    help = (
        "Load the curated #MeToo story from its data files (apps/timeline/data/): the five "
        "seed articles and their outlets, the posts they quote, the chapters, the timeline "
        "events with their sources and competing dates. "
        "Everything is matched by natural key, so running it again creates no duplicates and "
        "only brings changed rows up to date; rows a curator withdrew stay withdrawn. Prints "
        "what was created, updated and left unchanged. A data file that fails its checks stops "
        "the seed with an error naming the file, record and field, and changes nothing."
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
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help=f"Directory holding the story's data files (default {DATA_DIR}).",
        )

    def handle(
        self,
        *args,
        if_empty: bool = False,
        base_dir: Path = SEED_ARTICLES_DIR,
        data_dir: Path = DATA_DIR,
        **options,
    ):
        if if_empty and TimelineEvent.objects.exists():
            self.stdout.write("The timeline already has events; nothing seeded.")
            return
        try:
            report = story_seed(base_dir=base_dir, data_dir=data_dir)
        except StoryDataError as error:
            raise CommandError(f"Nothing seeded: {error}") from error
        for line in report.lines():
            self.stdout.write(f"  {line}")
        summary = (
            f"Seeded: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )
        self.stdout.write(self.style.SUCCESS(summary) if report.changed_anything else summary)
