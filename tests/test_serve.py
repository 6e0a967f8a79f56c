"""`make run` end to end: `manage.py serve` on a fresh var/ brings up the seeded archive with a
worker and a scheduler, and stops everything cleanly on Ctrl-C (SIGINT)."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, deadline: float) -> bytes:
    last_error = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return response.read()
        except OSError as error:
            last_error = error
            time.sleep(0.5)
    raise AssertionError(f"{url} never answered: {last_error}")


def test_serve_brings_up_the_seeded_archive_with_worker_and_scheduler(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "CELERY_BROKER_URL", "XDG_RUNTIME_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(DEBUG="1", VAR_DIR=str(tmp_path / "var"), LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--web-workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        health = wait_for(f"http://127.0.0.1:{port}/healthz", deadline)
        assert b'"status": "ok"' in health
        home = wait_for(f"http://127.0.0.1:{port}/", deadline).decode()
        assert "Read the timeline" in home
        timeline = wait_for(f"http://127.0.0.1:{port}/timeline/", deadline).decode()
        assert "Milano" in timeline and "Date disputed" in timeline
        while time.monotonic() < deadline:
            output = "".join(lines)
            if " ready." in output and "beat: Starting" in output:
                break
            time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        process.wait(timeout=60)
        reader.join(timeout=10)
    output = "".join(lines)
    assert "celery@" in output and " ready." in output, output[-3000:]
    assert "beat: Starting" in output, output[-3000:]
    assert "start-up objects out of the collector's reach" in output, output[-3000:]
    # Threads, as in the Dockerfile: a long export or a client slow to read holds one thread,
    # not one of the only two processes (issue 15's load test saw pages wait 30-60 s).
    assert "Using worker: gthread" in output, output[-3000:]
    assert "Stopped." in output
    pid_file = tmp_path / "var" / "postgres" / "postmaster.pid"
    deadline = time.monotonic() + 15
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pid_file.exists(), "the embedded PostgreSQL must stop with the server"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_gunicorn_worker_leaves_ctrl_c_to_its_arbiter(tmp_path):
    """Ctrl-C reaches the whole process group; a worker that also quit on it could take the
    arbiter's SIGQUIT in the middle of quitting and hang (gunicorn.conf.obey_the_arbiter_only).
    A worker ignores SIGINT and keeps serving; the arbiter's own stop still ends it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "XDG_RUNTIME_DIR"}}
    env.update(DEBUG="1", VAR_DIR=str(tmp_path / "var"), LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
         "metoo_archive.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    static = f"http://127.0.0.1:{port}/static/img/favicon.svg"
    try:
        wait_for(static, time.monotonic() + 60)
        (worker,) = _children(process.pid)
        os.kill(worker, signal.SIGINT)
        time.sleep(1)
        assert _alive(worker), "the worker quit on SIGINT"
        assert wait_for(static, time.monotonic() + 10).startswith(b"<svg")
    finally:
        process.send_signal(signal.SIGINT)  # the arbiter's quick stop: SIGQUIT to its worker
        process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), "the worker outlived its arbiter"
