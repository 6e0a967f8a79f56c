"""A bulk action carried out by a real Celery worker process, over the real broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from apps.curation.models import BulkAction, JobState, ModerationDecision
from apps.curation.services import bulk_action_start
from apps.curation.tasks import run_bulk_action
from metoo_archive.celery import app as celery_app
from tests.factories import PostFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    host = quote(str(db["HOST"]), safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT']}/{db['NAME']}"


def test_a_worker_carries_out_a_bulk_action_and_reports_progress(curator, tmp_path, monkeypatch):
    # The worker and this test share a broker of their own (the server-less file-system one,
    # under tmp_path), so no other worker takes the message and none is left behind.
    folder = tmp_path / "broker"
    for sub in ("out", "processed", "control"):
        (folder / sub).mkdir(parents=True)
    options = {
        "data_folder_in": str(folder / "out"),
        "data_folder_out": str(folder / "out"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
    }

    def send(job_id):
        with celery_app.connection_for_write("filesystem://", transport_options=options) as conn:
            run_bulk_action.apply_async((job_id,), connection=conn)

    monkeypatch.setattr(run_bulk_action, "delay", send)
    posts = PostFactory.create_batch(4)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="1",
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
        VAR_DIR=str(tmp_path),  # the worker's broker folder: tmp_path/broker
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "metoo_archive", "worker", "--pool", "solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        # The real path: the job is recorded, and enqueued when its transaction commits.
        job = bulk_action_start(action="approve", kind="post", filters={}, reason="", actor=curator)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.25)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert job.state == JobState.DONE, output[-3000:]
    assert (job.done, job.changed) == (4, 4)
    assert (
        ModerationDecision.objects.filter(
            entry_id__in=[p.pk for p in posts], to_state="published", actor=curator
        ).count()
        == 4
    )
    assert BulkAction.objects.get().finished_at is not None
