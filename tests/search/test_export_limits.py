"""Heavy requests cannot starve the site, written as the attacks: an export of the whole
archive, a stream of exports from one client, a flood of exports at once, and a statement that
runs for ever."""

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from apps.search import exports
from metoo_archive import statement_timeout
from tests.factories import PostFactory

CSV = reverse("search:export_csv")
JSON = reverse("search:export_json")


def posts(count, word="metoo"):
    return [PostFactory(published=True, text=f"{word} {i}") for i in range(count)]


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def downloaded(response):
    """The response, its download read to the end (which gives the export's place back)."""
    if response.streaming:
        b"".join(response.streaming_content)
    return response


# --- bounded exports ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_export_of_more_than_the_maximum_is_refused_with_the_way_to_the_whole_dataset(
    client, settings
):
    settings.EXPORT_MAX_ROWS = 3
    posts(4)
    for url in (CSV, JSON):
        response = client.get(url, {"q": "metoo"})
        assert response.status_code == 403
        page = response.content.decode()
        assert "more than 3 entries" in page
        assert "python manage.py export_dataset" in page
        assert 'href="/search/?q=metoo"' in page
    settings.EXPORT_DATASET_URL = "https://data.example.org/metoo-archive.csv"
    page = client.get(CSV).content.decode()  # unfiltered: the whole archive
    assert 'href="https://data.example.org/metoo-archive.csv"' in page


@pytest.mark.django_db
def test_an_export_up_to_the_maximum_has_every_row(client, settings):
    settings.EXPORT_MAX_ROWS = 3
    made = posts(3)
    PostFactory(published=True, text="unrelated")
    response = client.get(CSV, {"q": "metoo"})
    assert response.status_code == 200
    assert [int(row["id"]) for row in rows_of(response)] == [post.pk for post in made]


@pytest.mark.django_db
def test_a_signed_in_curator_exports_past_the_maximum(client, settings, django_user_model):
    settings.EXPORT_MAX_ROWS = 3
    posts(4)
    client.force_login(django_user_model.objects.create_user("carla"))
    assert len(rows_of(client.get(CSV, {"q": "metoo"}))) == 4


# --- the rate limit per client ------------------------------------------------------------


