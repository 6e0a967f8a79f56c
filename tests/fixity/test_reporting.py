"""Where a problem shows: /healthz, the curators' pages, the command's exit status, the log;
and the scheduled task that runs the audit."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from apps.captures.models import FileKind as CaptureKind
from apps.fixity import tasks
from apps.fixity.models import FixityCheck, FixityRun
from apps.fixity.services import files_audit
from metoo_archive.celery import app
from tests.fixity.conftest import NOW, audit_lock_held_elsewhere, flip_one_byte

pytestmark = pytest.mark.django_db


@pytest.fixture
def altered(make_capture, settings):
    """A web capture whose WARC had one byte changed after it was stored."""
    capture = make_capture()
    warc = capture.files.get(kind=CaptureKind.WARC)
    flip_one_byte(settings.WEB_CAPTURE_DIR / warc.path)
    return warc


def _audit(**options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_fixity", stdout=out, stderr=err, **options)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def test_the_command_exits_non_zero_and_prints_the_altered_file(altered):
    status, out, err = _audit(all=True)
    assert status == 1
    assert "Checked 2 of 2 stored files (every file)" in out and "1 intact, 1 with a problem" in out
    assert f"ALTERED: {altered.path}" in out and f"expected {altered.sha256}" in out
    found = FixityCheck.objects.get(path=altered.path).found_sha256
    assert f"found    {found}" in out
    assert "1 missing or altered" in err


def test_the_command_names_a_missing_file_and_is_content_when_all_is_intact(make_raw, settings):
    raw = make_raw(b"kept")
    status, out, _ = _audit()  # the files due: a never-checked file is
    assert status == 0 and "1 intact, 0 with a problem" in out
    (settings.INGEST_CAPTURE_DIR / raw.content_path).unlink()
    status, out, _ = _audit(all=True)
    assert status == 1 and f"MISSING: {raw.content_path}" in out


def test_the_command_says_so_when_another_audit_is_running(make_raw):
    make_raw(b"waits its turn")
    with audit_lock_held_elsewhere():
        with pytest.raises(CommandError, match="another fixity audit is running") as refused:
            call_command("audit_fixity", stdout=io.StringIO())
        assert refused.value.returncode == 2
        assert tasks.audit_files() == 0  # the task skips its turn quietly


def test_the_commands_help_says_what_it_checks_and_what_the_exit_status_means():
    from apps.fixity.management.commands.audit_fixity import Command

    parser = Command().create_parser("manage.py", "audit_fixity")
    text = parser.format_help()
    assert "--all" in text and "FIXITY_CYCLE_DAYS" in text and "Exit status" in text


def test_healthz_is_degraded_naming_the_count_while_a_file_fails_its_latest_check(
    client, altered, settings, django_assert_max_num_queries
):
    files_audit(all_files=True, now=NOW)
    with django_assert_max_num_queries(4):  # SELECT 1, the capture queue, two for fixity
        response = client.get(reverse("healthz"))
    assert response.status_code == 200  # the site still serves
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["fixity"] == (
        "1 stored file failed the latest fixity check (missing, altered or unreadable)"
    )
    run = FixityRun.objects.get()
    assert body["fixity"] == {
        "problems": 1,
        "files_watched": 2,
        "files_checked_in_cycle": 2,
        "last_run": run.finished_at.isoformat(),
    }
    assert altered.path not in response.content.decode()  # counts only: /healthz is public
    flip_one_byte(settings.WEB_CAPTURE_DIR / altered.path)  # restored
    files_audit(all_files=True, now=NOW.replace(hour=13))
    body = client.get(reverse("healthz")).json()
    assert body["status"] == "ok" and body["checks"]["fixity"] == "ok"


def test_curators_see_a_notice_on_the_queue_and_the_problem_files_on_their_page(
    curator_client, altered, make_capture
):
    queue = curator_client.get(reverse("curation:queue")).content.decode()
    assert "failed the fixity check" not in queue
    files_audit(all_files=True, now=NOW)
    queue = curator_client.get(reverse("curation:queue")).content.decode()
    assert "1 stored file failed the fixity check" in queue
    assert reverse("curation:fixity_problems") in queue
    response = curator_client.get(reverse("curation:fixity_problems"))
    assert response.status_code == 200
    page = response.content.decode()
    check = FixityCheck.objects.get(path=altered.path)
    assert altered.path in page and "Web capture file" in page and "Altered" in page
    assert check.expected_sha256 in page and check.found_sha256 in page
    intact = FixityCheck.objects.exclude(path=altered.path).get()
    assert intact.path not in page


def test_the_problem_page_links_each_file_to_its_entry_in_a_fixed_number_of_queries(
    curator_client, make_capture, make_raw, settings, django_assert_max_num_queries
):
    from tests.factories import SourceArticleFactory

    articles = [SourceArticleFactory() for _ in range(3)]
    for article in articles:
        capture = make_capture(article=article)
        for stored in capture.files.all():
            (settings.WEB_CAPTURE_DIR / stored.path).unlink()
    raw = make_raw(b"raw")
    (settings.INGEST_CAPTURE_DIR / raw.content_path).unlink()
    files_audit(all_files=True, now=NOW)
    with django_assert_max_num_queries(8):
        page = curator_client.get(reverse("curation:fixity_problems")).content.decode()
    for article in articles:
        assert reverse("curation:entry", args=["article", article.pk]) in page
    assert raw.source in page and page.count("Missing") == 7


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("outsider", 403)])
def test_only_curators_see_the_problem_page(client, outsider, altered, who, status):
    files_audit(all_files=True, now=NOW)
    if who == "outsider":
        client.force_login(outsider)
    response = client.get(reverse("curation:fixity_problems"))
    assert response.status_code == status
    assert altered.path not in response.content.decode()


def test_a_curators_password_alone_does_not_open_the_problem_page(curator_client, settings):
    settings.CURATOR_REQUIRE_2FA = True  # the page is a curation page: the second factor too
    response = curator_client.get(reverse("curation:fixity_problems"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("curation:two_factor_setup"))


def test_the_task_runs_the_audit_and_is_on_the_beat_schedule(make_raw, settings):
    make_raw(b"scheduled")
    assert tasks.audit_files() == 1
    assert FixityCheck.objects.get().result == "ok"
    entry = settings.CELERY_BEAT_SCHEDULE["audit-fixity"]
    assert entry["task"] == tasks.audit_files.name == "fixity.audit_files"
    assert entry["schedule"] == settings.FIXITY_RUN_MINUTES * 60
    assert "fixity.audit_files" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_manage_py_audit_fixity_exits_1_naming_the_file_in_a_real_process(make_raw, settings):
    from django.db import connection

    kept, lost = make_raw(b"kept"), make_raw(b"lost")
    (settings.INGEST_CAPTURE_DIR / lost.content_path).unlink()
    db = connection.settings_dict
    host = urllib.parse.quote(str(db["HOST"]), safe="")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(
        DEBUG="1", ENV_FILE="", DJANGO_SETTINGS_MODULE="metoo_archive.settings",
        DATABASE_URL=f"postgres://{db['USER']}{password}@{host}:{db['PORT']}/{db['NAME']}",
        VAR_DIR=str(settings.INGEST_CAPTURE_DIR.parent / "var"),
        INGEST_CAPTURE_DIR=str(settings.INGEST_CAPTURE_DIR),
        WEB_CAPTURE_DIR=str(settings.WEB_CAPTURE_DIR), LOG_LEVEL="WARNING",
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "audit_fixity", "--all"],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert f"MISSING: {lost.content_path}" in result.stdout
    assert kept.content_path not in result.stdout
    assert lost.content_path in result.stderr  # the WARNING in the log
