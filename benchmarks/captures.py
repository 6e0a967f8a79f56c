"""Web captures: throughput, memory as pages grow, and the capture page's latency.

Runs in a database of its own (created and dropped here), on the embedded PostgreSQL unless
DATABASE_URL is set, against a local HTTP server on 127.0.0.1. Prints:
- capture throughput: pages per second (and requests per second) for pages with N requisites
  each, through ``capture_url`` end to end (guarded fetches one at a time, WARC, WACZ, fixity),
  with the share of the time spent fetching;
- peak memory (tracemalloc) while capturing pages from 256 KiB to 16 MiB, and its ratio to the
  page's size. Bodies are held in memory (``storage.Exchange.body`` is bytes) and text
  extraction (trafilatura) holds ~10x the page, up to ``capturing.TEXT_MAX_BYTES``: memory is
  bounded by the caps, and past TEXT_MAX_BYTES grows only with the body itself;
- memory over many captures: the Python allocations still held (tracemalloc) and the process's
  resident size after 25, 50, 100 and 200 captures of the same page, which stay flat when
  nothing is kept from one capture to the next;
- the capture page's latency (``/captures/<id>/``) and the replay origin's embed page
  (``/replay/<id>/``) through Django's test client, median and p95.

    python benchmarks/captures.py [--pages 40] [--requisites 10] [--screenshots]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="pages captured per run")
    parser.add_argument("--requisites", type=int, default=10, help="requisites per page")
    parser.add_argument("--requests", type=int, default=50, help="capture page requests")
    parser.add_argument(
        "--screenshots", action="store_true", help="render a screenshot of each page too"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "bench_captures"
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            settings.WEB_CAPTURE_DIR = Path(scratch)
            settings.INGEST_ALLOWED_NETWORKS = ["127.0.0.1/32"]
            settings.CAPTURE_CHROMIUM = settings.CAPTURE_CHROMIUM if args.screenshots else ""
            settings.INGEST_HOST_CONCURRENCY = 1
            run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def article_html(n: int, requisites: int, filler: int = 0) -> bytes:
    links = ['<link rel="stylesheet" href="/static/site.css">']
    links += [f'<img src="/img/{n}-{i}.jpg" alt="">' for i in range(requisites - 2)]
    paragraphs = "".join(
        f"<p>Paragraph {i} of story {n}: what was reported, by whom, and when it was said "
        "on the record, with the names of the people who spoke and the dates.</p>"
        for i in range(12)
    )
    # Bulk as real pages carry it: many small elements (markup, inline data, comments).
    block = '<div class="related"><a href="/more">More on this story</a><!-- ad slot --></div>'
    padding = block * (filler // len(block))
    return (
        f"<!doctype html><html><head><title>Story {n}</title>{links[0]}</head><body>"
        f"<article><h1>Story {n}</h1>{''.join(links[1:])}{paragraphs}</article>{padding}"
        "</body></html>"
    ).encode()


def throughput(server, args) -> None:
    from apps.captures import capturing
    from apps.captures.models import CaptureStatus
    from apps.captures.services import capture_url
    from tests.ingest.conftest import Reply

    server.routes["/static/site.css"] = Reply(
        body=b"body{font-family:Serif;background:url(/img/paper.png)}",
        headers={"Content-Type": "text/css"},
    )
    server.routes["/img/paper.png"] = Reply(body=b"P" * 4_000)
    for n in range(args.pages):
        server.routes[f"/story/{n}.html"] = Reply(
            body=article_html(n, args.requisites), headers={"Content-Type": "text/html"}
        )
        for i in range(args.requisites - 2):
            server.routes[f"/img/{n}-{i}.jpg"] = Reply(body=b"J" * 20_000)

    fetching = 0.0
    original = capturing.capture_page

    def timed_capture_page(url):
        nonlocal fetching
        start = time.perf_counter()
        try:
            return original(url)
        finally:
            fetching += time.perf_counter() - start

    capturing.capture_page = timed_capture_page
    import apps.captures.services as services

    services.capture_page = timed_capture_page
    try:
        capture_url(url=server.url("/story/0.html"))  # warm up: imports, connections
        fetching = 0.0
        requests_before = len(server.requests)
        start = time.perf_counter()
        captures = [capture_url(url=server.url(f"/story/{n}.html")) for n in range(args.pages)]
        elapsed = time.perf_counter() - start
    finally:
        capturing.capture_page = original
        services.capture_page = original
    done = sum(c.status == CaptureStatus.DONE for c in captures)
    requests = len(server.requests) - requests_before
    per_page = sum(c.resource_count for c in captures) / max(len(captures), 1)
    print(
        f"throughput: {done}/{len(captures)} pages captured with {per_page:.0f} requisites each "
        f"in {elapsed:.2f} s: {done / elapsed:.1f} pages/s, {requests / elapsed:.0f} requests/s"
        f" ({'with' if args.screenshots else 'without'} screenshots)"
    )
    print(
        f"  time in capture_page (fetch, parse, text{', render' if args.screenshots else ''}): "
        f"{fetching / elapsed:.0%}; writing WARC + WACZ + fixity: {1 - fetching / elapsed:.0%}"
    )


def memory(server) -> None:
    from apps.captures.services import capture_url
    from tests.ingest.conftest import Reply

    print("memory: peak Python allocations while capturing one page (tracemalloc)")
    print(f"  {'page':>9} {'peak':>9} {'peak/page':>9} {'beyond page':>12}")
    baseline = None
    for size_kib in [256, 1024, 4096, 16384]:
        body = article_html(0, 2, filler=size_kib * 1024)
        server.routes[f"/big/{size_kib}.html"] = Reply(
            body=body, headers={"Content-Type": "text/html"}
        )
        url = server.url(f"/big/{size_kib}.html")
        capture_url(url=url)  # warm
        tracemalloc.start()
        capture = capture_url(url=url)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert capture.status == "done", capture.error
        beyond = peak - len(body)
        baseline = baseline or beyond
        print(
            f"  {len(body) / 2**20:7.2f}MB {peak / 2**20:7.2f}MB {peak / len(body):9.2f} "
            f"{beyond / 2**20:9.2f}MB ({beyond / baseline:.1f}x the smallest)"
        )


def memory_over_captures(server) -> None:
    import gc

    import psutil
    from django.db import reset_queries

    from apps.captures.services import capture_url
    from tests.ingest.conftest import Reply

    server.routes["/many.html"] = Reply(
        body=article_html(0, 2, filler=256 * 1024), headers={"Content-Type": "text/html"}
    )
    url = server.url("/many.html")
    process = psutil.Process()
    print("memory over many captures of a 256 KiB page: held allocations and resident size")
    capture_url(url=url)  # warm
    gc.collect()
    tracemalloc.start()
    start_rss = process.memory_info().rss
    done = 0
    first = None
    for target in (25, 50, 100, 200):
        while done < target:
            capture_url(url=url)
            done += 1
        # Not the capture's memory: DEBUG keeps every statement run, and the test server (in
        # this process) keeps a log of the requests it answered.
        reset_queries()
        server.requests.clear()
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
        rss = process.memory_info().rss - start_rss
        first = first or max(held, 1)
        print(
            f"  after {done:>3} captures: held {held / 2**20:6.2f} MB "
            f"({held / first:.2f}x after 25), resident +{rss / 2**20:6.1f} MB"
        )
    tracemalloc.stop()


def capture_page_latency(args) -> None:
    """The capture page through Django's test client, as a reader's browser gets it."""
    from django.conf import settings
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from apps.archive.models import SourceArticle
    from apps.captures.models import WebCapture

    capture = WebCapture.objects.filter(status="done").order_by("pk").first()
    article = SourceArticle.objects.create(
        canonical_url=capture.url, title="Story 0", moderation_state="published"
    )
    WebCapture.objects.filter(url_key=capture.url_key).update(article=article)
    try:
        url = reverse("captures:detail", args=[capture.pk])
    except NoReverseMatch:
        print("capture page: no captures:detail route yet; latency not measured")
        return
    client = Client()
    response = client.get(url)
    if response.status_code != 200:
        print(f"capture page: {url} answered {response.status_code}; latency not measured")
        return
    report_latency(client, "capture page", url, args.requests)
    # The replay origin's embed page (the frame's document), as the replay host is asked for it.
    replay_host = {"HTTP_HOST": settings.REPLAY_HOST}
    embed = f"/replay/{capture.pk}/"
    if client.get(embed, **replay_host).status_code == 200:
        report_latency(client, f"replay page (host {settings.REPLAY_HOST})", embed, args.requests,
                       **replay_host)  # fmt: skip


def report_latency(client, name: str, url: str, requests: int, **extra) -> None:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url, **extra)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"{name} {url}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms "
        f"over {len(times)} requests"
    )


def run(args) -> None:
    from tests.ingest.conftest import FixtureServer

    server = FixtureServer()
    # Headers and body go out in two writes; with Nagle's algorithm on, each answer would wait
    # for the client's delayed ACK (~40 ms), which measures the test server, not the capture.
    server.httpd.RequestHandlerClass.disable_nagle_algorithm = True
    try:
        throughput(server, args)
        memory(server)
        memory_over_captures(server)
        capture_page_latency(args)
    finally:
        server.close()


if __name__ == "__main__":
    main()
