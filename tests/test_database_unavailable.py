"""A database that cannot be reached answers the clear 503 page wherever the failure surfaces:
in a view, or before any view runs (a signed-in curator's session read by a middleware). The
real outage, with PostgreSQL stopped and started, is in tests/faults/test_database_faults.py."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def _database_gone(*args, **kwargs):
    raise OperationalError("consuming input failed: server closed the connection unexpectedly")


def test_a_signed_in_visitor_gets_the_503_page_when_the_session_cannot_be_read(
    client, superuser, monkeypatch, settings
):
    settings.CURATOR_REQUIRE_2FA = True  # its middleware reads the user before any view runs
    client.force_login(superuser)
    client.raise_request_exception = False
    monkeypatch.setattr(SessionStore, "load", _database_gone)
    response = client.get("/curate/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_any_other_error_still_answers_500(client, settings, monkeypatch):
    from apps.timeline import views

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    client.raise_request_exception = False
    monkeypatch.setattr(views, "_public_counts", broken)
    assert client.get("/").status_code == 500
