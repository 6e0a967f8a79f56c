"""The Content-Security-Policy in a real Chromium: no page of the site or of the admin trips it,
and script or style injected into a page does not take effect. The curator's part goes through
the second factor as a curator would, with CURATOR_REQUIRE_2FA on."""

import io
import re
from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_otp.oath import TOTP

from apps.archive.models import Account, Post, SourceArticle
from apps.curation.services import bulk_action_start
from apps.timeline.models import TimelineEvent
from tests.curation.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    """The browser's CSP reports for everything the page loads, as console errors."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def _visit(page, path):
    response = page.goto(path)
    assert response.ok, path
    page.wait_for_load_state("load")


def test_no_public_page_trips_the_policy(page, violations):
    from apps.timeline.seeding import story_seed

    story_seed()
    paths = [
        "/",
        "/timeline/",
        "/timeline/?period=2017-10",
        TimelineEvent.objects.published().first().get_absolute_url(),
        Post.objects.published().first().get_absolute_url(),
        SourceArticle.objects.published().first().get_absolute_url(),
        Account.objects.published().filter(is_public_figure=True).first().get_absolute_url(),
        "/search/?q=%22me+too%22",
        "/sources/",
        "/takedown/",
        "/takedown/status/",
        "/curate/login/",
    ]
    for path in paths:
        _visit(page, path)
    assert not violations, "\n".join(violations)


def test_script_and_style_injected_into_a_page_do_not_take_effect(page, violations):
    _visit(page, "/takedown/")
    outcome = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            const box = document.createElement("p");
            box.setAttribute("style", "color: rgb(255, 0, 0)");
            document.body.append(box);
            return {ran: window.injected === true, color: getComputedStyle(box).color};
        }"""
    )
    assert outcome["ran"] is False
    assert outcome["color"] != "rgb(255, 0, 0)"
    assert violations  # the browser refused them, and said so


def _code(secret_b32: str) -> str:
    """What the curator's authenticator app shows for the key on the page."""
    return f"{TOTP(b32decode(secret_b32)).token():06d}"


def test_a_curator_enrols_a_second_factor_and_the_curator_and_admin_pages_keep_to_the_policy(
    page, violations, django_user_model, settings, assert_accessible
):
    settings.CURATOR_REQUIRE_2FA = True
    call_command("curation_groups", stdout=io.StringIO())
    ada = django_user_model.objects.create_user("ada", password=PASSWORD, is_staff=True)
    ada.groups.add(Group.objects.get(name="Admin"))
    post = Post.objects.create(
        platform="twitter", platform_id="1", text="hello",
        account=Account.objects.create(platform="twitter", handle="someone"),
        posted_at="2017-10-16T09:30:00Z",
    )  # fmt: skip
    job = bulk_action_start(action="approve", kind="post", filters={}, reason="", actor=ada)

    page.goto("/curate/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/curate/2fa/setup/"))
    assert_accessible(page)
    assert page.locator("img.qr-code").evaluate("img => img.naturalWidth") > 0
    page.get_by_label("Code from your authenticator app").fill(
        _code(page.locator("#totp-secret").inner_text())
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/curate/$"))

    for path in (
        "/curate/",
        f"/curate/post/{post.pk}/",
        f"/curate/bulk/{job.pk}/",
        "/curate/takedowns/",
        "/curate/rules/",
        "/admin/",
        "/admin/archive/post/",
        f"/admin/archive/post/{post.pk}/change/",
        "/admin/timeline/timelineevent/add/",
        "/admin/auth/user/",
    ):
        _visit(page, path)
    # The admin's own scripts work: the slug is filled in from the title as it is typed.
    _visit(page, "/admin/timeline/timelineevent/add/")
    page.locator("#id_title").press_sequentially("A new event")
    assert page.locator("#id_slug").input_value() == "a-new-event"
    assert not violations, "\n".join(violations)
