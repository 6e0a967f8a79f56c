"""Data packages at scale: rows per second and peak memory at 10k, 50k and 100k rows, which must
not grow with the rows.

    DEBUG=1 .venv/bin/python benchmarks/datasets.py [--sizes 10000 50000 100000]

Runs against ``DATABASE_URL`` if set, otherwise against a database called
``metoo_bench_datasets`` in the embedded PostgreSQL (created on first use, never the development
database), filled with a synthetic corpus by ``manage.py generate_corpus`` if it holds fewer
posts than the largest size. Each package is a real search (every post up to a day chosen so
that about that many match) built through the service a request or a worker calls
(``package_start``: count, descriptor, both data files, README, checksums, zip). Each size and
variant is built twice: once timed, with the process's resident memory sampled (psutil), once
under tracemalloc for the peak Python memory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")
os.environ.setdefault("DEBUG", "1")

DATABASE = "metoo_bench_datasets"


def use_bench_database() -> None:
    if os.environ.get("DATABASE_URL"):
        return
    import psycopg

    from metoo_archive import settings as project_settings
    from metoo_archive.embedded_db import connection_settings

    info = connection_settings(project_settings.VAR_DIR)
    with psycopg.connect(
        host=info["HOST"], port=info["PORT"], user=info["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["DATABASE_URL"] = (
        f"postgres://{info['USER']}@/{DATABASE}?host={info['HOST']}&port={info['PORT']}"
    )
    # The settings read DATABASE_URL when imported: forget the copy imported above.
    sys.modules.pop("metoo_archive.settings", None)


def ensure_corpus(posts: int) -> None:
    from django.core.management import call_command

    from apps.archive.models import Post

    call_command("migrate", verbosity=0)
    have = Post.objects.count()
    if have < posts:
        print(f"Generating {posts - have:,} posts...", flush=True)
        call_command(
            "generate_corpus",
            posts=posts - have,
            accounts=max(1000, posts * 3 // 10),
            articles=max(100, posts // 50),
            outlets=max(10, min(300, posts // 3000)),
            append=bool(have),
        )


class PeakRSS:
    """The process's resident memory, sampled in a thread, so one build's peak is its own."""

    def __init__(self):
        import psutil

        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self):
        self.peak = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def day_for(rows: int) -> str:
    """A day such that about ``rows`` posts are dated up to and including it."""
    from apps.search.models import SearchEntry

    date = (
        SearchEntry.objects.filter(kind="post")
        .order_by("date", "id")
        .values_list("date", flat=True)[rows - 1]
    )
    return f"{date:%Y-%m-%d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 50_000, 100_000])
    parser.add_argument("--variants", nargs="+", default=["identifiers", "full"])
    args = parser.parse_args()
    use_bench_database()
    import django

    django.setup()
    from django.conf import settings

    from apps.core.content import content_version
    from apps.datasets import services

    ensure_corpus(max(args.sizes))
    settings.DATASET_MAX_ROWS = 10**9
    settings.DATASET_INLINE_MAX_ROWS = 10**9  # built here, as a worker would
    settings.DATASET_DIR = Path(tempfile.mkdtemp(prefix="bench-datasets-"))
    # DEBUG keeps every query's text in memory (the settings need it without SECRET_KEY).
    settings.DEBUG = False
    # One small package first, so that the first figures do not include warming up.
    services.package_start(
        params={"kind": "post", "date_to": day_for(1000)}, variant="full", version=content_version()
    )

    print(
        f"{'variant':<12} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'zip MiB':>8} "
        f"{'RSS peak +MiB':>13} {'traced peak MiB':>15}"
    )
    for variant in args.variants:
        for size in args.sizes:
            params = {"kind": "post", "date_to": day_for(size)}

            def build(params=params, variant=variant):
                started = services.package_start(
                    params=params, variant=variant, version=content_version()
                )
                assert started.package.state == "ready", started.package.error
                return started.package

            import psutil

            base_rss = psutil.Process().memory_info().rss
            with PeakRSS() as rss:
                began = time.perf_counter()
                package = build()
                seconds = time.perf_counter() - began
            tracemalloc.start()  # a second, traced pass: tracing slows Python down
            build()
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"{variant:<12} {package.row_count:>8,} {seconds:>8.1f} "
                f"{package.row_count / seconds:>8,.0f} {package.size / 2**20:>8.1f} "
                f"{(rss.peak - base_rss) / 2**20:>13.1f} {traced_peak / 2**20:>15.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
