"""The read API against the pages it mirrors, at scale: searches, timelines and cursor paging.

    DEBUG=0 ... .venv/bin/python benchmarks/api.py [--rows 1000000] [--repeat 5]
        [--no-page-cache | --cold] [--groups newest,timeline] [--profile]

Uses the same database as ``search_queries.py`` (``DATABASE_URL``, or the embedded
``metoo_bench``), generating the corpus there first if it is empty, and its query mix. Three
parts, every request through Django's test client after one warm-up pass:

1. **API against page** (issue 14: "an API search answers within 1.2x of the same search
   page's time"): each URL of the search page's mix and the same query through
   ``/api/v1/search`` (the timeline's mix through ``/api/v1/timeline``), interleaved request
   by request (page, API, page, API..., which one goes first alternating each round) so that
   the machine's noise falls on both alike. Prints p50 and p95 of each, the ratio API/page and
   whether it is within 1.2x.
2. **Cursor paging stays flat**: ``/api/v1/posts?limit=100`` from the first page, from the
   middle of the ids and over the last five pages, and ``/api/v1/search?order=newest`` at
   its first five pages and after following ``next`` 50 times. Flat: the last pages' p50
   within 1.5x of the first pages'.
3. **Queries per request** of each kind of API call, every cache emptied first, at two page
   sizes where a list has one: the same count at 10 and 100 rows means no query per row.

Cache modes, as ``search_queries.py``'s and applied to both sides alike: by default every
cache is kept (a repeated search is answered from the whole-page cache, a repeated API search
from its own answer cache); ``--no-page-cache`` turns off the whole-page cache
(``PUBLIC_PAGE_CACHE=0``, which the API's answer cache obeys too) and keeps
the shared caches of counts, facets, charts and events; ``--cold`` empties every cache before
each request. ``--profile`` ends with cProfile's view of the pair whose ratio is worst. Exits
with 1 when a group misses 1.2x or paging is not flat.

The API's rate limit is raised for the run (its counting is still done on every call). Figures
are in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_queries import (  # noqa: E402
    deep_page_urls,
    ensure_corpus,
    percentile,
    query_mix,
    use_bench_database,
)

WITHIN = 1.2  # the API's time against its page's (issue 14)
FLAT = 1.5  # the last pages' time against the first pages'
PAGE_TO_API = {"/search/": "/api/v1/search", "/timeline/": "/api/v1/timeline"}


def api_url(page_url: str) -> str:
    """The API call that answers the same query as a page of the search or the timeline."""
    path, _, query = page_url.partition("?")
    return PAGE_TO_API[path] + (f"?{query}" if query else "")


class Timer:
    """Times one GET through the client, with the time spent inside database calls."""

    def __init__(self, client, *, cold: bool):
        from django.core.cache import cache
        from django.db import connection

        self.client, self.cold, self.cache, self.connection = client, cold, cache, connection
        self.sql = 0.0

    def _wrapper(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql += time.perf_counter() - started

    def get(self, url: str):
        """(milliseconds, SQL milliseconds, response) of one request."""
        if self.cold:
            self.cache.clear()
        self.sql = 0.0
        with self.connection.execute_wrapper(self._wrapper):
            started = time.perf_counter()
            response = self.client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return elapsed, self.sql * 1000, response


def summary(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)


def compare(timer: Timer, mix: dict[str, list[str]], repeat: int) -> tuple[list[tuple], bool]:
    """Part 1: each page against its API call, interleaved. Returns, per URL, the ratio of the
    medians API/page, the two medians and the page's URL; and whether every group is within
    :data:`WITHIN`."""
    print(
        f"\n{'group':<11} {'n':>4} {'page p50':>9} {'page p95':>9} {'API p50':>8} "
        f"{'API p95':>8} {'x p50':>6} {'x p95':>6} {'SQL page':>9} {'SQL API':>8}  "
        f"within {WITHIN}x"
    )
    per_url: list[tuple] = []
    within = True
    everything = {"page": [], "api": []}
    for group, urls in mix.items():
        times = {"page": [], "api": []}
        sql = {"page": [], "api": []}
        hits = {"page": 0, "api": 0}
        by_url = {url: {"page": [], "api": []} for url in urls}
        for round_ in range(repeat):
            for url in urls:
                pair = [("page", url), ("api", api_url(url))]
                for side, target in pair if round_ % 2 == 0 else reversed(pair):
                    elapsed, sql_ms, response = timer.get(target)
                    hits[side] += response.get("X-Page-Cache") == "hit"
                    times[side].append(elapsed)
                    sql[side].append(sql_ms)
                    by_url[url][side].append(elapsed)
        for side in times:
            everything[side] += times[side]
        page_p50, page_p95 = summary(times["page"])
        api_p50, api_p95 = summary(times["api"])
        ratio50, ratio95 = api_p50 / page_p50, api_p95 / page_p95
        within &= max(ratio50, ratio95) <= WITHIN
        verdict = (
            "ok"
            if max(ratio50, ratio95) <= WITHIN
            else f"p50 {'ok' if ratio50 <= WITHIN else 'MISSED'}, "
            f"p95 {'ok' if ratio95 <= WITHIN else 'MISSED'}"
        )
        print(
            f"{group:<11} {len(times['page']):>4} {page_p50:>9.1f} {page_p95:>9.1f} "
            f"{api_p50:>8.1f} {api_p95:>8.1f} {ratio50:>6.2f} {ratio95:>6.2f} "
            f"{statistics.median(sql['page']):>9.1f} {statistics.median(sql['api']):>8.1f}  "
            f"{verdict}" + (f"  ({hits['page']} pages from the page cache)" if hits["page"] else "")
        )
        for url, sides in by_url.items():
            page_ms, api_ms = statistics.median(sides["page"]), statistics.median(sides["api"])
            per_url.append((api_ms / page_ms, page_ms, api_ms, url))
    page_p50, page_p95 = summary(everything["page"])
    api_p50, api_p95 = summary(everything["api"])
    print(
        f"{'all':<11} {len(everything['page']):>4} {page_p50:>9.1f} {page_p95:>9.1f} "
        f"{api_p50:>8.1f} {api_p95:>8.1f} {api_p50 / page_p50:>6.2f} {api_p95 / page_p95:>6.2f}"
    )
    return per_url, within


def follow(client, url: str, pages: int) -> list[str]:
    """The URLs of ``pages`` pages from ``url`` on, following each answer's ``next``."""
    urls = [url]
    while len(urls) < pages:
        found = client.get(urls[-1]).json()["next"]
        if not found:
            break
        urls.append(found)
    return urls


