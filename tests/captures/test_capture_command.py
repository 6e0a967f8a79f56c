"""``manage.py capture URL [URL ...] [--json]``: what it prints and its exit status."""

import hashlib
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.archive.models import SourceArticle
from apps.captures.models import WebCapture
from tests.captures.conftest import Reply

pytestmark = pytest.mark.django_db

PAGE = b"<html><head><title>A story</title></head><body><p>It happened.</p></body></html>"


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("capture", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def test_it_captures_an_address_and_prints_its_id_status_and_files(http_server):
    http_server.routes["/story.html"] = Reply(body=PAGE)
    code, out, _ = run(http_server.url("/story.html"))
    assert code == 0
    capture = WebCapture.objects.get()
    assert f"capture {capture.pk}: done (HTTP 200" in out
    for stored in capture.files.all():
        path = settings.WEB_CAPTURE_DIR / stored.path
        assert f"{path}  sha256:{stored.sha256}" in out
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256


def test_json_reports_every_address_and_exit_status_is_1_if_one_failed(http_server):
    http_server.routes["/story.html"] = Reply(body=PAGE)
    http_server.routes["/gone.html"] = Reply(410, b"gone")
    http_server.routes["/slow.html"] = Reply(body=PAGE, delay=2.5)
    urls = [http_server.url(p) for p in ["/story.html", "/gone.html", "/slow.html"]]
    code, out, err = run(*urls, "ftp://example.org/x", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    story, gone, slow, bad = report["captures"]
    assert story["status"] == "done" and story["http_status"] == 200
    assert {f["kind"] for f in story["files"]} == {"warc", "wacz"}
    assert all(len(f["sha256"]) == 64 for f in story["files"])
    assert gone["status"] == "done" and gone["http_status"] == 410
    assert slow["status"] == "failed" and "timed out" in slow["error"] and slow["files"] == []
    assert bad["status"] == "refused" and bad["id"] is None and "not an http" in bad["error"]
    assert "[" not in err  # no progress lines in JSON mode


def test_several_addresses_show_progress_and_a_failure_on_stderr(http_server, settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    code, out, err = run(http_server.url("/a.html"), http_server.url("/b.html"))
    assert code == 1
    assert "[1/2] capturing" in err and "[2/2] capturing" in err
    assert "failed" in err and "not a public address" in err
    assert out == ""


def test_a_capture_can_be_attached_to_an_article(http_server):
    http_server.routes["/story.html"] = Reply(body=PAGE)
    story = SourceArticle.objects.create(
        canonical_url=http_server.url("/story.html"), title="A story"
    )
    code, _, _ = run("--article", str(story.pk))
    assert code == 0
    assert WebCapture.objects.get().article == story
    with pytest.raises(CommandError, match="no source article"):
        call_command("capture", "--article", "999999")
    with pytest.raises(CommandError, match="at least one URL"):
        call_command("capture")


def test_its_help_says_what_it_does():
    from apps.captures.management.commands.capture import Command

    help_text = " ".join(Command().create_parser("manage.py", "capture").format_help().split())
    assert "WARC and WACZ" in help_text and "SHA-256" in help_text
    assert "--json" in help_text and "--article ID" in help_text
    assert "Exit status 0 only if every URL was captured" in help_text
