"""The embedded PostgreSQL: started on demand, shared by processes that start at once, stopped
by the last one out. Runs real servers in a temporary var/ directory."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import json, os, time
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_postmaster_start_time()::text, current_database()")
    started, database = cursor.fetchone()
    cursor.execute("SELECT extname FROM pg_extension ORDER BY 1")
    extensions = [row[0] for row in cursor.fetchall()]
time.sleep(float(os.environ.get("HOLD", "0")))
print(json.dumps({"started": started, "database": database, "extensions": extensions}))
"""


def run_concurrently(var_dir: Path, holds: list[float]) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "XDG_RUNTIME_DIR"}}
    env.update(DEBUG="1", VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="metoo_archive.settings")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env={**env, "HOLD": str(hold)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for hold in holds
    ]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes


def test_two_processes_starting_at_once_share_one_server_that_stops_after_the_last(tmp_path):
    var_dir = tmp_path / "var"
    first, second = run_concurrently(var_dir, holds=[0.5, 1.5])

    assert first["database"] == second["database"] == "metoo_archive"
    assert first["started"] == second["started"], "both processes must use the same server"
    assert {"pg_trgm", "unaccent", "btree_gin"} <= set(first["extensions"])

    # The last process to let go stops the server cleanly: no postmaster is left running.
    pid_file = var_dir / "postgres" / "postmaster.pid"
    deadline = time.monotonic() + 60  # a loaded machine can take a while to checkpoint
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    handles = var_dir / "postgres" / ".handle_pids.json"
    log = var_dir / "postgres" / "log"
    assert not pid_file.exists(), (
        handles.read_text() if handles.exists() else "",
        log.read_text()[-2000:] if log.exists() else "",
    )

    # And it starts again on demand, on the same data.
    (again,) = run_concurrently(var_dir, holds=[0])
    assert again["database"] == "metoo_archive"
