"""A visitor reads the story: home page, into the timeline, the origin before the tweet."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_follows_the_way_into_the_timeline_and_finds_the_origin_first(page):
    from apps.timeline.seeding import story_seed

    story_seed()

    page.goto("/")
    assert page.locator("h1").count() == 1
    page.get_by_role("link", name="Read the timeline").click()
    page.wait_for_url("**/timeline/")

    text = page.locator("main").inner_text()
    origin = text.find("2006")
    tweet = text.find("15 October 2017")
    assert origin != -1 and tweet != -1
    assert origin < tweet
    assert "Milano" in text[tweet - 400 : tweet + 800]
    assert page.get_by_text("Date disputed").first.is_visible()


def test_pages_read_on_a_phone_without_horizontal_scrolling(browser, live_server):
    from apps.timeline.seeding import story_seed

    story_seed()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    for path in ("/", "/timeline/"):
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 375, f"{path} is {scroll_width}px wide on a 375px phone"
    context.close()
