"""Ingestion throughput: a generated twarc (Twitter v1.1 JSON lines) file through the real
pipeline (``apps.ingest.services.source_ingest``: raw capture, adapter, batched upserts, capture
links, reply/quote resolution), beside a raw PostgreSQL ``COPY`` of the same rows into a table
with the same indexes, and the process's peak memory.

    python benchmarks/ingest_twarc.py [--rows 1000000] [--batch-size 5000] [--keep-db]

It runs in a database of its own (``metoo_bench_ingest``, created and migrated here, dropped at
the end), on the embedded server unless DATABASE_URL is set. Target (DESIGN.md): at least half
of raw COPY's rows per second, memory flat in the input size.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")
os.environ.setdefault("DEBUG", "1")

WORDS = (
    "me too survivors believe women harassment assault silence breakers speak up workplace "
    "justice power abuse story courage solidarity movement voice listen change culture hollywood "
    "church school office today never again together"
).split()
TAGS = ["MeToo", "metoo", "TimesUp", "BalanceTonPorc", "YoTambien", "WhyIDidntReport", "MeTooK12"]


def generate(
    path: Path, rows: int, seed: int = 2017, base_id: int = 919_000_000_000_000_000
) -> None:
    """Write ``rows`` tweets in twarc's v1.1 form, streaming (memory flat)."""
    import orjson

    rng = random.Random(seed)
    users = max(rows // 10, 10)

    start = 1508097600  # 2017-10-15T20:00:00Z
    with open(path, "wb", buffering=1024 * 1024) as out:
        for n in range(rows):
            user = rng.randrange(users)
            tags = [TAGS[0]] + rng.sample(TAGS[1:], rng.randrange(3))
            mentioned = [f"user{rng.randrange(users)}" for _ in range(rng.randrange(3))]
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 30)))
            text = (
                " ".join(f"@{m}" for m in mentioned)
                + f" {words} "
                + " ".join(f"#{t}" for t in tags)
            )
            created = time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(start + n * 7))
            tweet = {
                "created_at": created,
                "id": base_id + n,
                "id_str": str(base_id + n),
                "full_text": text.strip(),
                "truncated": False,
                "user": {
                    "id_str": str(10_000_000 + user),
                    "screen_name": f"user{user}",
                    "name": f"User Number {user}",
                    "followers_count": rng.randrange(10000),
                },
                "entities": {
                    "hashtags": [{"text": t, "indices": [0, 0]} for t in tags],
                    "user_mentions": [{"screen_name": m, "indices": [0, 0]} for m in mentioned],
                    "urls": [],
                },
                "lang": "en",
                "retweet_count": rng.randrange(100),
                "favorite_count": rng.randrange(1000),
            }
            if n > 10 and rng.random() < 0.2:
                tweet["in_reply_to_status_id_str"] = str(base_id + rng.randrange(n))
            if n > 10 and rng.random() < 0.05:
                tweet["quoted_status_id_str"] = str(base_id + rng.randrange(n))
            out.write(orjson.dumps(tweet))
            out.write(b"\n")


class PeakRSS:
    """Samples the process's resident memory in a thread (psutil), so the peak of one phase
    can be told apart from another's."""

    def __init__(self):
        import psutil

        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.05)

    def __enter__(self):
        self.peak = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def now(self) -> int:
        return self.process.memory_info().rss


def timed_copy(raw, table: sql.Identifier, columns: sql.Composable, dump: Path) -> float:
    """COPY the dumped rows into ``table`` (autocommit: the commit, and so any deferred
    constraint checks, are inside the timing). Returns rows per second."""
    started = time.perf_counter()
    with open(dump, "rb") as rows_in, raw.cursor() as cursor:
        with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, columns)) as copy:
            while chunk := rows_in.read(1024 * 1024):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table))
        return cursor.fetchone()[0] / seconds


