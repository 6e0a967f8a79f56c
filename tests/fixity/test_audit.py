"""The audit re-hashes what was stored and tells intact, altered, missing and unreadable apart."""

from __future__ import annotations

import gzip
import hashlib
import logging

import pytest
from django.db import DatabaseError, transaction

from apps.captures.models import CaptureFile
from apps.captures.models import FileKind as CaptureKind
from apps.fixity.models import FileKind, FixityCheck, FixityFile, FixityRun, Result
from apps.fixity.services import AuditBusy, files_audit
from tests.fixity.conftest import NOW, audit_lock_held_elsewhere, flip_one_byte

pytestmark = pytest.mark.django_db


def test_a_fresh_archive_audited_in_full_is_intact_file_by_file(make_raw, make_capture):
    first, second = make_raw(b"<rss>one</rss>" * 1000), make_raw(b'{"two": 2}\n')
    capture = make_capture()
    report = files_audit(all_files=True, now=NOW)
    assert report.problems == [] and report.checked == report.files_total == 4
    checks = FixityCheck.objects.order_by("kind", "path")
    assert {(c.kind, c.result) for c in checks} == {(FileKind.RAW, "ok"), (FileKind.WEB, "ok")}
    raw = {c.path: c for c in checks if c.kind == FileKind.RAW}
    # A raw capture is compared with the hash of the bytes before compression.
    assert raw[first.content_path].found_sha256 == first.sha256
    assert raw[first.content_path].expected_sha256 == first.sha256
    assert raw[second.content_path].object_id == second.pk
    web = {c.path: c for c in checks if c.kind == FileKind.WEB}
    assert set(web) == set(capture.files.values_list("path", flat=True))
    assert all(c.found_sha256 == CaptureFile.objects.get(path=p).sha256 for p, c in web.items())
    assert all(c.duration.total_seconds() >= 0 and c.bytes_read > 0 for c in checks)
    assert set(FixityFile.objects.values_list("last_result", flat=True)) == {Result.OK}
    run = FixityRun.objects.get()
    assert (run.checked, run.problems, run.files_checked_in_cycle) == (4, 0, 4)


def test_identical_raw_input_stored_once_is_checked_once(make_raw):
    first, again = make_raw(b"same bytes"), make_raw(b"same bytes")
    assert first.content_path == again.content_path
    report = files_audit(all_files=True, now=NOW)
    assert report.checked == 1 and FixityCheck.objects.get().object_id == first.pk


def test_one_byte_changed_in_a_web_capture_is_reported_as_altered(make_capture, settings, caplog):
    capture = make_capture()
    warc = capture.files.get(kind=CaptureKind.WARC)
    stored = settings.WEB_CAPTURE_DIR / warc.path
    flip_one_byte(stored)
    with caplog.at_level(logging.INFO, logger="apps.fixity"):
        report = files_audit(all_files=True, now=NOW)
    (problem,) = report.problems
    found = hashlib.sha256(stored.read_bytes()).hexdigest()
    assert (problem.path, problem.result, problem.expected) == (warc.path, "altered", warc.sha256)
    assert problem.found == found != warc.sha256 and report.damaged == [problem]
    check = FixityCheck.objects.get(path=warc.path)
    assert check.result == "altered"
    assert (check.expected_sha256, check.found_sha256) == (warc.sha256, found)
    assert FixityCheck.objects.get(kind=FileKind.WEB, path__endswith=".wacz").result == "ok"
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.name == "apps.fixity"
    assert warc.path in warning.getMessage() and warc.sha256 in warning.getMessage()
    assert found in warning.getMessage()
    (summary,) = [r for r in caplog.records if r.levelno == logging.INFO]
    assert "2 of 2 files checked" in summary.getMessage() and "1 problems" in summary.getMessage()


def test_one_byte_changed_in_a_raw_capture_is_altered_even_where_gzip_cannot_read_it(
    make_raw, settings
):
    data = b"<rss><item>me too</item></rss>" * 500
    raw = make_raw(data)
    stored = settings.INGEST_CAPTURE_DIR / raw.content_path
    flip_one_byte(stored, at=stored.stat().st_size - 3)  # in the trailer: the length
    (problem,) = files_audit(all_files=True, now=NOW).problems
    assert problem.result == "altered" and "damaged" in problem.detail
    # Recompressed with other bytes: a valid gzip whose content hashes differently.
    stored.write_bytes(gzip.compress(data.replace(b"me too", b"me TOO")))
    (problem,) = files_audit(all_files=True, now=NOW.replace(hour=13)).problems
    assert problem.result == "altered" and problem.expected == raw.sha256
    assert problem.found == hashlib.sha256(data.replace(b"me too", b"me TOO")).hexdigest()


def test_a_deleted_file_is_missing_and_a_directory_in_its_place_unreadable(make_raw, settings):
    gone, blocked = make_raw(b"gone"), make_raw(b"blocked")
    (settings.INGEST_CAPTURE_DIR / gone.content_path).unlink()
    (settings.INGEST_CAPTURE_DIR / blocked.content_path).unlink()
    (settings.INGEST_CAPTURE_DIR / blocked.content_path).mkdir()
    report = files_audit(all_files=True, now=NOW)
    results = {p.path: (p.result, p.found) for p in report.problems}
    assert results[gone.content_path] == ("missing", "")
    assert results[blocked.content_path][0] == "unreadable"
    assert [p.path for p in report.damaged] == [gone.content_path]


def test_a_file_restored_is_intact_again_at_its_next_check_and_the_history_stays(
    make_raw, settings
):
    raw = make_raw(b"restored later")
    stored = settings.INGEST_CAPTURE_DIR / raw.content_path
    kept = stored.read_bytes()
    stored.unlink()
    assert files_audit(all_files=True, now=NOW).problems
    assert FixityFile.objects.problems().count() == 1
    stored.write_bytes(kept)
    assert files_audit(all_files=True, now=NOW.replace(hour=13)).problems == []
    assert FixityFile.objects.problems().count() == 0
    assert list(FixityCheck.objects.order_by("checked_at").values_list("result", flat=True)) == [
        "missing",
        "ok",
    ]


def test_a_capture_deleted_on_purpose_is_no_longer_a_problem(make_capture, settings):
    capture = make_capture()
    for stored in capture.files.all():
        (settings.WEB_CAPTURE_DIR / stored.path).unlink()
    assert len(files_audit(all_files=True, now=NOW).problems) == 2
    capture.delete()  # a curator removed it: its files are not the archive's any more
    report = files_audit(now=NOW.replace(hour=13))
    assert report.problems == [] and FixityFile.objects.count() == 0
    assert FixityCheck.objects.count() == 2  # what was found stays on record


def test_checks_cannot_be_rewritten_or_deleted(make_raw, settings):
    raw = make_raw(b"evidence")
    (settings.INGEST_CAPTURE_DIR / raw.content_path).unlink()
    files_audit(all_files=True, now=NOW)
    check = FixityCheck.objects.get()
    for attack in (
        lambda: FixityCheck.objects.filter(pk=check.pk).update(result=Result.OK),
        lambda: FixityCheck.objects.filter(pk=check.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attack()
    assert FixityCheck.objects.get().result == "missing"


def test_a_second_audit_while_one_runs_is_refused(make_raw):
    make_raw(b"one at a time")
    with audit_lock_held_elsewhere(), pytest.raises(AuditBusy):
        files_audit(all_files=True, now=NOW)
    assert FixityCheck.objects.count() == 0
    assert files_audit(all_files=True, now=NOW).checked == 1
