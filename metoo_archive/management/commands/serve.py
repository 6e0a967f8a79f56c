"""``manage.py serve``: the whole archive on one machine, as ``make run`` starts it.

Migrates, seeds an empty database, collects static files, then runs the web server (gunicorn),
a Celery worker and the Celery beat scheduler side by side until interrupted. The embedded
PostgreSQL server (when ``DATABASE_URL`` is unset) stays up as long as this process holds it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def env_count(name: str, default: int) -> int:
    """A whole number from the environment (as the Dockerfile's GUNICORN_* variables), failing
    loudly on anything else."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"{name} must be a whole number, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Serve the archive with a Celery worker and scheduler: migrate, seed an empty "
        "database, collect static files, then run gunicorn, celery worker and celery beat "
        "until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000, help="Port to bind (default 8000).")
        # As the Dockerfile and docker-compose.yml run gunicorn: threads in each worker, so a
        # long export or a client slow to read holds one thread, not a whole worker.
        parser.add_argument(
            "--web-workers",
            type=int,
            default=None,
            help="gunicorn worker processes (default GUNICORN_WORKERS or 2).",
        )
        parser.add_argument(
            "--web-threads",
            type=int,
            default=None,
            help="Threads per worker (default GUNICORN_THREADS or 4; 1: gunicorn's sync worker).",
        )
        parser.add_argument(
            "--no-celery", action="store_true", help="Serve pages only, without worker and beat."
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        web_workers: int | None,
        web_threads: int | None,
        no_celery: bool,
        **options,
    ):
        from django.conf import settings

        if web_workers is None:
            web_workers = env_count("GUNICORN_WORKERS", 2)
        if web_threads is None:
            web_threads = env_count("GUNICORN_THREADS", 4)
        if web_workers < 1 or web_threads < 1:
            raise CommandError("--web-workers and --web-threads must be at least 1.")

        self.stdout.write("Applying migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed", if_empty=True)
        call_command("collectstatic", interactive=False, verbosity=0)

        commands = {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(settings.BASE_DIR / "gunicorn.conf.py"),
                "metoo_archive.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(web_workers),
                "--threads",
                str(web_threads),
                "--access-logfile",
                "-",
                "--log-level",
                "info",
            ],
        }
        if not no_celery:
            schedule = settings.VAR_DIR / "celerybeat-schedule"
            commands["worker"] = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "metoo_archive",
                "worker",
                "--loglevel",
                "info",
                "--concurrency",
                "2",
                "-Q",
                "celery,fetch",
            ]
            commands["beat"] = [
                sys.executable, "-m", "celery", "-A", "metoo_archive", "beat",
                "--loglevel", "info", "--schedule", str(schedule),
            ]  # fmt: skip

        processes = {name: subprocess.Popen(argv) for name, argv in commands.items()}  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(f"The archive is at http://{host}:{port}/ (Ctrl-C to stop).")
        )

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with status {process.returncode}.")
                        exit_code = process.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.stdout.write("Stopped.")
        if exit_code:
            sys.exit(exit_code)
