"""The threaded writer (the default outside tests): the same results as writing in line,
committed by its own connection, and errors surface as a failed run."""

import pytest

from apps.archive.models import Post
from apps.ingest import services
from apps.ingest.models import RunStatus
from tests.ingest.conftest import FIXTURES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def threaded(ingest_settings):
    ingest_settings.INGEST_WRITER_THREAD = True


def test_the_threaded_writer_gives_the_same_counts_and_rows_as_writing_in_line():
    run = services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"), batch_size=1)
    assert run.status == RunStatus.SUCCEEDED
    assert run.counts == {"created": 4, "updated": 0, "unchanged": 1, "failed": 1}
    reply = Post.objects.get(platform_id="919669299755700225")
    assert reply.in_reply_to.platform_id == "919659299755700224"
    again = services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"), batch_size=2)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 5, "failed": 1}


def test_a_database_error_in_the_writer_fails_the_run_without_a_traceback(monkeypatch):
    from apps.ingest.writer import BatchWriter

    original = BatchWriter._write_hydrated

    def failing(self, cursor, *args):
        cursor.execute("SELECT 1/0")  # the database refuses the batch
        return original(self, cursor, *args)

    monkeypatch.setattr(BatchWriter, "_write_hydrated", failing)
    run = services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"))
    assert run.status == RunStatus.FAILED
    assert run.error.endswith("unexpected DivisionByZero; see the log")
    assert "Traceback" not in run.error
    assert not Post.objects.exists()
