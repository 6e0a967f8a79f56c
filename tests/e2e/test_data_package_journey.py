"""A journalist's data package in a real Chromium: from the search page's link to the zip, with
the package page passing WCAG 2.2 AA and the site's policy."""

import hashlib
import json
import zipfile

import pytest

from tests.factories import PostFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_search_becomes_a_data_package_that_downloads_and_verifies(
    page, assert_accessible, tmp_path
):
    for n in range(3):
        PostFactory(published=True, text=f"me too, said number {n}")
    page.goto("/search/?q=%22me+too%22")
    page.get_by_role("link", name="Download this search as a data package").click()
    page.wait_for_url("**/datasets/*/")
    assert_accessible(page)
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the data package").click()
    saved = tmp_path / "package.zip"
    waiting.value.save_as(saved)
    with zipfile.ZipFile(saved) as package:
        descriptor = json.loads(package.read("datapackage.json"))
        sums = dict(
            reversed(line.split("  ", 1))
            for line in package.read("SHA256SUMS").decode().splitlines()
        )
        for name, digest in sums.items():
            assert hashlib.sha256(package.read(name)).hexdigest() == digest
        rows = package.read("entries.jsonl").decode().splitlines()
    assert len(rows) == 3
    assert "me too" in descriptor["description"].lower()
    # Identifiers only by default: no text of the posts.
    assert all("said number" not in row for row in rows)
    sha_shown = page.locator(".download code").inner_text()
    assert sha_shown == hashlib.sha256(saved.read_bytes()).hexdigest()
