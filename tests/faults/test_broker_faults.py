"""The broker unavailable for a while as beat schedules polls: the file broker's folder made
unwritable, a real Redis server stopped. Beat and the worker (separate processes, as in
production) ride it out without crashing; once the broker is back, the polls go through and the
feed that fell due meanwhile is read, once."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apps.archive.models import Post
from apps.ingest.models import Feed, IngestRun, RunStatus
from tests.faults.conftest import ROOT, free_port, wait_until
from tests.faults.test_worker_faults import Worker, write_export

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 5  # beat ticks every second: several polls fall due while the broker is gone


class Beat:
    """``celery beat``, on the same broker and environment as ``worker``."""

    def __init__(self, worker: Worker):
        self.worker = worker
        self.log_path = worker.home / "beat.log"
        log = open(self.log_path, "w")  # noqa: SIM115 - the child's
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "metoo_archive", "beat", "--loglevel", "INFO",
             "--schedule", str(worker.home / "beat-schedule")],
            cwd=ROOT, env=worker.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()

    def sent(self) -> int:
        return self.log_path.read_text(errors="replace").count("Sending due task poll-due-feeds")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        print(self.log_path.read_text(errors="replace")[-4000:])


@contextlib.contextmanager
def unwritable(folder: Path):
    """The folder refuses new files until the block ends: read-only to a user (chmod), immutable
    to root (chattr +i, which root's privileges do not override). Where neither holds (root on
    a file system without the immutable flag), the folder is taken away instead, as when the
    volume under it goes."""
    probe = folder / ".probe"
    undo = None
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = lambda: folder.chmod(0o755)  # noqa: E731
    elif (
        shutil.which("chattr")
        and not subprocess.run(
            ["chattr", "+i", str(folder)], capture_output=True, check=False
        ).returncode
    ):
        undo = lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)  # noqa: E731
    if undo is not None:
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            undo()
            undo = None
    if undo is None:
        away = folder.with_name(folder.name + ".away")
        folder.rename(away)
        undo = lambda: away.rename(folder)  # noqa: E731
    try:
        yield
    finally:
        undo()


class RedisServer:
    """A real redis-server of the test's own on 127.0.0.1, on a free port, keeping nothing on
    disk (what a restarted broker has lost, the sender must send again)."""

    def __init__(self, home: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing: `make redis` installs Debian's")
        self.binary, self.home, self.port = binary, home, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.home)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_until(self.answers, timeout=10, message="redis-server did not start")

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def broker_outage_rides_out(tmp_path, *, broker: str):
    exports = tmp_path / "exports"
    exports.mkdir()
    before = exports / "before.jsonl"
    write_export(before, 20, blocker_at=20)
    env = dict(
        INGEST_FEED_FILE_DIRS=str(exports),
        INGEST_CAPTURE_DIR=str(tmp_path / "raw-captures"),
        INGEST_BEAT_SECONDS="1",
    )
    redis = None
    if broker == "redis":
        redis = RedisServer(tmp_path)
        redis.start()
        env["CELERY_BROKER_URL"] = redis.url
    worker = Worker(tmp_path, **env)
    if redis is not None:
        worker.env["CELERY_BROKER_URL"] = redis.url  # Worker drops the session's own
    worker.start()
    beat = Beat(worker)
    try:
        first = Feed.objects.create(name="Before", url=str(before), format="twarc1")
        wait_until(
            lambda: IngestRun.objects.filter(feed=first, status=RunStatus.SUCCEEDED).exists(),
            timeout=60, interval=0.2, message=f"no poll before the outage\n{worker.log()}",
        )  # fmt: skip

        outage = contextlib.nullcontext()
        if broker == "filesystem":
            outage = unwritable(worker.broker / "out")
        else:
            redis.stop()
        with outage:
            # A feed falls due while the broker is gone: beat's ticks cannot reach the worker.
            during = exports / "during.jsonl"
            write_export(during, 30, blocker_at=30, first_id=2 * 10**17)
            second = Feed.objects.create(name="During", url=str(during), format="twarc1")
            sent = beat.sent()
            deadline = time.monotonic() + OUTAGE_SECONDS
            while time.monotonic() < deadline:
                assert beat.process.poll() is None, "beat exited while the broker was away"
                assert worker.alive(), "the worker exited while the broker was away"
                time.sleep(0.2)
            assert not IngestRun.objects.filter(feed=second).exists()
            assert beat.sent() > sent  # beat kept scheduling all along
        if redis is not None:
            redis.start()  # the same address, empty

        wait_until(
            lambda: IngestRun.objects.filter(feed=second, status=RunStatus.SUCCEEDED).exists(),
            timeout=60, interval=0.2,
            message=f"no poll after the broker came back\n{worker.log()}",
        )  # fmt: skip
        assert beat.process.poll() is None and worker.alive()
        assert worker.starts == 1  # never restarted
    finally:
        beat.stop()
        worker.stop()
        print(worker.log())
        if redis is not None:
            redis.stop()
    # Each feed read once (claimed once per interval), each of its posts stored once.
    assert IngestRun.objects.filter(feed=second).count() == 1
    stored = list(Post.objects.values_list("platform_id", flat=True))
    assert len(stored) == len(set(stored)) == 50


def test_beat_and_the_worker_ride_out_an_unwritable_broker_folder_and_polls_resume(tmp_path):
    broker_outage_rides_out(tmp_path, broker="filesystem")


def test_beat_and_the_worker_ride_out_a_redis_restart_and_polls_resume(tmp_path):
    broker_outage_rides_out(tmp_path, broker="redis")
