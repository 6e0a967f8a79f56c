import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.captures.models import WebCapture

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_healthz_says_the_database_failed_when_it_cannot_connect():
    # A real connection attempt to a port nothing listens on: no mock of the database.
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "metoo_archive.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["status"] == "failing"
    assert outcome["body"]["checks"]["database"].startswith("database unavailable")
    assert outcome["body"]["checks"]["capture_queue"] == "not read: the database is unavailable"
    assert outcome["body"]["capture_queue"] is None
    assert outcome["body"]["checks"]["fixity"] == "not read: the database is unavailable"


EMPTY_QUEUE = {"queued": 0, "running": 0, "failed_last_day": 0, "oldest_queued_seconds": None}
NO_AUDIT_YET = {"problems": 0, "files_watched": 0, "files_checked_in_cycle": 0, "last_run": None}


def _capture(status: str, *, requested_ago: datetime.timedelta) -> WebCapture:
    capture = WebCapture.objects.create(
        url="https://www.example.org/a", url_key="org,example)/a", status=status
    )
    # requested_at is set on insert; these captures were asked for a while ago.
    WebCapture.objects.filter(pk=capture.pk).update(requested_at=timezone.now() - requested_ago)
    return capture


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_and_cache_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "capture_queue": "ok", "fixity": "ok"},
        "capture_queue": EMPTY_QUEUE,
        "fixity": NO_AUDIT_YET,
    }


@pytest.mark.django_db
def test_healthz_reports_a_cache_that_cannot_be_reached_as_degraded_not_failing(client, settings):
    settings.CACHES = {  # a Redis nobody listens for
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 200  # the process still serves: keep it in rotation
    assert response.json() == {
        "status": "degraded",
        "checks": {
            "database": "ok",
            "cache": "cache unavailable: ConnectionError",
            "capture_queue": "ok",
            "fixity": "ok",
        },
        "capture_queue": EMPTY_QUEUE,
        "fixity": NO_AUDIT_YET,
    }


@pytest.mark.django_db
def test_healthz_counts_the_capture_queue_without_calling_a_busy_queue_a_fault(
    client, django_assert_num_queries
):
    minutes = datetime.timedelta(minutes=1)
    _capture("queued", requested_ago=5 * minutes)
    _capture("queued", requested_ago=2 * minutes)
    _capture("running", requested_ago=3 * minutes)
    _capture("failed", requested_ago=30 * minutes)
    _capture("failed", requested_ago=2 * 24 * 60 * minutes)  # failed the day before yesterday
    _capture("done", requested_ago=10 * minutes)
    with django_assert_num_queries(4):  # SELECT 1, the queue in one query, fixity in two
        response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    queue = body["capture_queue"]
    assert (queue["queued"], queue["running"], queue["failed_last_day"]) == (2, 1, 1)
    assert 5 * 60 <= queue["oldest_queued_seconds"] < 6 * 60


@pytest.mark.django_db
def test_healthz_says_degraded_when_the_oldest_queued_capture_waited_too_long(client, settings):
    settings.CAPTURE_QUEUE_STALE_MINUTES = 60
    _capture("queued", requested_ago=datetime.timedelta(minutes=61))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200  # no worker takes captures; the site still serves
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["capture_queue"] == (
        "stalled: the oldest queued capture has waited 61 minutes"
    )
    assert body["capture_queue"]["queued"] == 1


@pytest.mark.django_db
def test_healthz_names_no_address_or_entry_of_the_queue(client):
    _capture("failed", requested_ago=datetime.timedelta(minutes=1))
    assert b"example.org" not in client.get(reverse("healthz")).content
