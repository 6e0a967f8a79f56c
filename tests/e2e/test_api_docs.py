"""The API's documentation page in a real Chromium: it renders every endpoint from the schema,
under the site's strict Content-Security-Policy, and can call the API."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_lists_every_endpoint_and_trips_no_policy(page):
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    response = page.goto("/api/v1/docs")
    assert response.ok
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    schema = page.request.get("/api/v1/openapi.json").json()
    assert {path.replace("\u200b", "") for path in paths} == set(schema["paths"])
    assert not problems, problems
