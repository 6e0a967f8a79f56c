"""Export streaming at scale: rows per second and peak memory, which must not grow with rows.

    DEBUG=1 .venv/bin/python benchmarks/search_export.py [--queries weinstein women]

Uses the same database as ``search_queries.py`` (``DATABASE_URL``, or the embedded
``metoo_bench``), generating the corpus there first if it is empty. Streams each export through
Django's test client, counting rows without keeping them: once timed, once with tracemalloc
for the peak Python memory, printed next to the number of rows.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_queries import ensure_corpus, use_bench_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", nargs="+", default=["zanzibar", "farrow sorvino", "weinstein"])
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--rows", type=int, default=1_000_000, help="posts to generate if empty")
    args = parser.parse_args()
    use_bench_database()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    # Streaming at scale is what curators' exports and `manage.py export_dataset` do; a
    # visitor's export stops at EXPORT_MAX_ROWS (and would be refused here).
    settings.EXPORT_MAX_ROWS = 10**12
    settings.EXPORT_RATE_LIMIT = "1000/h"

    ensure_corpus(args.rows)
    client = Client()
    print(f"{'query':<20} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9}")

    def export(q: str) -> int:
        response = client.get(f"/search/export.{args.format}", {"q": q})
        assert response.status_code == 200, response.status_code
        rows = -1  # the header line
        for chunk in response.streaming_content:
            rows += chunk.count(b"\n")
        return rows

    for q in args.queries:
        started = time.perf_counter()
        rows = export(q)
        elapsed = time.perf_counter() - started
        tracemalloc.start()  # a second, traced pass: tracing slows Python down several times
        export(q)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{q:<20} {rows:>9,} {elapsed:>8.1f} {rows / elapsed:>9,.0f} {peak / 2**20:>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