def paging(timer: Timer, client, repeat: int, depth: int) -> bool:
    """Part 2: the first pages against the middle and the last, by keyset cursor."""
    from apps.archive.models import Post

    ids = Post.objects.published().order_by("-pk").values_list("pk", flat=True)
    largest = ids.first() or 0
    # The cursor after which exactly five pages of 100 remain (ids need not be contiguous).
    before_last = ids[500] if ids.count() > 500 else 0
    posts = "/api/v1/posts?limit=100"
    runs = {
        "posts: first 5 pages": follow(client, posts, 5),
        "posts: middle 5 pages": follow(client, f"{posts}&cursor={largest // 2}", 5),
        "posts: last 5 pages": follow(client, f"{posts}&cursor={before_last}", 5),
    }
    assert client.get(runs["posts: last 5 pages"][-1]).json()["next"] is None
    for q in ("women", "weinstein"):
        walk = follow(client, f"/api/v1/search?q={q}&order=newest", depth + 1)
        runs[f"search {q}: pages 1-5"] = walk[:5]
        runs[f"search {q}: pages {len(walk) - 4}-{len(walk)}"] = walk[-5:]
    for urls in runs.values():  # warm-up
        for url in urls:
            client.get(url)
    print(f"\n{'cursor paging':<30} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8}")
    # The runs compared with each other are timed interleaved, as the pages and the API are.
    names = list(runs)
    figures = {}
    for compared in (names[0:3], names[3:5], names[5:7]):
        times = {name: [] for name in compared}
        sql = {name: [] for name in compared}
        for round_ in range(repeat):
            for index in range(5):
                for offset in range(len(compared)):
                    name = compared[(round_ + offset) % len(compared)]
                    if index < len(runs[name]):
                        elapsed, sql_ms, _ = timer.get(runs[name][index])
                        times[name].append(elapsed)
                        sql[name].append(sql_ms)
        for name in compared:
            figures[name] = summary(times[name])
            print(
                f"{name:<30} {len(times[name]):>4} {figures[name][0]:>8.1f} "
                f"{figures[name][1]:>8.1f} {statistics.median(sql[name]):>8.1f}"
            )
    flat = True
    for first, last in ((names[0], names[1]), (names[0], names[2]), (names[3], names[4]),
                        (names[5], names[6])):  # fmt: skip
        ratio50 = figures[last][0] / figures[first][0]
        ratio95 = figures[last][1] / figures[first][1]
        ok = ratio50 <= FLAT
        flat &= ok
        print(
            f"  {last} / {first.split(': ')[1]}: p50 x{ratio50:.2f}, p95 x{ratio95:.2f}  "
            f"flat (p50 within {FLAT}x): {'ok' if ok else 'MISSED'}"
        )
    return flat


