"""The whole API schema fuzzed by schemathesis (property-based, through Hypothesis): whatever a
client sends, no answer is a server error and every answer matches the schema, for anonymous
callers and key holders alike. The application is called in-process through WSGI, against the
real test database, holding an archive that has entries of every state."""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.api.conftest import PRIVATE_HANDLE, PRIVATE_PLATFORM_ID

pytestmark = pytest.mark.django_db

# Fixed examples per operation, derandomised: the same cases on every run (a fuzz test that
# fails one run in twenty would be a bug of its own).
FUZZ = hypothesis.settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)


@pytest.fixture
def api_schema(archive, settings):
    # Fuzzing makes hundreds of calls: the limits have tests of their own.
    settings.API_ANON_RATE = settings.API_KEY_RATE = "100000/min"
    # As Django's test client does: a request's end must not close the connection that holds
    # the test's transaction.
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def _no_private_details(response) -> None:
    text = response.text
    assert PRIVATE_HANDLE not in text and PRIVATE_PLATFORM_ID not in text


@schema.parametrize()
@FUZZ
def test_no_call_fails_or_strays_from_the_schema_anonymously(case):
    response = case.call_and_validate()
    _no_private_details(response)


@schema.parametrize()
@FUZZ
def test_no_call_fails_or_strays_from_the_schema_with_a_key(case, api_key):
    _, raw = api_key
    response = case.call_and_validate(headers={"X-API-Key": raw})
    assert response.status_code != 401
    _no_private_details(response)
