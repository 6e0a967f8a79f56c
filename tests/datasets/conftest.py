import io
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def dataset_dir(settings, tmp_path) -> Path:
    """Each test's packages in a folder of its own."""
    settings.DATASET_DIR = tmp_path / "datasets"
    return settings.DATASET_DIR


def zip_members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def downloaded(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)
