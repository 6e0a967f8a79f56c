"""The curator view shows a post's moment as the public pages do: in its zone, and a post known
only to the day without a clock time."""

import pytest
from django.urls import reverse

from apps.archive.models import Post

pytestmark = pytest.mark.django_db


def entry_page(curator_client, platform_id: str) -> str:
    post = Post.objects.get(platform_id=platform_id)
    response = curator_client.get(reverse("curation:entry", args=["post", post.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_post_known_only_to_the_day_shows_no_clock_time_to_a_curator(curator_client, seeded):
    html = entry_page(curator_client, "archive-milano-2017-10-15")
    assert '<time datetime="2017-10-15">15 October 2017</time>' in html
    assert "12:00" not in html


def test_a_curator_sees_jaime_kings_post_on_15_october_in_pdt(curator_client, seeded):
    html = entry_page(curator_client, "archive-jaimeking-2017-10-15")
    assert '<time datetime="2017-10-15T22:30:00-07:00">15 October 2017, 22:30 PDT</time>' in html
    assert "16 Oct 2017" not in html  # the old curator view: UTC, no zone
