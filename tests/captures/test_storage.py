"""The files a capture is kept in: WARC 1.1 that warcio's checker passes, a WACZ that py-wacz's
validator passes, and the SHA-256 of each recorded as it is on disk."""

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from apps.captures.models import FileKind
from apps.captures.storage import url_key, validate_wacz

pytestmark = pytest.mark.django_db


def test_a_capture_is_written_as_warc_and_wacz_that_their_validators_pass(make_capture):
    capture = make_capture(
        "https://www.example.org/a.html",
        requisites={"https://www.example.org/site.css": ("text/css", b"p { color: #222 }")},
    )
    warc = settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path
    wacz = settings.WEB_CAPTURE_DIR / capture.file(FileKind.WACZ).path
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(warc)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 5  # warcinfo and two request/response pairs
    assert validate_wacz(wacz)
    with zipfile.ZipFile(wacz) as package:
        names = set(package.namelist())
        assert {"datapackage.json", "pages/pages.jsonl", "archive/capture.warc.gz"} <= names
    assert capture.payload_digest.startswith("sha1:")


def test_each_file_s_fixity_is_the_sha256_of_its_bytes(make_capture):
    capture = make_capture()
    for stored in capture.files.all():
        data = (settings.WEB_CAPTURE_DIR / stored.path).read_bytes()
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        assert stored.size == len(data)


def test_addresses_that_differ_only_in_spelling_share_one_key():
    key = url_key("https://www.Example.org:443/news?b=2&a=1#top")
    assert key == url_key("https://example.org/news?a=1&b=2")
    assert key != url_key("https://example.org/news?a=1")


def test_the_page_the_robot_s_user_agent_names_exists_and_gives_the_contact(client, settings):
    assert "/captures/about/" in settings.CAPTURE_USER_AGENT
    response = client.get("/captures/about/")
    assert response.status_code == 200
    assert settings.CAPTURE_CONTACT in response.content.decode()


def test_the_scratch_folder_of_a_killed_attempt_is_removed_by_the_next_one(make_capture):
    """A worker killed while writing a capture leaves its scratch folder behind; storing the
    capture again removes it, and only finished files stay in the capture's folder."""
    import datetime

    from apps.captures.storage import Exchange, capture_dir, store_capture_files

    capture = make_capture()
    folder = capture_dir(capture)
    killed = folder / "tmp8f2k1q_w"
    killed.mkdir()
    (killed / "capture.warc.gz").write_bytes(b"half a WARC")
    page = Exchange(
        url=capture.url, status=200, reason="OK",
        headers=[("Content-Type", "text/html; charset=utf-8")], body=b"<p>Again</p>",
        fetched_at=datetime.datetime(2017, 10, 17, tzinfo=datetime.UTC),
    )  # fmt: skip

    store_capture_files(capture, [page], page_url=capture.url)

    assert sorted(path.name for path in folder.iterdir()) == ["capture.wacz", "capture.warc.gz"]
    assert validate_wacz(folder / "capture.wacz")
    assert (
        capture.files.get(kind=FileKind.WARC).sha256
        == hashlib.sha256((folder / "capture.warc.gz").read_bytes()).hexdigest()
    )
