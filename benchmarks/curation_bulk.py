"""Curation at scale: the moderation queue and a bulk approve over tens of thousands of posts.

Runs in a database of its own (created and dropped here), on the embedded PostgreSQL unless
DATABASE_URL is set. Prints:
- the queue's first page (with its count), plain and filtered, as a curator's browser gets it
  (median and p95 of server time over repeated requests);
- a bulk approve over the whole queue, as the Celery task runs it (``bulk_action_run``: chunks of
  1,000 through ``entries_transition``, one audit row per entry, progress saved per chunk), in
  rows per second, against the same state change and audit rows done by one raw SQL statement;
- a takedown grant, end to end through the service.

    python benchmarks/curation_bulk.py [--rows 50000] [--published 1000000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="pending posts in the queue")
    parser.add_argument(
        "--published", type=int, default=1_000_000, help="published posts beside the queue"
    )
    parser.add_argument("--requests", type=int, default=30, help="requests per page measured")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_curation"
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def run(args) -> None:
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from psycopg import sql

    from apps.archive.models import Account, Post
    from apps.curation import services
    from apps.curation.models import BulkAction, ModerationDecision
    from apps.curation.services import (
        bulk_action_run,
        bulk_action_start,
        takedown_grant,
        takedown_submit,
    )

    # The task is run here, in this process; nothing goes to the broker.
    services.bulk_action_enqueue = lambda **kwargs: True
    call_command("curation_groups", stdout=open(os.devnull, "w"))  # noqa: SIM115
    curator = get_user_model().objects.create_user("bench", password="x" * 16)
    curator.groups.add(Group.objects.get(name="Curator"))

    print(f"corpus: {args.published:,} published posts, {args.rows:,} pending", flush=True)
    start = time.perf_counter()
    accounts = Account.objects.bulk_create(
        Account(platform="twitter", handle=f"bench{i}", moderation_state="published")
        for i in range(500)
    )
    base = datetime.datetime(2017, 10, 15, tzinfo=datetime.UTC)

    # One post made through the ORM, then copied by SQL (every column another app may have
    # added comes along), varying what the queue filters on.
    template = Post.objects.create(
        platform="twitter", platform_id="template", account=accounts[0], posted_at=base,
        text="#MeToo post, long enough to look like a real one in the moderation queue.",
        language="en", moderation_state="published",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'archive_post'"
            " AND is_generated = 'NEVER' AND column_name <> 'id' ORDER BY ordinal_position"
        )
        columns = [row[0] for row in cursor.fetchall()]
    varied = {  # expressions of the benchmark's own, per column; every other column is copied
        "platform_id": "n::text",
        "account_id": f"{accounts[0].pk} + n %% {len(accounts)}",
        "posted_at": "posted_at + n * interval '1 minute'",
        "language": "CASE WHEN n %% 10 = 0 THEN 'fr' ELSE 'en' END",
        "moderation_state": "%s",
    }
    select = sql.SQL(", ").join(
        sql.SQL(varied[column]) if column in varied else sql.Identifier(column)
        for column in columns
    )
    insert = sql.SQL(
        "INSERT INTO archive_post ({columns}) SELECT {select} "
        "FROM archive_post, generate_series(%s, %s) AS n WHERE id = %s"
    ).format(columns=sql.SQL(", ").join(map(sql.Identifier, columns)), select=select)

    def make(n0: int, count: int, state: str) -> None:
        batch = 100_000
        with connection.cursor() as cursor:
            for offset in range(n0, n0 + count, batch):
                cursor.execute(
                    insert.as_string(connection.connection),
                    [state, offset, min(n0 + count, offset + batch) - 1, template.pk],
                )

    make(0, args.published, "published")
    make(args.published, args.rows, "pending")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_post")
    print(f"  loaded in {time.perf_counter() - start:.1f} s", flush=True)

    client = Client()
    client.force_login(curator)
    for label, query in (("queue, first page", ""), ("queue, language=fr", "?language=fr")):

        def get(query=query):
            response = client.get(f"/curate/{query}")
            assert response.status_code == 200

        get()
        median, p95 = timed(get, args.requests)
        print(f"{label:<28} median {median:7.1f} ms   p95 {p95:7.1f} ms")

    job = bulk_action_start(action="approve", kind="post", filters={}, reason="", actor=curator)
    start = time.perf_counter()
    bulk_action_run(job_id=job.pk)
    elapsed = time.perf_counter() - start
    job = BulkAction.objects.get(pk=job.pk)
    assert job.changed == args.rows, job.changed
    service_rate = args.rows / elapsed
    print(f"bulk approve via the task     {args.rows:,} rows in {elapsed:6.2f} s = "
          f"{service_rate:9,.0f} rows/s")  # fmt: skip

    # The same work in one statement: back to pending (untimed), then publish + audit rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_post SET moderation_state = 'pending' WHERE id > %s", [args.published]
        )
        start = time.perf_counter()
        cursor.execute(
            """
            WITH changed AS (
                UPDATE archive_post SET moderation_state = 'published', moderated_at = now()
                WHERE moderation_state = 'pending' RETURNING id
            )
            INSERT INTO curation_moderationdecision
                (entry_kind, entry_id, from_state, to_state, actor_id, reason, decided_at)
            SELECT 'post', id, 'pending', 'published', %s, '', now() FROM changed
            """,
            [curator.pk],
        )
        raw_elapsed = time.perf_counter() - start
    raw_rate = args.rows / raw_elapsed
    print(f"same work, one raw SQL stmt   {args.rows:,} rows in {raw_elapsed:6.2f} s = "
          f"{raw_rate:9,.0f} rows/s")  # fmt: skip
    print(f"ratio task / raw SQL          {service_rate / raw_rate:.2f}")

    grants = []
    for i in range(10):
        target = Post.objects.filter(moderation_state="published").order_by("-id")[i + 1]
        takedown = takedown_submit(
            entry_url=f"/posts/{target.pk}/", entry_kind="post", entry_id=target.pk,
            requester_name="B", relation="author", reason="r", contact="b@example.org",
        )  # fmt: skip
        start = time.perf_counter()
        takedown_grant(request_id=takedown.pk, actor=curator)
        grants.append((time.perf_counter() - start) * 1000)
    print(f"takedown grant                median {statistics.median(grants):7.1f} ms")
    print(f"decisions logged              {ModerationDecision.objects.count():,}")


if __name__ == "__main__":
    main()