@pytest.mark.django_db
def test_exports_are_rate_limited_per_client_and_a_forged_header_does_not_dodge_it(
    client, settings
):
    settings.EXPORT_RATE_LIMIT = "2/h"
    settings.TRUSTED_PROXY_COUNT = 0
    posts(1)
    statuses = [
        downloaded(client.get(CSV, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"))
        for i in range(3)
    ]
    assert [response.status_code for response in statuses] == [200, 200, 429]
    assert "Too many exports from your address" in statuses[2].content.decode()
    assert 0 < int(statuses[2]["Retry-After"]) <= 3600
    assert downloaded(client.get(CSV, REMOTE_ADDR="198.51.100.8")).status_code == 200
    # The search itself stays open to the limited client.
    assert client.get(reverse("search:search"), REMOTE_ADDR="198.51.100.7").status_code == 200


# --- how many run at once ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # closing a response ends the request's connection
def test_a_finished_or_abandoned_export_gives_its_place_back(client, settings):
    settings.EXPORT_CONCURRENCY = 1
    posts(2)
    assert len(rows_of(client.get(CSV))) >= 2
    abandoned = client.get(JSON)
    held = client.get(CSV)
    assert held.status_code == 429
    assert "busy with other exports" in held.content.decode()
    next(iter(abandoned.streaming_content))
    abandoned.close()  # the client went away after the first bytes: the server closes the response
    assert client.get(CSV).status_code == 200


@pytest.fixture
def slow_exports(monkeypatch):
    """Exports that, after their first row, wait until the test lets them finish; ``started``
    is released once per export that got that far."""
    started = threading.Semaphore(0)
    finish = threading.Event()
    real = exports.export_rows

    def export_rows(*args, **kwargs):
        rows = real(*args, **kwargs)
        yield next(rows)
        started.release()
        finish.wait(timeout=30)
        yield from rows

    monkeypatch.setattr(exports, "export_rows", export_rows)
    yield started, finish
    finish.set()


def fetch(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 -- our own server
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.django_db(transaction=True)
def test_a_flood_of_exports_gets_429_while_pages_keep_answering(
    live_server, settings, slow_exports
):
    settings.EXPORT_CONCURRENCY = 2
    settings.EXPORT_RATE_LIMIT = "100/h"
    started, finish = slow_exports
    posts(3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        flood = [pool.submit(fetch, f"{live_server.url}{CSV}?q=metoo") for _ in range(8)]
        for _ in range(2):
            assert started.acquire(timeout=10), "the exports that got a place did not start"
        refused = [future.result(timeout=10) for future in flood if future.done()]
        deadline = time.monotonic() + 10
        while len(refused) < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
            refused = [future.result() for future in flood if future.done()]
        assert [status for status, _ in refused] == [429] * 6
        # Two exports hold their places; a page is answered, and quickly.
        began = time.monotonic()
        status, body = fetch(f"{live_server.url}/search/?q=metoo")
        assert status == 200 and b"metoo" in body
        assert time.monotonic() - began < 2
        finish.set()
        results = [future.result(timeout=30) for future in flood]
    finished = [body for status, body in results if status == 200]
    assert len(finished) == 2
    assert all(
        len(list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))) == 3 for body in finished
    )


# --- the statement time limit --------------------------------------------------------------


@pytest.fixture
def web_statement_limit(settings):
    settings.WEB_STATEMENT_TIMEOUT = 0.3
    statement_timeout.install()
    yield
    statement_timeout.uninstall()


@pytest.mark.django_db(transaction=True)
def test_a_long_statement_from_a_request_is_cancelled_with_a_503_page(
    live_server, web_statement_limit, caplog
):
    posts(1)
    # The index locked away (as a long migration would): the search's statement waits, and is
    # cut by the limit rather than holding the request until the lock goes.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE search_searchentry IN ACCESS EXCLUSIVE MODE")
        began = time.monotonic()
        status, body = fetch(f"{live_server.url}/search/?q=metoo")
        elapsed = time.monotonic() - began
    assert status == 503
    assert b"This took too long" in body and b"Traceback" not in body
    assert elapsed < 5
    assert "statement cancelled (time limit): GET /search/" in caplog.text
    # Without the lock, the same search answers.
    assert fetch(f"{live_server.url}/search/?q=metoo")[0] == 200


@pytest.mark.django_db(transaction=True)
def test_an_export_cut_by_the_limit_answers_503_not_a_broken_download_and_frees_its_place(
    live_server, web_statement_limit, client, django_user_model, settings
):
    settings.EXPORT_CONCURRENCY = 1
    posts(2)
    # A curator's export has no row bound, so nothing reads the index before its sort.
    client.force_login(django_user_model.objects.create_user("carla"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE search_searchentry IN ACCESS EXCLUSIVE MODE")
        status, body = fetch(f"{live_server.url}{CSV}?q=metoo", Cookie=cookie)
    assert status == 503
    assert b"This took too long" in body
    status, body = fetch(f"{live_server.url}{CSV}?q=metoo", Cookie=cookie)
    assert status == 200
    assert len(list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))) == 2


def test_only_the_web_application_limits_its_statements():
    """Workers and management commands set Django up without the WSGI module."""
    code = (
        "import django; django.setup(); from django.db import connection\n"
        "def shown():\n"
        "    with connection.cursor() as cursor:\n"
        "        cursor.execute('SHOW statement_timeout'); return cursor.fetchone()[0]\n"
        "print(shown()); connection.close()\n"
        "import metoo_archive.wsgi\n"
        "print(shown())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "metoo_archive.settings",
        "WEB_STATEMENT_TIMEOUT": "10",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "10s"]


# --- the whole dataset ----------------------------------------------------------------------


@pytest.mark.django_db
def test_export_dataset_writes_every_published_entry_past_the_web_maximum(tmp_path, settings):
    settings.EXPORT_MAX_ROWS = 1
    made = posts(3)
    PostFactory(text="metoo pending")  # not published
    out = io.StringIO()
    call_command("export_dataset", str(tmp_path / "archive.json"), stdout=out)
    data = json.loads((tmp_path / "archive.json").read_text())
    assert data["columns"] == exports.COLUMNS
    exported_posts = [row["id"] for row in data["results"] if row["kind"] == "post"]
    assert exported_posts == [post.pk for post in made]
    assert f"Wrote {len(data['results'])} entries" in out.getvalue()
    call_command("export_dataset", str(tmp_path / "archive.csv"), stdout=io.StringIO())
    with open(tmp_path / "archive.csv", encoding="utf-8-sig") as file:
        assert len(list(csv.DictReader(file))) == len(data["results"])


@pytest.mark.django_db
def test_export_dataset_refuses_an_unknown_format_and_keeps_the_previous_file(
    tmp_path, monkeypatch
):
    with pytest.raises(CommandError, match="--format csv or json"):
        call_command("export_dataset", str(tmp_path / "archive.xlsx"))
    previous = tmp_path / "archive.csv"
    previous.write_text("the previous dataset")

    def broken(*args, **kwargs):
        yield {"kind": "post"}
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports, "export_rows", broken)
    with pytest.raises(RuntimeError):
        call_command("export_dataset", str(previous), stdout=io.StringIO())
    assert previous.read_text() == "the previous dataset"
    assert list(tmp_path.iterdir()) == [previous]
