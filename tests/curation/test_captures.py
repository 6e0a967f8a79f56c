"""Curators can read the raw capture an entry came from; nobody else can."""

import pytest
from django.urls import reverse

from apps.archive.models import Post
from apps.ingest.models import Format
from apps.ingest.services import source_ingest

# Ingestion writes on a connection of its own, so these tests need real commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ingested_post(tmp_path, settings):
    settings.INGEST_CAPTURE_DIR = tmp_path / "captures"
    source = tmp_path / "ids.txt"
    source.write_text("1000000000000000042\n<script>alert(1)</script>\n")
    run = source_ingest(source=str(source), format=Format.TWEET_IDS)
    return Post.objects.get(platform_id="1000000000000000042"), run.captures.get()


def test_a_curator_sees_an_entrys_captures_and_reads_the_bytes_as_plain_text(
    curator_client, ingested_post
):
    post, capture = ingested_post
    page = curator_client.get(reverse("curation:entry", args=["post", post.pk])).content.decode()
    assert reverse("curation:capture", args=[capture.pk]) in page
    assert capture.sha256 in page

    response = curator_client.get(reverse("curation:capture", args=[capture.pk]))
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert body == "1000000000000000042\n<script>alert(1)</script>\n"


def test_captures_need_the_curators_permission(client, outsider, ingested_post):
    _, capture = ingested_post
    url = reverse("curation:capture", args=[capture.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_a_capture_whose_file_is_gone_is_not_found(curator_client, ingested_post, settings):
    _, capture = ingested_post
    (settings.INGEST_CAPTURE_DIR / capture.content_path).unlink()
    assert curator_client.get(reverse("curation:capture", args=[capture.pk])).status_code == 404
