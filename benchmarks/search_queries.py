"""Search and timeline latency at scale, through Django, with EXPLAIN checks of the plans.

    DEBUG=1 .venv/bin/python benchmarks/search_queries.py [--rows 1000000] [--repeat 5]

Runs against ``DATABASE_URL`` if set, otherwise against a database called ``metoo_bench`` in
the embedded PostgreSQL (created on first use, never the development database). If that
database has no posts, ``generate_corpus`` fills it with ``--rows`` posts first (a million take
a few minutes on two cores) and the seeded story is loaded for the timeline's events.

Every request goes through Django's test client (URL routing, the FilterSet, the queries,
template rendering), after one warm-up pass. Prints p50, p95 and max per group of queries, the
targets, and whether the intended indexes are used (on a small corpus the planner may rightly
prefer a sequential scan to the text index: the plan checks are meant for the full size).

Three ways to run it: by default every cache is kept between requests, so a repeated URL is
answered from the whole-page cache (what the next anonymous visitor of a page gets until public
content changes); ``--no-page-cache`` turns that cache off and keeps the cached counts, facets
and timeline events (a search nobody has just made); ``--cold`` empties every cache before each
request (the first visitor after a change); ``--after-change`` moves the content version before
each request, as a post published outside the curated story does (pages, counts and facets are
computed again; the timeline's events are kept under the story's version). ``--groups
newest,timeline`` runs part of the mix.

Figures from a full-size run are in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import gc
import html
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")
os.environ.setdefault("DEBUG", "1")

TARGETS_MS = {"relevance": 60, "newest": 10, "timeline": 25}
MAX_MS = 150


def use_bench_database() -> None:
    if os.environ.get("DATABASE_URL"):
        return
    from metoo_archive import settings as project_settings
    from metoo_archive.embedded_db import connection_settings

    info = connection_settings(project_settings.VAR_DIR)
    import psycopg

    with psycopg.connect(
        host=info["HOST"], port=info["PORT"], user=info["USER"], dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'metoo_bench'").fetchone():
            conn.execute("CREATE DATABASE metoo_bench")
    os.environ["DATABASE_URL"] = (
        f"postgres://{info['USER']}@/metoo_bench?host={info['HOST']}&port={info['PORT']}"
    )
    # The settings read DATABASE_URL when imported: forget the copy imported above (it points
    # at the development database), so that django.setup() imports them again.
    sys.modules.pop("metoo_archive.settings", None)


def ensure_corpus(rows: int) -> None:
    """Migrate the benchmark database and, if it holds no posts, generate the corpus and load
    the seeded story (its timeline events). Call after django.setup()."""
    from django.core.management import call_command

    from apps.archive.models import Post
    from apps.timeline.models import TimelineEvent

    call_command("migrate", verbosity=0)
    if not Post.objects.exists():
        print(f"Generating a corpus of {rows:,} posts...", flush=True)
        call_command(
            "generate_corpus",
            posts=rows,
            accounts=max(1000, rows * 3 // 10),
            articles=max(100, rows // 50),
            outlets=max(10, min(300, rows // 3000)),
        )
    if not TimelineEvent.objects.exists():
        try:
            call_command("seed", verbosity=0)
        except Exception as error:  # noqa: BLE001 -- the seed is optional for the figures
            print(f"(no seeded events: {error})")


def query_mix(account_handle: str, account_id: int, outlet_id: int) -> dict[str, list[str]]:
    words = {
        "common word": "q=women",
        "common name": "q=weinstein",
        "rare word": "q=zanzibar",
        "rare pair": "q=farrow+sorvino",
        "phrase me too": "q=%22me+too%22",
        "stop words": "q=me+too",
        "hashtag": "q=%23timesup",
        "or + exclusion": "q=courage+OR+solidarity+-hollywood",
        "from handle": f"q=from:{account_handle}",
        "words + filters": "q=harassment&platform=mastodon&language=fr",
        "words + dates": "q=survivor&date_from=2017-10-16&date_to=2017-10-17",
    }
    mix = {"relevance": [], "newest": [], "filters": [], "deep pages": [], "timeline": []}
    for params in words.values():
        mix["relevance"].append(f"/search/?{params}")
        mix["newest"].append(f"/search/?{params}&order=newest")
    mix["filters"] += [
        "/search/",
        "/search/?kind=article",
        f"/search/?outlet={outlet_id}",
        f"/search/?account={account_id}",
        "/search/?hashtag=metoo&language=es",
        "/search/?platform=mastodon&date_from=2017-10-20&date_to=2017-10-20",
    ]
    mix["timeline"] += [
        "/timeline/",
        "/timeline/?period=2017",
        "/timeline/?period=2017-10",
        "/timeline/?period=2017-10&by=hour",
        "/timeline/?period=2017-10-16",
        "/timeline/?platform=mastodon&period=2017-10",
        "/timeline/?q=zanzibar",
        "/timeline/?q=farrow+sorvino&period=2017-10",
    ]
    return mix


NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')


def deep_page_urls(client, start: str, depth: int) -> list[str]:
    """Follow 'Next page' links ``depth`` times and return the last few URLs."""
    url, urls = start, []
    for _ in range(depth):
        found = NEXT_LINK.search(client.get(url).content.decode())
        if not found:
            break
        url = "/search/" + html.unescape(found.group(1))
        urls.append(url)
    return urls[-3:]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def captured_queries(client, url: str) -> list[str]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the page itself, not its cached copy
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [query["sql"] for query in queries]


def plan_checks(client, account_id: int) -> list[tuple[str, bool, str]]:
    checks = []

    def results_query(url: str) -> str:
        for sql in captured_queries(client, url):
            if 'SELECT "id", "kind", "entry_id", "date" FROM' in sql:
                return sql
        raise AssertionError(f"no results query for {url}")

    rare = explain(results_query("/search/?q=zanzibar&order=newest"))
    checks.append(
        (
            "rare word, newest first: text index, not a walk of the date index",
            "search_entry_gin" in rare and "search_entry_date" not in rare,
            rare,
        )
    )
    common = explain(results_query("/search/?q=women&order=newest"))
    checks.append(
        (
            "common word, newest first: walks the date index and stops at a page",
            "search_entry_date" in common,
            common,
        )
    )
    by_account = explain(results_query(f"/search/?account={account_id}&order=newest"))
    checks.append(
        (
            "account filter: the (account_id, date) index",
            "search_entry_account" in by_account,
            by_account,
        )  # fmt: skip
    )
    chart = [
        sql
        for sql in captured_queries(client, "/timeline/?period=2017-10")
        if "search_volumecount" in sql
    ][0]
    chart_plan = explain(chart)
    checks.append(
        (
            "timeline chart without a query: the counts table, not the posts",
            "search_volumecount" in chart_plan and "search_searchentry" not in chart_plan,
            chart_plan,
        )
    )
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="posts to generate if empty")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each URL")
    parser.add_argument("--verbose", action="store_true", help="print every plan")
    parser.add_argument(
        "--groups", default="", help="only these groups of the mix, comma-separated (e.g. newest)"
    )
    parser.add_argument("--per-url", action="store_true", help="print each URL's median")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty Django's cache before every timed request (search counts and facets and "
        "the timeline's rendered events are otherwise reused until public content changes)",
    )
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="turn off the whole-page cache (PUBLIC_PAGE_CACHE) and keep the caches of counts, "
        "facets and events: what a search nobody has just made costs",
    )
    parser.add_argument(
        "--after-change",
        action="store_true",
        help="move the public content version before every request, as a post published "
        "outside the curated story does (constant ingestion with a publication rule): pages, "
        "counts and facets are computed again, the timeline's events are not",
    )
    args = parser.parse_args()
    if args.no_page_cache:
        os.environ["PUBLIC_PAGE_CACHE"] = "0"

    use_bench_database()
    import django

    django.setup()
    # No setup_test_environment(): its instrumentation copies every template's context for the
    # test client to inspect, work a real server never does (the timeline renders some 200
    # templates).
    from django.test import Client

    from apps.archive.models import Account, Outlet, Post

    ensure_corpus(args.rows)
    posts = Post.objects.count()
    account = Account.objects.filter(is_public_figure=True).order_by("id").first()
    busiest = Post.objects.values("account_id").order_by("account_id").first() or {"account_id": 1}
    outlet = Outlet.objects.order_by("id").first()
    print(f"Corpus: {posts:,} posts, {Account.objects.count():,} accounts")

    client = Client()
    mix = query_mix(account.handle if account else "nobody", busiest["account_id"],
                    outlet.pk if outlet else 1)  # fmt: skip
    mix["deep pages"] = deep_page_urls(client, "/search/?q=women&order=newest", 25)
    mix["deep pages"] += deep_page_urls(client, "/search/?q=weinstein", 25)

    if args.groups:
        wanted = {name.strip() for name in args.groups.split(",")}
        mix = {group: urls for group, urls in mix.items() if group in wanted}
    for urls in mix.values():  # warm-up: caches, connections, plans
        for url in urls:
            client.get(url)
    gc.freeze()  # as metoo_archive.wsgi does once a web process has loaded everything

    from django.core.cache import cache
    from django.db import connection

    from apps.core.content import content_changed

    print(
        f"Load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}; "
        f"cache {'emptied before every request' if args.cold else 'kept between requests'}"
        f"{'; whole-page cache off' if args.no_page_cache else ''}"
        f"{'; content version moved before every request' if args.after_change else ''}"
    )
    # Full garbage collections pause whichever request is running: counted, to tell them apart
    # from slow pages.
    full_collections: list[float] = []

    def collection_timer(phase, info):
        if phase == "start":
            collection_timer.started = time.perf_counter()
        elif info["generation"] == 2:
            full_collections.append((time.perf_counter() - collection_timer.started) * 1000)

    gc.callbacks.append(collection_timer)
    sql_time = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_time[0] += time.perf_counter() - started

    all_timings = []
    per_url: dict[str, list[float]] = {}
    print(
        f"\n{'group':<12} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'SQL p50':>8} {'SQL p95':>8}  target (whole request)"
    )
    slowest: list[tuple[float, str]] = []
    failed = False
    for group, urls in mix.items():
        timings, sql_timings = [], []
        for _ in range(args.repeat):
            for url in urls:
                sql_time[0] = 0.0
                if args.cold:
                    cache.clear()
                if args.after_change:
                    content_changed(story=False)
                with connection.execute_wrapper(timed):
                    started = time.perf_counter()
                    response = client.get(url)
                    if hasattr(response, "streaming_content"):
                        b"".join(response.streaming_content)
                    elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (url, response.status_code)
                timings.append(elapsed)
                sql_timings.append(sql_time[0] * 1000)
                per_url.setdefault(url, []).append(elapsed)
                slowest.append((elapsed, url))
        all_timings += timings
        p95 = percentile(timings, 0.95)
        target = TARGETS_MS.get(group)
        verdict = ""
        if target:
            verdict = f"p95 < {target} ms: {'ok' if p95 < target else 'MISSED'}"
            failed |= p95 >= target
        print(
            f"{group:<12} {len(timings):>4} {statistics.median(timings):>8.1f} {p95:>8.1f} "
            f"{max(timings):>8.1f} {statistics.median(sql_timings):>8.1f} "
            f"{percentile(sql_timings, 0.95):>8.1f}  {verdict}"
        )
    # The chart alone (counts, bars, SVG and table markup): the timeline page around it is
    # mostly the rendering of the curated events and their evidence.
    from django.http import QueryDict

    from apps.search import volume
    from apps.search.filters import SearchFilterSet
    from apps.search.models import SearchEntry

    chart_timings = []
    for _ in range(args.repeat):
        for url in mix.get("timeline", []):
            query = QueryDict(url.partition("?")[2])
            started = time.perf_counter()
            filterset = SearchFilterSet(query, queryset=SearchEntry.objects.all())
            zoom = volume.parse_zoom(query.get("period"), query.get("by"))
            volume.volume_chart(filterset, zoom, query)  # counted and rendered, not kept
            chart_timings.append((time.perf_counter() - started) * 1000)
    if chart_timings:
        print(
            f"{'chart only':<12} {len(chart_timings):>4} "
            f"{statistics.median(chart_timings):>8.1f} "
            f"{percentile(chart_timings, 0.95):>8.1f} {max(chart_timings):>8.1f}  "
            "(the timeline's volume chart without the events around it)"
        )
    worst = max(all_timings)
    print(f"{'all':<12} {len(all_timings):>4} {statistics.median(all_timings):>8.1f} "
          f"{percentile(all_timings, 0.95):>8.1f} {worst:>8.1f}  max < {MAX_MS} ms: "
          f"{'ok' if worst < MAX_MS else 'MISSED'}")  # fmt: skip
    failed |= worst >= MAX_MS
    print("\nSlowest requests:")
    for elapsed, url in sorted(slowest, reverse=True)[:5]:
        print(f"  {elapsed:7.1f} ms  {url}")
    if args.per_url:
        print("\nMedian per URL:")
        for url, values in per_url.items():
            print(f"  {statistics.median(values):7.1f} ms  {url}")

    print("\nPlans:")
    for name, ok, plan in plan_checks(client, busiest["account_id"]):
        print(f"  [{'ok' if ok else 'NO'}] {name}")
        if args.verbose or not ok:
            print("      " + plan.replace("\n", "\n      "))
        failed |= not ok
    if full_collections:
        print(
            f"Full garbage collections during the run: {len(full_collections)}, "
            f"longest {max(full_collections):.1f} ms"
        )
    print(f"Load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
