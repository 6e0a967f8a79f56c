"""Every rate-limited surface counts through one helper (apps.core.limits), and each stays open,
saying so in the log, when the cache that holds the counts cannot be reached: a limit protects
the archive's work, and an outage of the cache must not turn limited requests into errors."""

import pytest
from django.urls import reverse

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

UNREACHABLE = {  # a Redis nobody listens for
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}

SURFACES = [
    # (what is asked for, the rate setting, the group the log names, the status expected)
    ("/api/v1/posts", "API_ANON_RATE", "api.anonymous", 200),
    (reverse("search:export_csv") + "?q=metoo", "EXPORT_RATE_LIMIT", "search-export", 200),
    (reverse("datasets:new") + "?q=metoo", "DATASET_RATE_LIMIT", "dataset-new", 302),
]


def read_through(response):
    """The response, a download read to its end (which gives an export's place back)."""
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize(("url", "rate_setting", "group", "status"), SURFACES)
def test_a_limited_surface_answers_past_its_limit_when_the_counts_cannot_be_kept(
    client, settings, caplog, url, rate_setting, group, status
):
    PostFactory(published=True, text="metoo")
    setattr(settings, rate_setting, "1/h")
    settings.CACHES = UNREACHABLE
    with caplog.at_level("WARNING", logger="apps.core.limits"):
        answers = [client.get(url) for _ in range(3)]  # past the limit, which cannot be counted
        for answer in answers:
            read_through(answer)
    assert [answer.status_code for answer in answers] == [status] * 3
    assert f"cache unreachable (ConnectionError): {group} not rate-limited" in caplog.text


@pytest.mark.parametrize(("url", "rate_setting", "group", "status"), SURFACES)
def test_the_same_surface_is_limited_while_the_cache_works(
    client, settings, url, rate_setting, group, status
):
    PostFactory(published=True, text="metoo")
    setattr(settings, rate_setting, "1/h")
    first = read_through(client.get(url))
    # Another search, so that a data package is not simply the one already made.
    refused = client.get(url.replace("q=metoo", "q=other"))
    assert first.status_code == status
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
