"""Keeping the raw input: every byte a run reads is hashed and gzip-compressed to a file as it
streams past the parser, so large files are captured without being held in memory."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


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
        relative = f"{digest[:2]}/{digest}.gz"
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