def time_phases():
    """Wrap the writer's steps with timers; returns the running totals (seconds by step)."""
    import collections

    from apps.ingest import writer

    totals: collections.Counter = collections.Counter()

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[name] += time.perf_counter() - started

        return wrapper

    for name, label in (
        ("_write_batch", "writing thread: one batch, commit included"),
        ("_write_hydrated", "writing thread: posts and their accounts, all paths"),
        ("_lookup", "writing thread: which keys (and parents) are stored"),
        ("_account_ids", "writing thread: accounts not yet cached (before the batch)"),
        ("_copy_new", "writing thread: new keys: ids, COPY, reference checks"),
        ("_upsert_hydrated", "writing thread: upsert path, stage and statements"),
        ("_resolve_links", "end of run: linking later parents"),
        ("flush", "reading thread: preparing batches and handing them over"),
    ):
        setattr(writer.BatchWriter, name, timed(label, getattr(writer.BatchWriter, name)))
    writer._stage = timed("writing thread: COPY into the stage", writer._stage)
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--keep-db", action="store_true", help="Keep the benchmark database.")
    parser.add_argument(
        "--phases", action="store_true", help="Time the writer's phases (adds a little overhead)."
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from apps.archive.models import Post
    from apps.ingest.services import source_ingest

    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    settings.INGEST_CAPTURE_DIR = workdir / "captures"
    source = workdir / "tweets.jsonl"
    t0 = time.perf_counter()
    generate(source, args.rows)
    print(f"generated {args.rows:,} tweets ({source.stat().st_size / 1e6:,.0f} MB) "
          f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip

    original_name = connection.settings_dict["NAME"]
    bench_name = "metoo_bench_ingest"
    connection.settings_dict["TEST"]["NAME"] = bench_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        phases = time_phases() if args.phases else None
        gc.collect()
        samples = []
        with PeakRSS() as memory:
            baseline = memory.now()

            def progress(done, items):
                samples.append((items, memory.now()))

            t0 = time.perf_counter()
            run = source_ingest(source=str(source), batch_size=args.batch_size, progress=progress)
            ingest_seconds = time.perf_counter() - t0
        assert run.status == "succeeded", run.error
        load = os.getloadavg()
        print(f"load average after the ingest: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        posts = Post.objects.count()
        ingest_rate = run.created_count / ingest_seconds
        print(
            f"ingest: {run.created_count:,} posts created ({posts:,} in table, "
            f"{run.failed_count} failed) in {ingest_seconds:.1f} s = {ingest_rate:,.0f} posts/s"
        )
        mib = 2**20
        print(
            f"memory: baseline RSS {baseline / mib:,.0f} MiB, peak during ingest "
            f"{memory.peak / mib:,.0f} MiB (+{(memory.peak - baseline) / mib:,.0f} MiB)"
        )
        if phases is not None:
            for name, seconds in phases.most_common():
                print(f"  phase {name}: {seconds:.1f} s")
        for fraction in (0.1, 0.5, 1.0):
            if samples:
                items, rss = samples[min(int(len(samples) * fraction), len(samples) - 1)]
                print(f"  RSS after {items:>10,} items: {rss / 2**20:,.0f} MiB")

        # The baselines: the same rows, already prepared, COPYed (1) into a new table with the
        # same indexes (the measure) and (2) back into the emptied posts table itself,
        # which also checks its references (to accounts and to replied/quoted posts: migration
        # archive 0004).
        table = sql.Identifier(Post._meta.db_table)
        copy_table = sql.Identifier("bench_copy_post")
        # ids too: replies
        columns = sql.SQL(", ").join(sql.Identifier(f.column) for f in Post._meta.concrete_fields)
        dump = workdir / "rows.copy"
        with connection.cursor() as cursor:
            raw = cursor.connection
            with (
                open(dump, "wb") as out,
                raw.cursor().copy(
                    sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT").format(columns, table)
                ) as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename = %s", [Post._meta.db_table]
            )
            index_count = cursor.fetchone()[0]
            raw.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(copy_table, table)
            )
            like_rate = timed_copy(raw, copy_table, columns, dump)
            raw.execute(sql.SQL("TRUNCATE {} CASCADE").format(table))
            same_rate = timed_copy(raw, table, columns, dump)
        load = os.getloadavg()
        print(f"load average after the COPYs: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(
            f"raw COPY into a new table with the same {index_count} indexes: "
            f"{like_rate:,.0f} rows/s"
        )
        label = "raw COPY into the posts table itself (indexes and reference checks)"
        print(f"{label}: {same_rate:,.0f} rows/s")
        for label, rate in (("same indexes", like_rate), ("posts table", same_rate)):
            ratio = ingest_rate / rate
            verdict = "meets" if ratio >= 0.5 else "misses"
            print(f"ratio: ingest / raw COPY ({label}) = {ratio:.2f} ({verdict} the 0.5 target)")
    finally:
        if not args.keep_db:
            connection.creation.destroy_test_db(original_name, verbosity=0)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
