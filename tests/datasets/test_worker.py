"""A package over the inline limit, made by a real Celery worker process over the real broker,
while its page shows progress and then the download."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from apps.datasets.models import DataPackage, PackageState
from apps.datasets.tasks import build_package
from metoo_archive.celery import app as celery_app
from tests.datasets.conftest import downloaded, zip_members
from tests.factories import PostFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    host = quote(str(db["HOST"]), safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT']}/{db['NAME']}"


def test_a_worker_makes_a_large_package_while_its_page_shows_progress(
    client, settings, tmp_path, monkeypatch, dataset_dir
):
    settings.DATASET_INLINE_MAX_ROWS = 3
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

    def send(package_id):
        with celery_app.connection_for_write("filesystem://", transport_options=options) as conn:
            build_package.apply_async((package_id,), connection=conn)

    monkeypatch.setattr(build_package, "delay", send)
    posts = PostFactory.create_batch(8, published=True, text="metoo")

    # Asked for before the worker starts, so that the page is seen while it waits.
    response = client.get("/datasets/new", {"q": "metoo"})
    assert response.status_code == 302
    package = DataPackage.objects.get(pk=re.search(r"[0-9a-f-]{36}", response["Location"])[0])
    page = client.get(response["Location"]).content.decode()
    assert "Queued: 0 of 8 rows written" in page
    assert client.get(package.download_url).status_code == 503

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="1",
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
        VAR_DIR=str(tmp_path),  # the worker's broker folder: tmp_path/broker
        DATASET_DIR=str(dataset_dir),
        DATASET_INLINE_MAX_ROWS="3",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "metoo_archive", "worker", "--pool", "solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            package.refresh_from_db()
            if package.is_finished:
                break
            time.sleep(0.25)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert package.state == PackageState.READY, output[-3000:] + package.error
    page = client.get(package.get_absolute_url()).content.decode()
    assert f'href="{package.download_url}"' in page
    assert "data-running" not in page
    members = zip_members(downloaded(client.get(package.download_url)))
    assert members["entries.jsonl"].count(b"\n") == len(posts)
