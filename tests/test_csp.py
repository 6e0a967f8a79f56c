"""Every page carries a Content-Security-Policy that lets only this site's own script and style
files run: markup smuggled into a stored post, article or name cannot execute. The templates are
kept free of inline script and style, so the policy never needs loosening (the browser tests in
tests/e2e/test_csp.py check that no page trips it)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/timeline/",
        "/search/?q=metoo",
        "/takedown/",
        "/curate/login/",
        "/admin/login/",
    ],
)
def test_every_page_forbids_inline_and_foreign_script_and_style(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert _policy(response) == POLICY
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_curator_and_admin_pages_carry_the_policy_too(superuser_client):
    for url in (reverse("curation:queue"), reverse("admin:index")):
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        assert _policy(response) == POLICY


TEMPLATES = sorted((ROOT / "templates").rglob("*.html")) + sorted(
    (ROOT / "apps").rglob("templates/**/*.html")
)
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I), "script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_needs_inline_script_or_style(template):
    text = template.read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template.relative_to(ROOT)} has an inline {', '.join(found)}"
