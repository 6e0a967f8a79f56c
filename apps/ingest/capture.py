"""Keeping the raw input: every byte a run reads is hashed and gzip-compressed to a file,
streamed, so large files are captured without being held in memory."""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024


def relative_path(digest: str) -> str:
    """Where the capture of these bytes lives under the capture directory."""
    return f"{digest[:2]}/{digest}.gz"


def stored_size(digest: str) -> int | None:
    """The compressed size of these bytes' capture if it is already stored, else None."""
    try:
        return os.path.getsize(Path(settings.INGEST_CAPTURE_DIR) / relative_path(digest))
    except OSError:  # not there, or its folder cannot be: not stored
        return None


def stream_digest(stream) -> tuple[str, int]:
    """The SHA-256 and size of what a stream yields, read in chunks."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class CaptureInBackground:
    """Compresses a file into the capture store in a thread of its own while the run parses
    it (zlib and hashlib release the interpreter, so this mostly costs the run nothing; done
    first, it held up a large file's ingest by seconds). The bytes are hashed again as they
    are compressed: a file that changed since ``expected`` was computed is not stored under
    that name. ``wait`` returns what went wrong, or an empty string, and the compressed
    size."""

    def __init__(self, open_stream: Callable, expected: str):
        self.open_stream = open_stream
        self.expected = expected
        self.error = ""
        self.compressed = 0
        self.thread = threading.Thread(target=self._run, name="ingest-capture", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        sink = None
        try:
            sink = CaptureSink()
            stream, *handles = self.open_stream()
            try:
                while chunk := stream.read(CHUNK):
                    sink.update(chunk)
            finally:
                for handle in (stream, *handles):
                    handle.close()
            if sink.hash.hexdigest() != self.expected:
                sink.discard()
                self.error = "the file changed while it was being read; run it again"
                return
            self.compressed = sink.finish()[2]
        except Exception as exc:  # a full disk, a file removed meanwhile: reported, not raised
            logger.exception("storing the raw capture %s failed", self.expected)
            if sink is not None:
                sink.discard()
            self.error = f"the raw capture could not be stored ({exc.__class__.__name__}: {exc})"

    def wait(self) -> tuple[str, int]:
        self.thread.join()
        return self.error, self.compressed


class CaptureSink:
    def __init__(self):
        self.directory = Path(settings.INGEST_CAPTURE_DIR)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.hash = hashlib.sha256()
        self.size = 0
        self._tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed in finish()
            dir=self.directory, prefix=".incoming-", suffix=".gz", delete=False
        )
        self._gzip = gzip.GzipFile(fileobj=self._tmp, mode="wb", compresslevel=1, mtime=0)

    def update(self, data) -> None:
        self.hash.update(data)
        self._gzip.write(data)
        self.size += len(data)

    def finish(self) -> tuple[str, int, int, str]:
        """Close the file and move it to ``<sha[:2]>/<sha>.gz``; identical input is stored once.
        Returns (sha256, size, compressed size, path relative to the capture directory)."""
        self._gzip.close()
        self._tmp.close()
        digest = self.hash.hexdigest()
        relative = relative_path(digest)
        target = self.directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        compressed = os.path.getsize(self._tmp.name)
        if target.exists():
            os.unlink(self._tmp.name)
        else:
            os.replace(self._tmp.name, target)
        return digest, self.size, compressed, relative

    def discard(self) -> None:
        try:
            self._gzip.close()
            self._tmp.close()
        finally:
            if os.path.exists(self._tmp.name):
                os.unlink(self._tmp.name)


def open_capture(relative_path: str):
    return gzip.open(Path(settings.INGEST_CAPTURE_DIR) / relative_path, "rb")
