"""Fixtures for fixity audits: stores in a temp folder, raw captures written by the ingest
capture writer, web captures written by the captures' storage (real WARC and WACZ files)."""

from __future__ import annotations

import contextlib
import datetime

import psycopg
import pytest
from django.db import connection

from apps.fixity.services import LOCK_KEY
from apps.ingest.capture import CaptureSink
from apps.ingest.models import IngestRun, RawCapture
from tests.captures.conftest import make_capture  # noqa: F401 (a fixture, used by the tests)
from tests.curation.conftest import (  # noqa: F401 (fixtures, used by the tests)
    PASSWORD,
    curator,
    curator_client,
    fast_password_hashing,
    groups,
    outsider,
)

NOW = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fixity_settings(settings, tmp_path):
    settings.INGEST_CAPTURE_DIR = tmp_path / "raw"
    settings.WEB_CAPTURE_DIR = tmp_path / "web"
    settings.CAPTURE_CHROMIUM = ""
    settings.FIXITY_CYCLE_DAYS = 30
    settings.FIXITY_RUN_MINUTES = 60
    settings.FIXITY_MAX_BYTES_PER_RUN = 2 * 1024**3
    return settings


@pytest.fixture
def make_raw(db):
    """A raw capture of ``data`` as ingestion keeps it: gzip-compressed under its hash, the
    hash and size of the bytes before compression recorded."""

    def make(data: bytes, *, source: str = "https://feeds.example.org/metoo.xml") -> RawCapture:
        run = IngestRun.objects.create(source=source)
        sink = CaptureSink()
        sink.update(data)
        digest, size, compressed, relative = sink.finish()
        return RawCapture.objects.create(
            run=run, source=source, sha256=digest, size=size, compressed_size=compressed,
            content_path=relative,
        )  # fmt: skip

    return make


def flip_one_byte(path, *, at: int | None = None) -> None:
    """Change one byte of a stored file in place (the middle one unless told)."""
    data = bytearray(path.read_bytes())
    index = len(data) // 2 if at is None else at
    data[index] ^= 0x01
    path.write_bytes(bytes(data))


@contextlib.contextmanager
def audit_lock_held_elsewhere():
    """Another session (another worker, an operator's command) holds the audit's lock."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        yield
        other.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