def query_counts(client) -> None:
    """Part 3: queries per call, every cache emptied first (the cache answers none)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.archive.models import Post, SourceArticle
    from apps.timeline.models import TimelineEvent

    post = Post.objects.published().order_by("pk").first()
    article = SourceArticle.objects.published().order_by("pk").first()
    event = TimelineEvent.objects.published().order_by("pk").first()
    calls = {
        "posts list": ["/api/v1/posts?limit=10", "/api/v1/posts?limit=100"],
        "articles list": ["/api/v1/articles?limit=10", "/api/v1/articles?limit=100"],
        "accounts list": ["/api/v1/accounts?limit=10", "/api/v1/accounts?limit=100"],
        "outlets list": ["/api/v1/outlets?limit=10", "/api/v1/outlets?limit=100"],
        "events list": ["/api/v1/events?limit=10", "/api/v1/events?limit=100"],
        "post detail": [f"/api/v1/posts/{post.pk}"],
        "article detail": [f"/api/v1/articles/{article.pk}"],
        "event detail": [f"/api/v1/events/{event.slug}"],
        "post citations": [f"/api/v1/posts/{post.pk}/citations"],
        "search, relevance": ["/api/v1/search?q=women"],
        "search, newest": ["/api/v1/search?q=women&order=newest"],
        "search, all kinds": ["/api/v1/search"],
        "search, events": ["/api/v1/search?kind=event"],
        "timeline": ["/api/v1/timeline"],
        "timeline, a month by hour": ["/api/v1/timeline?period=2017-10&by=hour"],
    }
    print(f"\n{'queries per API call (caches emptied)':<40} {'queries':>8}  url")
    for name, urls in calls.items():
        for url in urls:
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            rows = len(response.json().get("results", ())) if url.count("limit") else None
            note = f" ({rows} rows)" if rows is not None else ""
            print(f"{name + note:<40} {len(queries):>8}  {url}")


def profile(client, url: str, *, cold: bool, runs: int = 20) -> None:
    """cProfile's view of a page and its API call, ``runs`` requests each, in the run's mode."""
    from django.core.cache import cache

    for target in (url, api_url(url)):
        profiler = cProfile.Profile()
        for _ in range(runs):
            if cold:
                cache.clear()
            profiler.enable()
            client.get(target)
            profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(f"\nProfile of {target} ({runs} requests):")
        print("\n".join(out.getvalue().splitlines()[:60]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="posts to generate if empty")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each URL")
    parser.add_argument("--depth", type=int, default=50, help="search pages to follow by cursor")
    parser.add_argument("--groups", default="", help="only these groups of the mix (comma)")
    parser.add_argument("--cold", action="store_true", help="empty every cache before each request")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="no whole-page cache and no API answer cache; counts, facets, charts, events kept",
    )
    parser.add_argument("--per-url", action="store_true", help="print each URL's ratio API/page")
    parser.add_argument("--profile", action="store_true", help="profile the worst pair at the end")
    args = parser.parse_args()
    if args.no_page_cache:
        os.environ["PUBLIC_PAGE_CACHE"] = "0"

    use_bench_database()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from apps.archive.models import Account, Outlet, Post

    # The limit is counted on every call as usual, but never reached.
    settings.API_ANON_RATE = "1000000000/s"

    ensure_corpus(args.rows)
    print(f"Corpus: {Post.objects.count():,} posts, {Account.objects.count():,} accounts")
    account = Account.objects.filter(is_public_figure=True).order_by("id").first()
    busiest = Post.objects.values("account_id").order_by("account_id").first() or {"account_id": 1}
    outlet = Outlet.objects.order_by("id").first()
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
            client.get(api_url(url))
    gc.freeze()  # as metoo_archive.wsgi does once a web process has loaded everything

    mode = (
        "every cache emptied before each request"
        if args.cold
        else "whole-page and API answer caches off, counts and facets kept"
        if args.no_page_cache
        else "caches kept between requests"
    )
    print(f"Load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}; {mode}")
    timer = Timer(client, cold=args.cold)
    per_url, within = compare(timer, mix, args.repeat)
    if args.per_url:
        print("\nMedians per URL: page ms, API ms, ratio API/page")
        for ratio, page_ms, api_ms, url in per_url:
            print(f"  {page_ms:7.1f} {api_ms:7.1f}  x{ratio:5.2f}  {url}")
    flat = paging(timer, client, args.repeat, args.depth)
    query_counts(client)
    if args.profile and per_url:
        profile(client, max(per_url)[-1], cold=args.cold)
    print(f"\nLoad average {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    return 0 if within and flat else 1


if __name__ == "__main__":
    sys.exit(main())
