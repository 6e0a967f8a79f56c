import time

from django.core.management.base import BaseCommand

from apps.search.indexing import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index and the volume counts from the published entries."

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = index_rebuild()
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{n:,} {kind}s" for kind, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Indexed {summary} in {elapsed:.1f}s."))
