"""The site under load: the public, journalists and curators at once, while an ingest runs.

    source /tmp/bench1m-env.sh   # or any DEBUG=0 environment with SECRET_KEY and ALLOWED_HOSTS
    .venv/bin/python benchmarks/load.py [--minutes 5] [--users 40] [--workers 2] [--threads 4]

Starts the production stack on this machine against the benchmark database (``DATABASE_URL``
if set, otherwise ``metoo_bench`` in the embedded PostgreSQL, as benchmarks/search_queries.py):
gunicorn as the Dockerfile runs it (``--workers``, ``--threads``; ``--threads 1`` is gunicorn's
sync worker), one Celery worker, and then locust (benchmarks/locustfile.py, headless) with the
users of the issue's trial: the public reading the home page, the timeline with its zooms,
events, posts, articles and accounts; journalists searching (the query mix of
search_queries.py), paging by the next link, exporting and reading the API; two curators
signed in working the queue (the second factor off for the run: CURATOR_REQUIRE_2FA=0) and
approving entries; a probe of a bare Django view (robots.txt: a tiny template, no database),
the server's floor; and one client that starts an export and stops reading. At the start a
worker begins ingesting ``--ingest-rows`` posts from a JSON-lines file through a feed (the path
beat's polls take).

Each simulated person sends its own X-Forwarded-For address and the server trusts one proxy
(TRUSTED_PROXY_COUNT=1), as behind the TLS proxy of a deployment, so the per-client limits
(export rate, API rate) count each person rather than the whole load as one client.

Prints requests per second, p50/p95/p99 per kind of request, statuses, the pages answered
while exports and the ingest ran, and whether the targets hold: no errors, no 5xx, p95 under
200 ms for pages. The posts the ingest wrote are deleted at the end (and before a run), so the
database stays as it was apart from the curators' approvals being undone with them.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")

from search_queries import ensure_corpus, query_mix, use_bench_database  # noqa: E402

PAGE_P95_TARGET_MS = 200
CURATOR = {"username": "load-curator", "password": "load-test-curator-passphrase-2017"}
# The ingest's tweets get ids of their own, so they can be found and removed again.
INGEST_BASE_ID = 929_000_000_000_000_000
FEED_NAME = "load test ingest (benchmarks/load.py)"
# Exports of common words over a day or two (4,000-8,000 rows: within EXPORT_MAX_ROWS for a
# visitor), and one over the bound (14,000 rows: refused with 403, as designed).
EXPORTS = [
    "/search/export.csv?q=weinstein&date_from=2017-10-16&date_to=2017-10-16",
    "/search/export.csv?q=women&date_from=2017-10-20&date_to=2017-10-20",
    "/search/export.json?q=%23timesup&date_from=2017-10-16&date_to=2017-10-16",
    "/search/export.csv?q=harassment&date_from=2017-10-18&date_to=2017-10-18",
    "/search/export.json?q=women&date_from=2017-10-16&date_to=2017-10-16",
]
STALLED_EXPORT = "/search/export.json?q=%23timesup&date_from=2017-10-16&date_to=2017-10-16"
NOT_PAGES = ("export", "stalled", "bare view", "curate login", "curate approve")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_ids(queryset, count: int) -> list:
    """``count`` random published rows, by drawing ids (ORDER BY random() reads them all)."""
    from django.db.models import Max, Min

    bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
    rng = random.Random(15)
    found: list = []
    while len(found) < count:
        ids = [rng.randint(bounds["low"], bounds["high"]) for _ in range(count * 2)]
        found += list(queryset.filter(pk__in=ids)[: count - len(found)])
    return found


def ingest_cleanup() -> int:
    from apps.archive.models import Post
    from apps.ingest.models import Feed

    posts = Post.objects.filter(platform="twitter", platform_id__startswith=str(INGEST_BASE_ID)[:3])
    deleted = posts.count()
    if deleted:
        posts.delete()
    Feed.objects.filter(name=FEED_NAME).delete()
    return deleted


def prepare(args, workdir: Path) -> tuple[dict, int]:
    """The plan for locust (URLs, the curator) and the feed the worker will ingest."""
    import io

    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.utils import timezone
    from ingest_twarc import generate

    from apps.archive.models import Account, Outlet, Post, SourceArticle
    from apps.ingest.models import Feed, Format
    from apps.timeline.models import TimelineEvent

    call_command("curation_groups", stdout=io.StringIO())
    user, _ = User.objects.get_or_create(username=CURATOR["username"])
    user.set_password(CURATOR["password"])
    user.save()
    user.groups.add(Group.objects.get(name="Curator"))

    posts = sample_ids(Post.objects.published(), 300)
    articles = sample_ids(SourceArticle.objects.published(), 100)
    accounts = sample_ids(Account.objects.with_public_page(), 60)
    account = accounts[0]
    outlet = Outlet.objects.published().first()
    mix = query_mix(account.handle, account.pk, outlet.pk if outlet else 1)
    words = ["women", "weinstein", "zanzibar", "farrow sorvino", "#timesup", '"me too"']
    plan = {
        "timeline": mix["timeline"],
        "events": [e.get_absolute_url() for e in TimelineEvent.objects.published()[:100]],
        "posts": [p.get_absolute_url() for p in posts],
        "articles": [a.get_absolute_url() for a in articles],
        "accounts": [a.get_absolute_url() for a in accounts],
        "searches": mix["relevance"] + mix["newest"] + mix["filters"],
        "api": [f"/api/v1/search?q={urllib.parse.quote(w)}" for w in words]
        + ["/api/v1/search?q=women&order=newest", "/api/v1/search?q=harassment&platform=mastodon"],
        "exports": EXPORTS,
        "stalled_export": STALLED_EXPORT,
        "queue": ["/curate/", "/curate/?kind=post", "/curate/?kind=post&q=women"],
        "curator": CURATOR,
    }  # fmt: skip

    imports = Path(settings.INGEST_FEED_FILE_DIRS[0])
    imports.mkdir(parents=True, exist_ok=True)
    source = imports / "load-ingest.jsonl"
    generate(source, args.ingest_rows, seed=15, base_id=INGEST_BASE_ID)
    feed = Feed.objects.create(
        name=FEED_NAME,
        url=str(source),
        format=Format.TWARC1,
        active=True,
        # Never due: the runner queues its one poll itself.
        poll_interval=datetime.timedelta(days=365),
        next_poll_at=timezone.now() + datetime.timedelta(days=365),
    )
    return plan, feed.pk


def start(name: str, argv: list[str], env: dict, logs: Path) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "w")  # noqa: SIM115 -- closed with the process
    return subprocess.Popen(  # noqa: S603 -- our own command lines
        argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 -- loopback
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def overlaps(sample: dict, spans: list[tuple[float, float]]) -> bool:
    begin, end = sample["t"], sample["t"] + sample["ms"] / 1000
    return any(begin < span_end and end > span_begin for span_begin, span_end in spans)


def report(args, csv_prefix: Path, samples_path: Path, ingest: dict, load_average) -> bool:
    stats = list(csv.DictReader(open(f"{csv_prefix}_stats.csv")))
    samples = [json.loads(line) for line in open(samples_path)]
    by_name: dict[str, list[dict]] = {}
    for sample in samples:
        by_name.setdefault(sample["name"], []).append(sample)
    total = next(row for row in stats if row["Name"] == "Aggregated")
    seconds = args.minutes * 60

    print(f"\n{int(total['Request Count']):,} requests in {args.minutes:g} min: "
          f"{float(total['Requests/s']):.1f} requests/s, "
          f"{int(total['Failure Count'])} failures")  # fmt: skip
    print(f"load average (1, 5, 15 min) at the end: {load_average}")
    header = f"{'kind':32} {'count':>6} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}"
    print(f"\n{header}  {'2xx/3xx':>7} {'403/429':>7} {'other 4xx':>9} {'5xx':>4} {'errors':>6}")
    all_ok = True
    page_p95s = []
    for row in sorted(stats, key=lambda row: row["Name"]):
        if row["Name"] == "Aggregated":
            continue
        rows = by_name.get(row["Name"], [])
        ok = sum(1 for s in rows if 200 <= s["status"] < 400)
        refused = sum(1 for s in rows if s["status"] in (403, 429) and "export" in row["Name"])
        other_4xx = sum(1 for s in rows if 400 <= s["status"] < 500) - refused
        server = sum(1 for s in rows if s["status"] >= 500)
        errors = int(row["Failure Count"])
        is_page = not row["Name"].startswith(NOT_PAGES)
        if is_page:
            page_p95s.append((row["Name"], float(row["95%"])))
        print(f"{row['Name'][:32]:32} {int(row['Request Count']):6} "
              f"{int(row['Request Count']) / seconds:6.1f} {row['50%']:>6} {row['95%']:>6} "
              f"{row['99%']:>6} {float(row['Max Response Time']):7.0f}  "
              f"{ok:7} {refused:7} {other_4xx:9} {server:4} {errors:6}")  # fmt: skip
    print("(milliseconds; percentiles as locust rounds them; 403/429 on exports are the limits")
    print(" refusing: a visitor's export over EXPORT_MAX_ROWS, or every export slot in use)")

    pages = [s for s in samples if not s["name"].startswith(NOT_PAGES)]
    exports = [
        (s["t"], s["t"] + s["ms"] / 1000)
        for s in samples
        if s["name"].startswith("export") and s["status"] == 200
    ]
    stalls = [(s["t"], s["t"] + s["ms"] / 1000) for s in samples if s["name"].startswith("stall")]
    ingest_span = [(ingest["started"], ingest.get("finished") or time.time())]
    print(f"\n{'pages answered':44} {'count':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}")
    for label, chosen in (
        ("all pages", pages),
        ("while an export was streaming", [s for s in pages if overlaps(s, exports)]),
        ("while the stalled client held its export", [s for s in pages if overlaps(s, stalls)]),
        ("while the ingest ran", [s for s in pages if overlaps(s, ingest_span)]),
        ("after the ingest", [s for s in pages if not overlaps(s, ingest_span)]),
    ):
        times = [s["ms"] for s in chosen]
        print(f"{label:44} {len(times):6} {percentile(times, .5):6.0f} "
              f"{percentile(times, .95):6.0f} {percentile(times, .99):6.0f} "
              f"{max(times, default=float('nan')):7.0f}")  # fmt: skip

    statuses = [s["status"] for s in samples]
    server_errors = sum(1 for status in statuses if status >= 500)
    failures = int(total["Failure Count"])
    slow = [(name, p95) for name, p95 in page_p95s if p95 >= PAGE_P95_TARGET_MS]
    all_pages_p95 = percentile([s["ms"] for s in pages], 0.95)
    print(f"\ningest: {ingest.get('summary', 'did not finish within the run')}")
    print("\ntargets:")
    for met, text in (
        (failures == 0, f"no errors: {failures} failed requests"),
        (server_errors == 0, f"no 5xx: {server_errors}"),
        (not slow, f"p95 under {PAGE_P95_TARGET_MS} ms for every kind of page"
         + (f" (over: {', '.join(f'{n} {p:.0f}' for n, p in slow)})" if slow else "")),
        (all_pages_p95 < PAGE_P95_TARGET_MS, f"p95 of all pages together {all_pages_p95:.0f} ms"),
    ):  # fmt: skip
        all_ok &= met
        print(f"  [{'met' if met else 'MISSED'}] {text}")
    return all_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", 2)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", 4)))
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker.")
    parser.add_argument("--ingest-rows", type=int, default=100_000)
    parser.add_argument("--stall-seconds", type=float, default=60.0)
    parser.add_argument("--rows", type=int, default=1_000_000, help="Corpus size if empty.")
    parser.add_argument("--out", type=Path, default=None, help="Keep the CSVs and logs here.")
    parser.add_argument(
        "--gunicorn-arg", action="append", default=[], help="One more gunicorn argument."
    )
    args = parser.parse_args()
    # Stopped from outside (or Ctrl-C, even when started in the background): stop the stack
    # and remove the ingest's posts on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    if os.environ.get("DEBUG", "0").lower() in {"1", "true", "yes", "on"}:
        print("Run with DEBUG=0 (production settings): source /tmp/bench1m-env.sh or similar.")
        return 2
    use_bench_database()
    import django

    django.setup()
    from django.conf import settings

    from apps.ingest.models import Feed, IngestRun
    from apps.ingest.tasks import poll_feed

    ensure_corpus(args.rows)
    workdir = args.out or Path(tempfile.mkdtemp(prefix="bench-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    removed = ingest_cleanup()
    if removed:
        print(f"removed {removed:,} posts left by an earlier run's ingest")
    plan, feed_id = prepare(args, workdir)
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(plan))

    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],
        CURATOR_REQUIRE_2FA="0",
        TRUSTED_PROXY_COUNT="1",
        ALLOWED_HOSTS=",".join({*settings.ALLOWED_HOSTS, "127.0.0.1"}),
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    gunicorn = [
        sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
        "metoo_archive.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--error-logfile", "-", *args.gunicorn_arg,
    ]  # fmt: skip
    worker = [
        sys.executable, "-m", "celery", "-A", "metoo_archive", "worker", "--loglevel", "warning",
        "--concurrency", str(args.worker_concurrency), "-Q", "celery,fetch",
    ]  # fmt: skip
    print(f"gunicorn: {' '.join(gunicorn[2:])}")
    processes = [start("gunicorn", gunicorn, env, workdir), start("worker", worker, env, workdir)]
    ok = False
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz")
        csv_prefix = workdir / "locust"
        samples_path = workdir / "samples.jsonl"
        locust = [
            sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
            "--run-time", f"{int(args.minutes * 60)}s", "--host", f"http://127.0.0.1:{port}",
            "--csv", str(csv_prefix), "--only-summary", "--stop-timeout", "5",
            "--loglevel", "WARNING",
        ]  # fmt: skip
        locust_env = env | {
            "LOAD_PLAN": str(plan_path),
            "LOAD_SAMPLES": str(samples_path),
            "LOAD_STALL_SECONDS": str(args.stall_seconds),
        }
        ingest = {"started": time.time()}
        poll_feed.delay(feed_id)
        print(f"ingest of {args.ingest_rows:,} posts queued; locust: {args.users} users for "
              f"{args.minutes:g} min; files in {workdir}", flush=True)  # fmt: skip
        runner = start("locust", locust, locust_env, workdir)
        while runner.poll() is None:
            if "finished" not in ingest:
                run = IngestRun.objects.filter(feed_id=feed_id).exclude(status="running").first()
                if run is not None:
                    ingest["finished"] = time.time()
                    took = ingest["finished"] - ingest["started"]
                    ingest["summary"] = (
                        f"{run.status}: {run.created_count:,} created, {run.failed_count} failed "
                        f"in {took:.0f} s from queueing ({run.created_count / took:,.0f} posts/s)"
                    )
            time.sleep(2)
        load_average = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        ok = report(args, csv_prefix, samples_path, ingest, load_average)
    finally:
        for process in processes:
            stop(process)
        Feed.objects.filter(pk=feed_id).update(active=False)
        removed = ingest_cleanup()
        print(f"\nremoved the {removed:,} posts the ingest wrote; logs in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
